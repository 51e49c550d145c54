package redact

import (
	"strings"
	"unicode/utf8"
)

// Mask is the rune that replaces every masked character.
const Mask = '*'

// Text returns s with personal data masked. Every masked digit becomes one
// '*' so that separators and lengths stay as spoken:
//
//	HKID            A123456(7)           -> A******(*)       letters kept
//	payment card    4111 1111 1111 1234  -> **** **** **** 1234  (13-19 digits, last 4 kept)
//	bank account    012-345678-001       -> ***-******-001   (9-12 digits, last 3 kept)
//	HK phone        +852 9123 4567       -> +852 **** **67   (8 digits, last 2 kept)
//	spoken digits   九一二三四五六七     -> ******六七       (same rules as ASCII digits)
//	e-mail          chan.tm@example.com  -> ***@example.com
//
// Digits count whether ASCII, full-width or Chinese numerals (零〇一二三四五
// 六七八九兩); groups may be joined by single spaces or dashes. Runs shorter
// than eight digits are kept (amounts, times, "尾號1234"), as are ISO or
// day-month-year dates written with dashes (2026-03-05).
func Text(s string) string {
	return maskEmails(maskNumbers(s))
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
