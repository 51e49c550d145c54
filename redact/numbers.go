package redact

import (
	"unicode"
	"unicode/utf8"
)

// Masking thresholds. A run of digits is sensitive from minRun digits on.
const (
	minRun       = 8  // shorter runs are amounts, dates, times, last-4s
	keepPhone    = 2  // 8 digits: HK phone number (and any other 8-digit run)
	keepAccount  = 3  // 9-12 digits, or a dashed HK account: bank account
	keepCard     = 4  // 13-19 Luhn-valid digits: payment card
	keepOther    = 2  // any other run of 13 or more digits
	cardMinRun   = 13 // shortest payment card number
	cardMaxRun   = 19 // longest payment card number
	accountMax   = 12 // longest undashed bank account number
	dashedMax    = 17 // longest dashed account: bank code, branch, account
	hkidDigits   = 6  // digits after the HKID letters, before the check digit
	hkidRunCheck = 7  // six digits plus an unbracketed check digit
	maxGap       = 3  // separator runes allowed between two digits of a run
	commaGroup   = 3  // digits a group needs on both sides of a comma to join
	amountMax    = 12 // longest thousands-grouped amount kept whole
)

// unit is one digit of a run: its byte span, its value (-1 when unknown, 10
// for an HKID check character 'A'), and the gap that preceded it inside the
// run: its main separator (a comma over a dash over a space; 0 when none)
// and its length in runes.
type unit struct {
	start, end int
	val        int8
	gap        int8
	sep        rune
}

// maskNumbers masks HKID numbers and long digit runs. Runs are maximal
// sequences of digits where neighbouring digits may be split by a short gap
// of separators (spaces, dashes, commas). '*' is not a digit, so already
// masked text splits into short runs and is left as it is.
func maskNumbers(s string) string {
	var (
		out   []byte
		last  int
		buf   [24]unit
		units = buf[:0]
	)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isDigit(r) {
			i += size
			continue
		}
		units = scanRun(s, i, units[:0])
		end := units[len(units)-1].end
		mask, next := decide(s, units, end)
		for _, u := range mask {
			if out == nil {
				out = make([]byte, 0, len(s))
			}
			out = append(out, s[last:u.start]...)
			out = append(out, Mask)
			last = u.end
		}
		i = next
	}
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}

// scanRun collects the digit run starting at byte i. A gap joins two digits
// when it is at most maxGap separator runes long; a gap with a comma joins
// only groups of commaGroup or more digits on both sides, so that "三,四年"
// and "八六,八二,八三" stay apart while a paused "九一二三，四五六七" is one
// number.
func scanRun(s string, i int, units []unit) []unit {
	var (
		sep   rune
		gap   int
		group int // digits of the current group, since the last gap
	)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isDigit(r) {
			break
		}
		units = append(units, unit{start: i, end: i + size, val: digitVal(r), gap: int8(gap), sep: sep})
		i += size
		sep, gap, group = 0, 0, group+1
		next, g, main := scanGap(s, i)
		if g == 0 {
			continue
		}
		if isComma(main) && (group < commaGroup || groupLen(s, next) < commaGroup) {
			break
		}
		sep, gap, group, i = main, g, 0, next
	}
	return units
}

// scanGap reads the separators at byte i up to the next digit. It returns
// the byte of that digit, the gap length in runes (0 when the gap is empty,
// too long or not followed by a digit) and its main separator.
func scanGap(s string, i int) (int, int, rune) {
	var main rune
	g := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isDigit(r) {
			return i, g, main
		}
		if !isSep(r) || g == maxGap {
			return i, 0, 0
		}
		if sepRank(r) > sepRank(main) {
			main = r
		}
		g++
		i += size
	}
	return i, 0, 0
}

// groupLen counts the adjacent digits from byte i, up to commaGroup.
func groupLen(s string, i int) int {
	n := 0
	for i < len(s) && n < commaGroup {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isDigit(r) {
			break
		}
		n++
		i += size
	}
	return n
}

// decide returns the units to mask (in order) and where scanning resumes.
func decide(s string, units []unit, end int) ([]unit, int) {
	if mask, next, ok := hkid(s, units, end); ok {
		return mask, next
	}
	n := len(units)
	switch {
	case n < minRun, isDate(units), isAmount(units):
		return nil, end
	}
	if k := phonePrefix(units); k > 0 {
		return units[k : n-keepPhone], end // keep the 852 country code
	}
	switch {
	case n == minRun:
		return units[:n-keepPhone], end
	case n <= accountMax || isDashedAccount(units):
		return units[:n-keepAccount], end
	case n <= cardMaxRun && luhnUnits(units):
		return units[:n-keepCard], end
	default:
		return units[:n-keepOther], end
	}
}

