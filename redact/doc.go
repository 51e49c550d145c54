// Package redact masks personal data in text before it leaves a call: in
// events, logs and stored transcripts. It knows the shapes that matter on a
// Hong Kong bank hotline: HK identity card numbers, payment card numbers, bank
// account numbers, HK phone numbers (also spoken as Chinese numerals) and
// e-mail addresses. Short numbers — amounts, dates, times, a card's last four
// digits said on their own — are left alone so transcripts stay readable.
//
// Text is pure, safe for concurrent use, idempotent (Text(Text(s)) ==
// Text(s)) and never leaves a run of eight or more unmasked digits.
//
// It imports only the standard library; asr, dialog and call may import it.
package redact
