package normalise

import "strings"

// qty is a quantity read at some position: a numeral (三千五, 3千5, 3,500,
// 二點五, 十幾萬) or a digit string said one digit at a time (九一二三…).
type qty struct {
	val    dec
	approx bool   // 幾, or a range such as 五六十: val is the lower bound
	digits string // the digits of a digit string; "" for a numeral
	plain  bool   // one ASCII digit run without comma or point (may be a code)
	bare   bool   // units only (百, 萬): a number only where context says so
	start  int    // rune index
	end    int    // rune index after the last rune read
}

// maxDigitString bounds how many digits a digit string collects.
const maxDigitString = 32

// readQty reads the longest quantity at rune index i.
func (sc *scanner) readQty(i int) (qty, bool) {
	r := sc.at(i)
	if isDigit(r) {
		return sc.readFromASCII(i)
	}
	if r == '幺' || r == '〇' {
		return sc.readDigitString(i)
	}
	n := sc.digitRun(i)
	if n >= 3 || n == 2 && codePair(sc.at(i), sc.at(i+1)) {
		return sc.readDigitString(i)
	}
	if r == '零' && n == 2 {
		return sc.readNumeral(i + 1) // 三年零七個月: 零 joins, it is not a digit
	}
	return sc.readNumeral(i)
}

// readFromASCII reads a quantity that starts with an ASCII digit: a group
// (3,500 or 3.5) alone, a numeral mixing it with Chinese units (3千5, 1.5萬),
// or a digit string (9123 4567, 9123四五六七).
func (sc *scanner) readFromASCII(i int) (qty, bool) {
	j, plain := sc.asciiGroup(i)
	next := sc.at(j)
	if _, ok := unitPow(next); ok {
		return sc.readNumeral(i)
	}
	if plain {
		_, cn := cnDigit(next)
		if cn && next != '兩' || isSep(next) && j-i >= 3 && sc.groupLen(j+1) >= 3 {
			return sc.readDigitString(i)
		}
	}
	v, ok := parseDigits(string(sc.rs[i:j]))
	if !ok {
		if plain {
			return sc.readDigitString(i)
		}
		return qty{}, false
	}
	q := qty{val: v, plain: plain, start: i, end: j}
	if plain {
		q.digits = string(sc.rs[i:j])
	}
	return q, true
}

// asciiGroup returns the end of the ASCII numeral at i: digits, thousands
// groups (",500") and one decimal part. plain is false if it used either.
func (sc *scanner) asciiGroup(i int) (end int, plain bool) {
	j := i
	for isDigit(sc.at(j)) {
		j++
	}
	plain = true
	for sc.at(j) == ',' && sc.groupLen3(j+1) {
		j += 4
		plain = false
	}
	if sc.at(j) == '.' && isDigit(sc.at(j+1)) {
		j++
		for isDigit(sc.at(j)) {
			j++
		}
		plain = false
	}
	return j, plain
}

// groupLen3 reports whether exactly three ASCII digits start at i.
func (sc *scanner) groupLen3(i int) bool {
	return isDigit(sc.at(i)) && isDigit(sc.at(i+1)) && isDigit(sc.at(i+2)) && !isDigit(sc.at(i+3))
}

// digitRun counts the Chinese and ASCII digits in a row from i.
func (sc *scanner) digitRun(i int) int {
	n := 0
	for {
		if _, ok := anyDigit(sc.at(i + n)); !ok {
			return n
		}
		n++
	}
}

// groupLen counts the digits of a digit-string group at i.
func (sc *scanner) groupLen(i int) int { return sc.digitRun(i) }

// codePair reports whether two Chinese digits on their own are a code (九七,
// 八三): not a range (四五), not 兩 as a count (八兩金), not 一一, and not
// 零 joining a number to what came before (三年零七個月).
func codePair(a, b rune) bool {
	return !approxPair(a, b) && a != '兩' && b != '兩' && a != b && a != '零'
}

// approxPair reports whether two Chinese digits name a range (四五日,
// 五六十萬, 一兩個, 兩三) rather than two digits of a code.
func approxPair(a, b rune) bool {
	switch string([]rune{a, b}) {
	case "一兩", "兩三", "三兩":
		return true
	}
	if a == '兩' || b == '兩' || a == '幺' || b == '幺' || isDigit(a) || isDigit(b) {
		return false
	}
	da, ok1 := cnDigit(a)
	db, ok2 := cnDigit(b)
	return ok1 && ok2 && da >= 1 && db == da+1
}

// readDigitString reads digits said one by one: Chinese (with 幺 = 1,
// 零/〇 = 0, a stray 兩 = 2) or ASCII, in groups of three or more that a
// space, hyphen or comma may separate.
func (sc *scanner) readDigitString(i int) (qty, bool) {
	var b strings.Builder
	k, group := i, 0
	for b.Len() < maxDigitString {
		if d, ok := anyDigit(sc.at(k)); ok {
			b.WriteByte(byte('0' + d))
			group++
			k++
			continue
		}
		if isSep(sc.at(k)) && group >= 3 && sc.groupLen(k+1) >= 3 {
			group = 0
			k++
			continue
		}
		break
	}
	if k == i {
		return qty{}, false
	}
	digits := b.String()
	q := qty{digits: digits, start: i, end: k}
	if v, ok := parseDigits(digits); ok {
		q.val = v
	}
	return q, true
}
