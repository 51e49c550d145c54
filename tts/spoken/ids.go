package spoken

import "strings"

// Digit strings read one by one: at least an HK phone number, at most a
// long card number with some slack.
const (
	minDigitString = 8
	maxDigitString = 24
)

// phone852 speaks +852 followed by an 8-digit number (spaces or dashes
// allowed) as 八五二，九一二三，四五六七.
func (c *conv) phone852() bool {
	in, j := c.in, c.i+1
	if j+3 > len(in) || string(in[j:j+3]) != "852" {
		return false
	}
	j += 3
	var ds []rune
	for j < len(in) && len(ds) < 8 {
		switch {
		case isDigit(in[j]):
			ds = append(ds, in[j])
		case gapLen(in, j) > 0:
			j += gapLen(in, j)
			continue
		default:
			return false
		}
		j++
	}
	if len(ds) != 8 || (j < len(in) && (isDigit(in[j]) || isLatin(in[j]))) {
		return false
	}
	c.groups("852", string(ds[:4]), string(ds[4:]))
	c.i = j
	return true
}

// digitGroups speaks digits written in groups joined by spaces or single
// dashes (9123 4567, 4111-1111-1111-1234, 012-345678-001) one by one, group
// by group, when there are at least eight digits in all. In English,
// digits already spaced one by one (as Text writes them) are left alone.
func (c *conv) digitGroups() bool {
	in := c.in
	ngroups, total, j, single := 0, 0, c.i, false
	for {
		e := digitsEnd(in, j)
		ngroups++
		single = single || e-j == 1
		total += e - j
		j = e
		if total > maxDigitString {
			return false
		}
		if g := gapLen(in, j); g > 0 {
			j += g
			continue
		}
		break
	}
	if ngroups < 2 || total < minDigitString || numberGoesOn(in, j) || (c.english && single) {
		return false
	}
	first := true
	for k := c.i; k < j; k++ {
		switch r := in[k]; {
		case isDigit(r):
			c.digit(byte(r), first)
			first = false
		case !first:
			c.out = append(c.out, c.sep()...)
			first = true
		}
	}
	c.i = j
	return true
}

// longDigits speaks an unseparated run of eight or more digits one by one
// in groups (an 8-digit phone number as 4+4; 852 and a phone number as
// 852+4+4; account and card numbers in fours).
func (c *conv) longDigits() bool {
	j := digitsEnd(c.in, c.i)
	if j-c.i < minDigitString || numberGoesOn(c.in, j) {
		return false
	}
	ds := string(c.in[c.i:j])
	var groups []string
	if len(ds) == 11 && strings.HasPrefix(ds, "852") {
		groups = append(groups, "852")
		ds = ds[3:]
	}
	c.groups(chunkDigits(ds, groups)...)
	c.i = j
	return true
}

// gapLen is the length of the gap between two digit groups at j: one dash,
// or spaces, followed by a digit; 0 if there is none.
func gapLen(in []rune, j int) int {
	k := j
	switch {
	case k < len(in) && in[k] == '-':
		k++
	default:
		for k < len(in) && k-j < 4 && isSpace(in[k]) {
			k++
		}
	}
	if k == j || k >= len(in) || !isDigit(in[k]) {
		return 0
	}
	return k - j
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\u3000' }

// numberGoesOn reports whether what follows j makes the digits before it a
// quantity rather than an identifier: a decimal point, thousands comma,
// percent sign, amount unit or glued Latin letter.
func numberGoesOn(in []rune, j int) bool {
	if j >= len(in) {
		return false
	}
	r := in[j]
	switch {
	case (r == '.' || r == ',') && j+1 < len(in) && isDigit(in[j+1]):
		return true
	case r == '%' || isLatin(r) || isBigUnit(r):
		return true
	}
	return hkdSuffixLen(in, j) > 0
}

// hkid speaks an HK identity card number whose letters end at le:
// A123456(3) → A，一二三，四五六，括號三. The check digit may be bracketed
// (ASCII or full-width), glued (A1234563) or absent.
func (c *conv) hkid(le int) bool {
	in := c.in
	nl := le - c.i
	if nl < 1 || nl > 2 {
		return false
	}
	de := digitsEnd(in, le)
	nd := de - le
	check, bracket, end := "", false, de
	switch {
	case nd == 7:
		check = string(in[de-1])
	case nd == 6 && de < len(in) && (in[de] == 'A' || in[de] == 'a'):
		check, end = "A", de+1
	case nd == 6:
		if ch, e, ok := bracketCheck(in, de); ok {
			check, bracket, end = ch, true, e
		} else if de < len(in) && (in[de] == '(' || in[de] == '（') {
			return false
		}
	default:
		return false
	}
	if end < len(in) && (isLatin(in[end]) || isDigit(in[end]) || isHanDigit(in[end])) {
		return false
	}
	c.out = append(c.out, strings.ToUpper(string(in[c.i:le]))...)
	c.out = append(c.out, c.sep()...)
	c.groups(string(in[le:le+3]), string(in[le+3:le+6]))
	if check != "" {
		c.out = append(c.out, c.sep()...)
		if bracket && !c.english {
			c.out = append(c.out, "括號"...)
		}
		if check == "A" {
			c.out = append(c.out, 'A')
		} else {
			c.digit(check[0], true)
		}
	}
	c.i = end
	return true
}

// bracketCheck reads a bracketed check digit "(3)", "(A)" or "（3）" at j.
func bracketCheck(in []rune, j int) (string, int, bool) {
	if j+2 >= len(in) || (in[j] != '(' && in[j] != '（') {
		return "", 0, false
	}
	ch := in[j+1]
	closing := in[j+2] == ')' || in[j+2] == '）'
	switch {
	case !closing:
		return "", 0, false
	case isDigit(ch):
		return string(ch), j + 3, true
	case ch == 'A' || ch == 'a':
		return "A", j + 3, true
	}
	return "", 0, false
}
