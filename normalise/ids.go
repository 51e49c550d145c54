package normalise

import "strings"

// phoneNumber returns the eight-digit national number (or the toll-free
// 800 number) if digits is a Hong Kong phone number: eight digits starting
// 2–9, the same after 852, or 800 and six digits.
func phoneNumber(digits string) (string, bool) {
	local := func(d string) bool { return len(d) == 8 && d[0] >= '2' && d[0] <= '9' }
	switch {
	case local(digits):
		return digits, true
	case len(digits) == 11 && strings.HasPrefix(digits, "852") && local(digits[3:]):
		return digits[3:], true
	case len(digits) == 9 && strings.HasPrefix(digits, "800"):
		return digits, true
	}
	return "", false
}

// digitValue classifies a digit string as a Phone or Digits.
func (sc *scanner) digitValue(q qty) Value {
	if nat, ok := phoneNumber(q.digits); ok {
		v := sc.value(Phone, q.start, q.end)
		v.Digits = nat
		return v
	}
	v := sc.value(Digits, q.start, q.end)
	v.Digits = q.digits
	return v
}

// plusPhone reads +852 9123 4567 at the '+' at i.
func (sc *scanner) plusPhone(i int) (Value, int, bool) {
	q, ok := sc.readQty(i + 1)
	if !ok {
		return Value{}, i + 1, false
	}
	if q.digits == "" {
		return sc.classify(q, true)
	}
	v := sc.digitValue(q)
	if v.Kind == Phone {
		v = sc.value(Phone, i, q.end)
		v.Digits, _ = phoneNumber(q.digits)
	}
	return v, q.end, true
}

// bracketWords open the check digit of a spoken HKID (A一二三四五六括號三).
var bracketWords = []string{"(", "括號", "括弧", "開括號", "open bracket", "bracket"}

// hkid reads an HKID at the letter at i: one or two letters (any case), six
// digits (ASCII or Chinese, 幺 = 1, 兩 = 2), then a check digit 0–9 or A,
// bracketed, after 括號/括弧, or run on as a seventh digit. An HKID without a
// check digit, or with a wrong one, has Valid false.
func (sc *scanner) hkid(i int) (Value, int, bool) {
	if isLetter(sc.at(i-1)) || isDigit(sc.at(i-1)) {
		return Value{}, 0, false
	}
	k := i
	for isLetter(sc.at(k)) {
		k++
	}
	letters := strings.ToUpper(string(sc.rs[i:k]))
	if len(letters) > 2 {
		return Value{}, 0, false
	}
	if sc.at(k) == ' ' {
		k++
	}
	n := sc.digitRun(k)
	if n != 6 && n != 7 {
		return Value{}, 0, false
	}
	var b strings.Builder
	b.WriteString(letters)
	for j := k; j < k+n; j++ {
		d, _ := anyDigit(sc.rs[j])
		b.WriteByte(byte('0' + d))
	}
	end := k + n
	if n == 6 {
		if c, e, ok := sc.checkDigit(end); ok {
			b.WriteByte(c)
			end = e
		}
	}
	v := sc.value(HKID, i, end)
	v.Digits = b.String()
	v.Valid = len(v.Digits) == len(letters)+7 && hkidCheck(v.Digits[:len(letters)+6]) == v.Digits[len(v.Digits)-1]
	return v, end, true
}

// checkDigit reads the check digit after the six digits of an HKID at k:
// "(3)", "（A）", "括號三", " 3", or "A" run on.
func (sc *scanner) checkDigit(k int) (byte, int, bool) {
	j := k
	if sc.at(j) == ' ' {
		j++
	}
	bracket := sc.hasAny(j, bracketWords)
	j += bracket
	if bracket > 0 && sc.at(j) == ' ' {
		j++
	}
	if bracket == 0 && j == k && !isLetter(sc.at(j)) {
		return 0, 0, false
	}
	var c byte
	switch r := sc.at(j); {
	case r == 'A' || r == 'a':
		if isLetter(sc.at(j + 1)) {
			return 0, 0, false
		}
		c = 'A'
	default:
		d, ok := anyDigit(r)
		if !ok || isDigit(sc.at(j+1)) {
			return 0, 0, false
		}
		c = byte('0' + d)
	}
	j++
	if sc.at(j) == ')' {
		j++
	}
	return c, j, true
}

// hkidCheck computes the check digit of an HKID body: one or two upper-case
// letters and six digits. Weights run 9 down to 2 over eight positions; a
// single-letter ID is padded in front with a space worth 36; A–Z count
// 10–35; the check is (11 − sum mod 11) mod 11, with 10 written A.
func hkidCheck(body string) byte {
	if len(body) == 7 {
		body = " " + body
	}
	if len(body) != 8 {
		return 0
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		var v int
		switch {
		case c == ' ':
			v = 36
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c >= '0' && c <= '9':
			v = int(c - '0')
		default:
			return 0
		}
		sum += v * (9 - i)
	}
	switch c := (11 - sum%11) % 11; c {
	case 10:
		return 'A'
	default:
		return byte('0' + c)
	}
}
