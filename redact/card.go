package redact

import "unicode/utf8"

// Luhn reports whether digits passes the Luhn (mod 10) check used by
// payment card numbers. Digits may be ASCII, full-width or Chinese
// numerals, and may be grouped with spaces or dashes ("4111 1111 1111
// 1111"); any other rune, or fewer than two digits, makes it false.
func Luhn(digits string) bool {
	sum, n := 0, 0
	for i := len(digits); i > 0; {
		r, size := utf8.DecodeLastRuneInString(digits[:i])
		i -= size
		if isSpace(r) || isDash(r) {
			continue
		}
		d := digitVal(r)
		if d < 0 {
			return false
		}
		sum += luhnDigit(int(d), n)
		n++
	}
	return n >= 2 && sum%10 == 0
}

// luhnUnits is Luhn over the values of a digit run.
func luhnUnits(units []unit) bool {
	sum := 0
	for k := range units {
		d := units[len(units)-1-k].val
		if d < 0 || d > 9 {
			return false
		}
		sum += luhnDigit(int(d), k)
	}
	return len(units) >= 2 && sum%10 == 0
}

// luhnDigit is the contribution of digit d at position k from the right:
// every second digit is doubled and its two figures added.
func luhnDigit(d, k int) int {
	if k%2 == 1 {
		d *= 2
		if d > 9 {
			d -= 9
		}
	}
	return d
}
