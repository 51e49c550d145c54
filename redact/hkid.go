package redact

import (
	"strings"
	"unicode/utf8"
)

const (
	cueWindow  = 16 // runes before an HKID's letters searched for an ID cue
	hkidSpace  = 36 // value of the blank first letter of a one-letter HKID
	checkA     = 10 // value of the check character 'A'
	maxSpacing = 2  // spaces allowed around a spoken or bracketed check digit
)

// idCues are the words after which an HKID-shaped number is masked even
// when its check digit is wrong or missing ("ID" and "HKID" are matched as
// whole words, in any case).
var idCues = []string{"身份證", "身分證", "身份証", "身分証", "身份证", "身分证"}

// Brackets around a check digit, written or as a recogniser writes them
// when the caller says 括號 ("bracket"). After a spoken opener the closing
// bracket is optional, since callers rarely say it.
var (
	writtenOpeners = []string{"(", "（", "[", "［"}
	spokenOpeners  = []string{"開括號", "開括弧", "括號", "括弧", "开括号", "括号"}
	closers        = []string{")", "）", "]", "］", "閂括號", "閂括弧", "關括號", "關括弧", "收括號",
		"括號", "括弧", "闩括号", "关括号", "括号"}
)

// ValidHKID reports whether s is a Hong Kong identity card number with a
// correct check digit: one or two letters, six digits and a check character
// (0-9 or A), bare or in brackets, as in A123456(3), A1234563, AB987654(3),
// Z683365(A) or Ｃ１２３４５６（９）. Letters may be lower case or full-width; digits
// ASCII, full-width or Chinese numerals. Surrounding white space is ignored;
// nothing else may be in s.
//
// The check digit is the official one: a one-letter number counts a blank
// (36) before its letter; letters count A=10 … Z=35; the two letter places
// and six digits are weighted 9 down to 2; the check value is 11 minus the
// sum modulo 11, written 'A' for 10 and '0' for 11.
func ValidHKID(s string) bool {
	s = strings.TrimSpace(s)
	var letters [2]int8
	n, i := 0, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		v := letterVal(r)
		if v < 0 {
			break
		}
		if n == len(letters) {
			return false
		}
		letters[n], n, i = v, n+1, i+size
	}
	if n == 0 {
		return false
	}
	var digits [hkidDigits]int8
	for k := range digits {
		r, size := utf8.DecodeRuneInString(s[i:])
		if digits[k] = digitVal(r); digits[k] < 0 {
			return false
		}
		i += size
	}
	check, ok := bareOrBracketed(s[i:])
	return ok && checkDigit(letters[:n], &digits) == check
}

// bareOrBracketed reads the whole of rest as a check character, bare or
// between a written bracket pair.
func bareOrBracketed(rest string) (int8, bool) {
	for _, o := range writtenOpeners {
		if r, ok := strings.CutPrefix(rest, o); ok {
			c, size := utf8.DecodeRuneInString(r)
			for _, cl := range closers[:4] {
				if r[size:] == cl {
					return checkVal(c), checkVal(c) >= 0
				}
			}
			return -1, false
		}
	}
	c, size := utf8.DecodeRuneInString(rest)
	return checkVal(c), size == len(rest) && checkVal(c) >= 0
}

// checkDigit computes the check value (0-9, or 10 for 'A') of an HKID.
func checkDigit(letters []int8, digits *[hkidDigits]int8) int8 {
	sum := 0
	if len(letters) == 1 {
		sum = hkidSpace*9 + int(letters[0])*8
	} else {
		sum = int(letters[0])*9 + int(letters[1])*8
	}
	for k, d := range digits {
		sum += int(d) * (7 - k)
	}
	return int8((11 - sum%11) % 11)
}

// hkid recognises a Hong Kong identity card number around the digit run
// units (ending at byte end): one or two letters, six digits and maybe a
// check character, bare, bracketed or after a spoken 括號. The letters are
// kept; the digits and the check character are masked. It returns the
// units to mask, where scanning resumes, and whether it matched.
//
// Policy: a number with a valid check digit is always masked. One with a
// wrong check digit is masked when the check is bracketed (written or
// spoken) or an ID cue (身份證, 身分證, ID, HKID) comes shortly before it:
// privacy wins over readability. A bare letter and seven digits with a wrong
// check digit and no cue (a product code such as A1234567), and six digits
// with no check digit and no cue, are left to the digit-run rules.
func hkid(s string, units []unit, end int) ([]unit, int, bool) {
	n := len(units)
	if n != hkidDigits && n != hkidRunCheck {
		return nil, 0, false
	}
	from, letters, ok := hkidLetters(s, units[0].start)
	if !ok {
		return nil, 0, false
	}
	next, bracketed, hasCheck := end, false, n == hkidRunCheck
	if !hasCheck {
		if u, after, br, ok := hkidCheck(s, end); ok {
			units, next, bracketed, hasCheck = append(units, u), after, br, true
		}
	}
	if next == end && !boundary(s, end) {
		return nil, 0, false
	}
	if hasCheck && validUnits(letters, units) || bracketed || hasIDCue(s, from) {
		return units, next, true
	}
	return nil, 0, false
}