// phonePrefix returns how many leading units are an HK country code (852 or
// 00852) in front of an eight-digit subscriber number starting with 2-9,
// or 0.
func phonePrefix(units []unit) int {
	k := len(units) - minRun
	switch {
	case k == 3 && values(units[:3]) == 852:
	case k == 5 && values(units[:5]) == 852:
	default:
		return 0
	}
	if units[k].val < 2 {
		return 0
	}
	return k
}

// isDashedAccount spots an HK bank account written in dashed groups whose
// first group is three digits (a bank or branch code), as in
// 012-345678-001 or 004-123-456789-001. Card numbers are grouped in fours.
func isDashedAccount(units []unit) bool {
	if len(units) > dashedMax {
		return false
	}
	groups := 1
	for i, u := range units {
		if u.gap == 0 {
			continue
		}
		if !isDash(u.sep) || groups == 1 && i != 3 {
			return false
		}
		groups++
	}
	return groups >= 3
}

// isAmount spots a thousands-grouped amount such as 123,456,789 or
// 12,345,678.90: ASCII digits, single ASCII commas, a first group of one to
// three digits and then groups of three, at most amountMax digits. Such an
// amount never shows more than three digits in a row.
func isAmount(units []unit) bool {
	if len(units) > amountMax {
		return false
	}
	last, commas := -1, 0
	for i, u := range units {
		if u.end-u.start != 1 {
			return false // not an ASCII digit
		}
		if u.gap == 0 {
			continue
		}
		if u.gap != 1 || u.sep != ',' || last >= 0 && i-last != 3 || last < 0 && i > 3 {
			return false
		}
		last, commas = i, commas+1
	}
	return commas > 0 && len(units)-last == 3
}

// isDate spots 2026-03-05 and 05-03-2026: three groups split by single
// dashes whose values make a calendar date between 1900 and 2099.
func isDate(units []unit) bool {
	if len(units) != minRun {
		return false
	}
	var groups [3][]unit
	g, start := 0, 0
	for i := 1; i <= len(units); i++ {
		if i < len(units) && units[i].gap == 0 {
			continue
		}
		if g == 3 || (i < len(units) && (units[i].gap != 1 || !isDash(units[i].sep))) {
			return false
		}
		groups[g] = units[start:i]
		g, start = g+1, i
	}
	if g != 3 {
		return false
	}
	y, m, d := groups[0], groups[1], groups[2]
	if len(y) != 4 {
		y, d = d, y
	}
	return len(y) == 4 && len(m) <= 2 && len(d) <= 2 &&
		inRange(values(y), 1900, 2099) && inRange(values(m), 1, 12) && inRange(values(d), 1, 31)
}

// values reads units as a decimal number, or -1 when one is unknown.
func values(us []unit) int {
	v := 0
	for _, u := range us {
		if u.val < 0 || u.val > 9 {
			return -1
		}
		v = v*10 + int(u.val)
	}
	return v
}

func inRange(v, lo, hi int) bool { return v >= lo && v <= hi }

// noNdFrom and noNdTo bound the CJK blocks (radicals to Yi), where Unicode
// has no decimal digits: runes there skip the unicode.IsDigit table search.
const (
	noNdFrom = 0x2E80
	noNdTo   = 0xA620
)

func isDigit(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r >= '0' && r <= '9'
	case r >= noNdFrom && r < noNdTo:
		return chineseDigit(r) >= 0
	}
	return chineseDigit(r) >= 0 || unicode.IsDigit(r)
}

// digitVal is the value of a digit rune, or -1 when it is not one of the
// forms a Hong Kong caller or recogniser produces.
func digitVal(r rune) int8 {
	switch {
	case r >= '0' && r <= '9':
		return int8(r - '0')
	case r >= '０' && r <= '９':
		return int8(r - '０')
	}
	return chineseDigit(r)
}

// chineseDigit reads the numerals said digit by digit: 零 and 〇 for zero,
// 兩 for two and 幺 for one (as in a phone number read out).
func chineseDigit(r rune) int8 {
	switch r {
	case '零', '〇':
		return 0
	case '一', '幺':
		return 1
	case '二', '兩':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

func isSep(r rune) bool { return isSpace(r) || isDash(r) || isComma(r) }

func isSpace(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u3000' }

func isDash(r rune) bool {
	return r == '-' || r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '－'
}

// isComma covers the commas a recogniser writes where the caller paused.
func isComma(r rune) bool { return r == ',' || r == '，' || r == '、' }

// sepRank orders separators for a gap's main separator: comma, dash, space.
func sepRank(r rune) int {
	switch {
	case r == 0:
		return 0
	case isComma(r):
		return 3
	case isDash(r):
		return 2
	}
	return 1
}
