// Package redact masks personal data in text before it leaves a call: in
// events, logs and stored transcripts. It knows the shapes that matter on a
// Hong Kong bank hotline: HK identity card numbers, payment card numbers, bank
// account numbers, HK phone numbers (also spoken as Chinese numerals) and
// e-mail addresses. Short numbers — amounts, dates, times, a card's last four
// digits said on their own — are left alone so transcripts stay readable.
//
// Text is pure, safe for concurrent use, idempotent (Text(Text(s)) ==
// Text(s)), always returns valid UTF-8 and never leaves a run of eight or
// more unmasked digits. Digits masks DTMF collected in secret mode. Handler
// wraps a slog.Handler so that nothing it logs carries personal data.
//
// # Policy
//
// HKID. One or two letters, six digits and a check character (0-9 or A),
// bare, in brackets (ASCII or full-width) or after a spoken 括號/括弧/開括號.
// The letters stay; the digits and the check character are masked.
//   - A valid check digit (see ValidHKID): always masked.
//   - A wrong check digit that is bracketed, written or spoken: masked, as
//     is any HKID shape (even six digits without a check) within sixteen
//     characters after an ID cue (身份證, 身分證, ID, HKID). Privacy wins.
//   - Otherwise, e.g. the product code A1234567 with a wrong check digit:
//     left to the digit-run rules, which keep seven digits readable.
//
// Digit runs (ASCII, full-width, Chinese numerals; gaps of spaces, dashes
// and commas allowed):
//   - fewer than 8 digits: kept (amounts such as 50000蚊 or HK$1,234,567.89,
//     times, "尾號1234"; seven-digit money is kept);
//   - 8 digits: HK phone number, last 2 kept; 852 or 00852 in front of an
//     eight-digit number starting with 2-9 is kept as the country code;
//   - 9-12 digits, or dashed groups starting with a three-digit bank or
//     branch code (004-123-456789-001): bank account, last 3 kept;
//   - 13-19 Luhn-valid digits: payment card, last 4 kept;
//   - any other run of 13 or more: last 2 kept (a mis-heard card number
//     shows less, since its last four would mean nothing to an agent);
//   - never masked: dates with single dashes (2026-03-05, 05-03-2026) and
//     thousands-grouped amounts up to twelve digits (HK$12,345,678).
//
// Eight or more digits in a row are masked whatever they mean: eight-digit
// money written without commas (HK$12345678) and counting aloud
// (一二三四五六七八九十) lose their readability to that rule. A comma joins
// groups of three or more digits, since a recogniser writes one where the
// caller paused (九一二三，四五六七), so a list such as "100, 200, 300" is
// read as one nine-digit number and masked too; "三,四年" and "八六,八二"
// are not joined.
//
// E-mail: the local part becomes "***"; the domain stays.
//
// Not handled: spoken e-mail addresses ("chan at gmail dot com"), digits
// said as idioms (雙八, 三個八), and filler words inside a number (九一二三
// 呃 四五六七), which split it into two short, kept runs.
//
// It imports only the standard library; asr, dialog and call may import it.
package redact