// validUnits checks six digit units and a check unit against letters.
func validUnits(letters []int8, units []unit) bool {
	var digits [hkidDigits]int8
	for k := range digits {
		if digits[k] = units[k].val; digits[k] < 0 || digits[k] > 9 {
			return false
		}
	}
	return checkDigit(letters, &digits) == units[hkidDigits].val
}

// hkidLetters reads the one or two letters (optionally followed by one
// space) that end right before byte i, with no further letter, digit or
// mask before them. It returns where they start and their values.
func hkidLetters(s string, i int) (int, []int8, bool) {
	r, size := utf8.DecodeLastRuneInString(s[:i])
	if r == ' ' {
		i -= size
	}
	var buf [2]int8
	n := 0
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		v := letterVal(r)
		if v < 0 {
			if isDigit(r) || r == Mask {
				return 0, nil, false
			}
			break
		}
		if n == len(buf) {
			return 0, nil, false
		}
		buf[n], n, i = v, n+1, i-size
	}
	if n == 2 {
		buf[0], buf[1] = buf[1], buf[0]
	}
	return i, buf[:n], n > 0
}

// hkidCheck matches the check character after six digits at byte i: a bare
// "A", a bracketed "(7)", " (A)", "（７）", or the spoken "括號三",
// "開括號 7 閂括號". It returns the check character as a unit, where
// scanning resumes and whether the check was bracketed.
func hkidCheck(s string, i int) (unit, int, bool, bool) {
	i = skipSpaces(s, i)
	r, size := utf8.DecodeRuneInString(s[i:])
	if isCheckA(r) {
		return unit{start: i, end: i + size, val: checkA}, i + size, false, boundary(s, i+size)
	}
	j, spoken := opener(s, i)
	if j < 0 {
		return unit{}, 0, false, false
	}
	j = skipSpaces(s, j)
	c, csize := utf8.DecodeRuneInString(s[j:])
	if !isDigit(c) && !isCheckA(c) {
		return unit{}, 0, false, false
	}
	u := unit{start: j, end: j + csize, val: checkVal(c)}
	if k := closer(s, skipSpaces(s, u.end)); k >= 0 {
		return u, k, true, true
	}
	return u, u.end, true, spoken && boundary(s, u.end)
}

// opener returns the byte after a bracket opener at i (or -1) and whether
// it was spoken.
func opener(s string, i int) (int, bool) {
	for _, o := range writtenOpeners {
		if strings.HasPrefix(s[i:], o) {
			return i + len(o), false
		}
	}
	for _, o := range spokenOpeners {
		if strings.HasPrefix(s[i:], o) {
			return i + len(o), true
		}
	}
	return -1, false
}

// closer returns the byte after a closing bracket at i, or -1.
func closer(s string, i int) int {
	for _, c := range closers {
		if strings.HasPrefix(s[i:], c) {
			return i + len(c)
		}
	}
	return -1
}

// skipSpaces skips up to maxSpacing spaces from byte i.
func skipSpaces(s string, i int) int {
	for k := 0; k < maxSpacing && i < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			break
		}
		i += size
	}
	return i
}

// hasIDCue reports whether an ID cue ends within cueWindow runes before
// byte i. The window is counted in runes, which masking preserves, so the
// answer is the same on masked text and Text stays idempotent.
func hasIDCue(s string, i int) bool {
	from := i
	for k := 0; k < cueWindow && from > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:from])
		from -= size
	}
	w := s[from:i]
	for _, c := range idCues {
		if strings.Contains(w, c) {
			return true
		}
	}
	return hasIDWord(s, from, i)
}

// hasIDWord looks for the ASCII word "ID" or "HKID" between bytes from and
// to of s. A letter, digit or mask next to it makes it part of another word.
func hasIDWord(s string, from, to int) bool {
	for i := from; i < to; {
		if !isASCIILetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		w := s[i:j]
		if (strings.EqualFold(w, "id") || strings.EqualFold(w, "hkid")) && j <= to &&
			wordEdge(s, i-1) && wordEdge(s, j) {
			return true
		}
		i = j
	}
	return false
}

// wordEdge reports whether byte i is outside s or not part of a word.
func wordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != Mask
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// boundary reports whether byte i ends a token: end of text or a rune that
// is neither a letter, a digit nor a mask. A mask counts as part of the
// token because it may stand for a letter masked in an e-mail address;
// treating it otherwise would let a second pass mask more than the first.
func boundary(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return letterVal(r) < 0 && !isDigit(r) && r != Mask
}

// letterVal is an HKID letter's value (A=10 … Z=35, any case, ASCII or
// full-width), or -1.
func letterVal(r rune) int8 {
	switch {
	case r >= 'A' && r <= 'Z':
		return int8(r-'A') + 10
	case r >= 'a' && r <= 'z':
		return int8(r-'a') + 10
	case r >= 'Ａ' && r <= 'Ｚ':
		return int8(r-'Ａ') + 10
	case r >= 'ａ' && r <= 'ｚ':
		return int8(r-'ａ') + 10
	}
	return -1
}

// checkVal is the value of a check character (a digit, or 10 for 'A'), or -1.
func checkVal(r rune) int8 {
	if isCheckA(r) {
		return checkA
	}
	return digitVal(r)
}

func isCheckA(r rune) bool { return r == 'A' || r == 'a' || r == 'Ａ' || r == 'ａ' }
