package redact

import "unicode/utf8"

// hkid recognises a Hong Kong identity card number around the digit run
// units (ending at byte end): one or two letters, six digits, and a check
// digit (0-9 or A) that may be bracketed, as in A123456(7), AB987654A,
// Z 683365 (5) or A一二三四五六(七). The letters are kept; every digit and
// the check character are masked. Six digits after the letters with no
// check digit are masked too (a partial number is still an identifier).
// It returns the units to mask, where scanning resumes, and whether it matched.
func hkid(s string, units []unit, end int) ([]unit, int, bool) {
	if !hkidLetters(s, units[0].start) {
		return nil, 0, false
	}
	switch len(units) {
	case hkidRunCheck:
		if !boundary(s, end) {
			return nil, 0, false
		}
		return units, end, true
	case hkidDigits:
		if u, next, ok := hkidCheck(s, end); ok {
			return append(units, u), next, true
		}
		if !boundary(s, end) {
			return nil, 0, false
		}
		return units, end, true
	}
	return nil, 0, false
}

// hkidLetters reports whether one or two letters (optionally followed by one
// space) end right before byte i, with no further letter or digit before them.
func hkidLetters(s string, i int) bool {
	r, size := utf8.DecodeLastRuneInString(s[:i])
	if r == ' ' {
		i -= size
	}
	letters := 0
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !isLetter(r) {
			if isDigit(r) {
				return false
			}
			break
		}
		letters++
		i -= size
		if letters > 2 {
			return false
		}
	}
	return letters > 0
}

// hkidCheck matches the check character after six digits: "A", "(7)",
// " (A)" or full-width "（７）". It returns the check character as a unit.
func hkidCheck(s string, i int) (unit, int, bool) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == ' ' {
		i += size
		r, size = utf8.DecodeRuneInString(s[i:])
	}
	if isCheckA(r) {
		if !boundary(s, i+size) {
			return unit{}, 0, false
		}
		return unit{start: i, end: i + size, val: -1}, i + size, true
	}
	if r != '(' && r != '（' {
		return unit{}, 0, false
	}
	j := i + size
	c, csize := utf8.DecodeRuneInString(s[j:])
	if !isDigit(c) && !isCheckA(c) {
		return unit{}, 0, false
	}
	closeR, closeSize := utf8.DecodeRuneInString(s[j+csize:])
	if closeR != ')' && closeR != '）' {
		return unit{}, 0, false
	}
	return unit{start: j, end: j + csize, val: digitVal(c)}, j + csize + closeSize, true
}

// boundary reports whether byte i ends a token: end of text or a rune that
// is neither a letter, a digit nor a mask. A mask counts as part of the
// token because it may stand for a letter masked in an e-mail address;
// treating it otherwise would let a second pass mask more than the first.
func boundary(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isLetter(r) && !isDigit(r) && r != Mask
}

func isLetter(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ'
}

func isCheckA(r rune) bool { return r == 'A' || r == 'a' || r == 'Ａ' || r == 'ａ' }
