package spoken

import "strings"

// unmask removes masked personal data from in. A masked span is a run of
// '*' with the shape around it that redact leaves: digits, spaces, dashes,
// brackets and a leading "+", HKID letters before it, an e-mail domain
// after it. Only the unmasked digits after the last '*' are kept, read one
// by one (尾號 **** 1234 → 尾號 一二三四); a fully masked span is dropped.
//
// tails says how to write the kept digits: tailHan, tailASCII (spaced, for
// the English voice) or tailNone (dropped).
func unmask(in []rune, tails tailMode, sep string) []rune {
	if !containsRune(in, '*') {
		return in
	}
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); {
		if in[i] != '*' {
			out = append(out, in[i])
			i++
			continue
		}
		out = out[:maskStart(out)]
		end, last := maskEnd(in, i)
		if end < len(in) && in[end] == '@' {
			end = domainEnd(in, end+1)
		} else {
			out = appendTail(out, in[last:end], tails, sep)
		}
		i = end
	}
	return out
}

// tailMode is how unmask writes the digits it keeps.
type tailMode int

const (
	tailHan tailMode = iota
	tailASCII
	tailNone
)

func containsRune(in []rune, r rune) bool {
	for _, x := range in {
		if x == r {
			return true
		}
	}
	return false
}

// maskStart returns where the masked span that ends out begins: back over
// digits, '+', dashes and brackets (and single spaces between them), then
// over one or two HKID letters standing alone.
func maskStart(out []rune) int {
	l := len(out)
	for l > 0 {
		r := out[l-1]
		if isDigit(r) || strings.ContainsRune("+-()（）", r) {
			l--
			continue
		}
		if r == ' ' && l > 1 && (isDigit(out[l-2]) || out[l-2] == '-') {
			l--
			continue
		}
		break
	}
	k := l
	if k > 0 && out[k-1] == ' ' && k > 1 && isLatin(out[k-2]) {
		k--
	}
	n := 0
	for k > 0 && isLatin(out[k-1]) && n < 3 {
		k--
		n++
	}
	if n >= 1 && n <= 2 && (k == 0 || !isLatin(out[k-1])) {
		return k
	}
	return l
}

// maskEnd returns the end of the masked span starting with the '*' at i,
// and the position just after its last '*'.
func maskEnd(in []rune, i int) (end, last int) {
	j := i
	for j < len(in) {
		r := in[j]
		switch {
		case r == '*':
			last = j + 1
		case isDigit(r) || isHanDigit(r) || strings.ContainsRune("-()（）", r):
		case r == ' ' && j+1 < len(in) && (in[j+1] == '*' || isDigit(in[j+1]) || isHanDigit(in[j+1])):
		default:
			return j, last
		}
		j++
	}
	return j, last
}

// isHanDigit reports a Chinese numeral that may stand for a digit in a
// spoken number (as redact masks them).
func isHanDigit(r rune) bool { return strings.ContainsRune("零〇一二三四五六七八九兩", r) }

// domainEnd returns the end of an e-mail domain starting at j.
func domainEnd(in []rune, j int) int {
	k := j
	for k < len(in) && (isLatin(in[k]) || isDigit(in[k]) || in[k] == '-' ||
		(in[k] == '.' && k+1 < len(in) && (isLatin(in[k+1]) || isDigit(in[k+1])))) {
		k++
	}
	return k
}

// appendTail appends the digits in tail (the unmasked end of a masked
// span) read one by one, in groups of four when there are more; in English
// as spaced ASCII digits.
func appendTail(out, tail []rune, tails tailMode, sep string) []rune {
	if tails == tailNone {
		return out
	}
	english := tails == tailASCII
	if n := len(out); english && n > 0 && (isLatin(out[n-1]) || isDigit(out[n-1])) {
		out = append(out, ' ') // keep a word before it a word
	}
	k := 0
	for _, r := range tail {
		switch {
		case isDigit(r) && english:
		case isDigit(r):
			r = []rune(digitHan[r-'0'])[0]
		case isHanDigit(r):
		default:
			continue
		}
		switch {
		case k > 0 && k%4 == 0:
			out = append(out, []rune(sep)...)
		case k > 0 && english:
			out = append(out, ' ')
		}
		out = append(out, r)
		k++
	}
	return out
}
