package redact

import (
	"unicode"
	"unicode/utf8"
)

// Masking thresholds. A run of digits is sensitive from minRun digits on.
const (
	minRun       = 8  // shorter runs are amounts, dates, times, last-4s
	keepPhone    = 2  // 8 digits: HK phone number
	keepAccount  = 3  // 9-12 digits: bank account
	keepCard     = 4  // 13+ digits: payment card (or long account)
	cardMinRun   = 13 // shortest payment card number
	hkPrefixRun  = 11 // 852 + 8-digit subscriber number
	hkidDigits   = 6  // digits after the HKID letters, before the check digit
	hkidRunCheck = 7  // six digits plus an unbracketed check digit
)

// unit is one digit of a run: its byte span, its value (-1 when unknown)
// and the separator rune that preceded it inside the run (0 when none).
type unit struct {
	start, end int
	val        int8
	sep        rune
}

// maskNumbers masks HKID numbers and long digit runs. Runs are maximal
// sequences of digits where neighbouring digits may be split by one
// separator (space, dash). '*' is not a digit, so already masked text
// splits into short runs and is left as it is.
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

// scanRun collects the digit run starting at byte i.
func scanRun(s string, i int, units []unit) []unit {
	var sep rune
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isDigit(r) {
			units = append(units, unit{start: i, end: i + size, val: digitVal(r), sep: sep})
			sep = 0
			i += size
			continue
		}
		if sep != 0 || !isSep(r) || i+size >= len(s) {
			break
		}
		if r2, _ := utf8.DecodeRuneInString(s[i+size:]); !isDigit(r2) {
			break
		}
		sep = r
		i += size
	}
	return units
}

// decide returns the units to mask (in order) and where scanning resumes.
func decide(s string, units []unit, end int) ([]unit, int) {
	if mask, next, ok := hkid(s, units, end); ok {
		return mask, next
	}
	n := len(units)
	switch {
	case n < minRun, isDate(units):
		return nil, end
	case n == hkPrefixRun && units[0].val == 8 && units[1].val == 5 && units[2].val == 2 &&
		units[3].val >= 2:
		return units[3 : n-keepPhone], end // keep the 852 country code
	case n == minRun:
		return units[:n-keepPhone], end
	case n < cardMinRun:
		return units[:n-keepAccount], end
	default:
		return units[:n-keepCard], end
	}
}

// isDate spots 2026-03-05 and 05-03-2026: three dash-separated groups whose
// values make a calendar date between 1900 and 2099.
func isDate(units []unit) bool {
	if len(units) != minRun {
		return false
	}
	var groups [3][]unit
	g, start := 0, 0
	for i := 1; i <= len(units); i++ {
		if i < len(units) && units[i].sep == 0 {
			continue
		}
		if g == 3 || (i < len(units) && !isDash(units[i].sep)) {
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
		inRange(number(y), 1900, 2099) && inRange(number(m), 1, 12) && inRange(number(d), 1, 31)
}

func number(us []unit) int {
	v := 0
	for _, u := range us {
		if u.val < 0 {
			return -1
		}
		v = v*10 + int(u.val)
	}
	return v
}

func inRange(v, lo, hi int) bool { return v >= lo && v <= hi }

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
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

func chineseDigit(r rune) int8 {
	switch r {
	case '零', '〇':
		return 0
	case '一':
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

func isSep(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u3000' || isDash(r)
}

func isDash(r rune) bool {
	return r == '-' || r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '－'
}
