package redact

import (
	"strings"
	"unicode/utf8"
)

// Mask is the rune that replaces every masked character.
const Mask = '*'

// Text returns s with personal data masked. Every masked character becomes
// one '*' so that separators and lengths stay as spoken:
//
//	HKID, valid check     A123456(3)             -> A******(*)      letters kept
//	HKID, spoken          A一二三四五六括號三    -> A******括號*
//	payment card (Luhn)   4111 1111 1111 1111    -> **** **** **** 1111  (13-19 digits, last 4 kept)
//	bank account          012-345678-001         -> ***-******-001  (9-12 digits or dashed, last 3 kept)
//	HK phone              +852 9123 4567         -> +852 **** **67  (8 digits, last 2 kept)
//	spoken digits         九一二三，四五六七     -> ****，**六七    (same rules as ASCII digits)
//	other long runs       4111 1111 1111 1234    -> **** **** **** **34  (last 2 kept)
//	e-mail                chan.tm@example.com    -> ***@example.com
//
// Digits count whether ASCII, full-width or Chinese numerals
// (零〇一二三四五六七八九兩幺); the digits of one number may be split by gaps
// of up to three spaces, dashes or commas (a comma only between groups of
// three or more digits). Runs shorter than eight digits are kept (amounts, times,
// "尾號1234"), as are dates written with single dashes (2026-03-05) and
// thousands-grouped amounts of up to twelve digits (HK$12,345,678.90). The
// HKID policy is described in the package documentation.
//
// Text never returns invalid UTF-8: invalid bytes in s become U+FFFD.
func Text(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// E-mails first: masking a local part changes the text's length in
	// runes, which the HKID cue window counts, so it must come before.
	return maskNumbers(maskEmails(s))
}

// Digits masks a DTMF string collected in secret mode (PIN, card number):
// every rune, digit or not, becomes '*', so only the length remains.
func Digits(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	return strings.Repeat(string(Mask), n)
}
