package normalise

import "unicode/utf8"

// currencyWord is a word that makes a number money, with its currency.
type currencyWord struct{ w, cur string }

// dollarWords follow a number (三千蚊, 一千美金). Longer words come first.
var dollarWords = []currencyWord{
	{"人民幣", "CNY"}, {"蚊雞", "HKD"}, {"塊錢", "HKD"}, {"港元", "HKD"}, {"港幣", "HKD"},
	{"港紙", "HKD"}, {"美金", "USD"}, {"美元", "USD"}, {"蚊", "HKD"}, {"元", "HKD"},
	{"塊", "HKD"}, {"圓", "HKD"}, {"文", "HKD"},
}

// dollarWordList is dollarWords without the currencies, for hasAny.
var dollarWordList = func() []string {
	ws := make([]string, len(dollarWords))
	for i, d := range dollarWords {
		ws[i] = d.w
	}
	return ws
}()

// currencyPrefixes come before a number (HK$3,500, 港幣三千).
var currencyPrefixes = []currencyWord{
	{"HK$", "HKD"}, {"HKD", "HKD"}, {"US$", "USD"}, {"USD", "USD"}, {"RMB", "CNY"},
	{"CNY", "CNY"}, {"$", "HKD"}, {"港幣", "HKD"}, {"港元", "HKD"}, {"港紙", "HKD"},
	{"美金", "USD"}, {"美元", "USD"}, {"人民幣", "CNY"},
}

// slangUnit is a Hong Kong slang money unit after a number; not lists the
// characters after it that make a different word (球場, 皮膚).
type slangUnit struct {
	w   string
	pow int
	not string
}

var slangUnits = []slangUnit{
	{"嚿水", 2, ""}, {"舊水", 2, ""},
	{"球", 6, "場賽隊員衣鞋拍迷星證會季門"},
	{"皮", 4, "膚鞋包革草帶蛋箱衣球具費"},
	{"撇", 3, "鬚除開低甩"},
}

// bareSlang are slang amounts said without a number (借嚿水 = $100).
var bareSlang = []string{"嚿水", "舊水"}

// timeNouns after 三個半 make it a count (三個半月, 個半鐘), not $3.50.
var timeNouns = []string{"鐘", "小時", "月", "星期", "禮拜", "年", "日", "學期", "字", "人"}

// currencyPrefixed reads an amount after a currency prefix: HK$3,500,
// US$20, 港幣三千五百蚊.
func (sc *scanner) currencyPrefixed(i int) (Value, int, bool) {
	for _, c := range currencyPrefixes {
		if !sc.has(i, c.w) || isLetter(rune(c.w[0])) && isLetter(sc.at(i-1)) {
			continue
		}
		k := i + utf8.RuneCountInString(c.w)
		if sc.at(k) == ' ' {
			k++
		}
		if !isNumStart(sc.at(k)) {
			return Value{}, i, false
		}
		q, ok := sc.readQty(k)
		if !ok || len(q.digits) > 15 {
			return Value{}, i, false
		}
		val, end := q.val, q.end
		if n := sc.hasAny(end, dollarWordList); n > 0 {
			c, e := sc.cents(end + n)
			if v, ok := val.add(c); ok {
				val, end = v, e
			}
		}
		return sc.amount(i, end, val, c.cur, q.approx), end, true
	}
	return Value{}, i, false
}

// amount builds an Amount over runes [i, j).
func (sc *scanner) amount(i, j int, val dec, cur string, approx bool) Value {
	v := sc.value(Amount, i, j)
	v.setNum(val)
	v.Currency = cur
	v.Approx = approx
	return v
}

// moneyAfter reads an amount from the words after a quantity: dollars and
// cents (三蚊五, 十蚊八毫, 五毫子, 五仙), slang units (五球, 兩皮, 一撇,
// 一嚿水) and X個Y (三個半 = 3.50, 三個二 = 3.20).
func (sc *scanner) moneyAfter(q qty) (Value, int, bool) {
	if len(q.digits) > 15 {
		return Value{}, 0, false
	}
	j := q.end
	for _, d := range dollarWords {
		if sc.has(j, d.w) && !(d.w == "塊" && sc.pieceOf(q.start, j+1)) {
			c, end := sc.cents(j + utf8.RuneCountInString(d.w))
			val, ok := q.val.add(c)
			if !ok {
				return Value{}, 0, false
			}
			return sc.amount(q.start, end, val, d.cur, q.approx), end, true
		}
	}
	switch r := sc.at(j); {
	case r == '毫' && !sc.has(j+1, "升") && !sc.has(j+1, "米") && !sc.has(j+1, "克"):
		end := j + 1
		if sc.at(end) == '子' {
			end++
		}
		c, e := sc.subCents(end)
		val, _ := q.val.shift(-1)
		if v, ok := val.add(c); ok {
			return sc.amount(q.start, e, v, "HKD", q.approx), e, true
		}
	case r == '仙':
		val, _ := q.val.shift(-2)
		return sc.amount(q.start, j+1, val, "HKD", q.approx), j + 1, true
	}
	if v, e, ok := sc.slang(q); ok {
		return v, e, true
	}
	return sc.dollarsAndDimes(q)
}

// cents reads what may follow a dollar word: Y毫 [Z仙], Y仙, an elided 毫
// (三蚊五 = 3.50), 零Y (十蚊零五 = 10.05) or 半 (三蚊半 = 3.50).
func (sc *scanner) cents(k int) (dec, int) {
	if sc.at(k) == '半' {
		return dec{m: 5, scale: 1}, k + 1
	}
	z := 0
	if r := sc.at(k); r == '零' || r == '〇' {
		z = 1
	}
	d, ok := smallDigit(sc, k+z)
	if !ok {
		return dec{}, k
	}
	j := k + z + 1
	switch {
	case sc.at(j) == '毫':
		j++
		if sc.at(j) == '子' {
			j++
		}
		c, e := sc.subCents(j)
		v, _ := dec{m: int64(d), scale: 1}.add(c)
		return v, e
	case sc.at(j) == '仙':
		return dec{m: int64(d), scale: 2}, j + 1
	case sc.elidedOK(j):
		return dec{m: int64(d), scale: uint8(1 + z)}.norm(), j
	}
	return dec{}, k
}

// subCents reads what may follow 毫: Z仙, an elided 仙 (五毫二) or 半.
func (sc *scanner) subCents(k int) (dec, int) {
	if sc.at(k) == '半' {
		return dec{m: 5, scale: 2}, k + 1
	}
	d, ok := smallDigit(sc, k)
	if !ok {
		return dec{}, k
	}
	if sc.at(k+1) == '仙' {
		return dec{m: int64(d), scale: 2}, k + 2
	}
	if sc.elidedOK(k + 1) {
		return dec{m: int64(d), scale: 2}, k + 1
	}
	return dec{}, k
}

// smallDigit reads a digit 1–9 standing alone at k.
func smallDigit(sc *scanner, k int) (int, bool) {
	r := sc.at(k)
	if isDigit(r) && isDigit(sc.at(k+1)) || r == '幺' {
		return 0, false
	}
	d, ok := anyDigit(r)
	return d, ok && d > 0
}

// elidedOK reports whether a lone digit ending before rune index j can be a
// digit with its unit elided: it must not run on into another number, a
// measure word (十二蚊一個) or a money word.
func (sc *scanner) elidedOK(j int) bool {
	r := sc.at(j)
	if isNumStart(r) || r == '點' || r == '.' || r == ',' || r == '幾' || r == '半' || r == '%' {
		return false
	}
	return !isLetter(r) && !isDigit(r) && !isNounStart(r) && sc.hasAny(j, measureWords) == 0 &&
		sc.hasAny(j, dollarWordList) == 0
}

// slang reads slang units: 五球 = 5,000,000, 兩皮 = 20,000 (五皮嘢 = $5),
// 一撇 = 1,000, 一嚿水 = 100, with an elided digit or 半 after (三皮五 =
// 35,000, 一球半 = 1,500,000).
func (sc *scanner) slang(q qty) (Value, int, bool) {
	if q.digits != "" && !q.plain {
		return Value{}, 0, false
	}
	j := q.end
	for _, u := range slangUnits {
		if !sc.has(j, u.w) {
			continue
		}
		end := j + utf8.RuneCountInString(u.w)
		if containsRune(u.not, sc.at(end)) {
			return Value{}, 0, false
		}
		pow := u.pow
		switch {
		case u.w == "球" && sc.scored(q.start):
			return Value{}, 0, false
		case u.w == "皮" && (sc.at(end) == '嘢' || !q.val.isInt() || q.val.m >= 20):
			pow = 0 // 五皮嘢, 幾廿皮: dollars, small change
		}
		val, ok := q.val.shift(pow)
		if !ok {
			return Value{}, 0, false
		}
		if tail, e := sc.slangTail(end, pow); e > end {
			if v, ok := val.add(tail); ok {
				val, end = v, e
			}
		}
		if sc.at(end) == '嘢' {
			end++
		}
		return sc.amount(q.start, end, val, "HKD", q.approx), end, true
	}
	return Value{}, 0, false
}

// scored reports whether a verb of football comes just before rune index
// i (入咗一球, 贏兩球), so that 球 is a goal, not a million.
func (sc *scanner) scored(i int) bool {
	for k := i - 1; k >= i-3 && k >= 0; k-- {
		if containsRune("入贏輸射踢頂", sc.rs[k]) {
			return true
		}
		if !containsRune("咗多返佢咗", sc.rs[k]) {
			return false
		}
	}
	return false
}

// slangTail reads 半 or an elided digit after a slang unit of power pow.
func (sc *scanner) slangTail(k, pow int) (dec, int) {
	if pow < 1 {
		return dec{}, k
	}
	if sc.at(k) == '半' {
		v, _ := decInt(5).shift(pow - 1)
		return v, k + 1
	}
	if d, ok := smallDigit(sc, k); ok && !isDigit(sc.at(k)) && sc.elidedOK(k+1) {
		v, _ := decInt(int64(d)).shift(pow - 1)
		return v, k + 1
	}
	return dec{}, k
}

// dollarsAndDimes reads X個Y: 三個半 = 3.50, 三個二 = 3.20, 三個幾 ≈ 3. Before
// a time noun 三個半 is a count (三個半月 = 3.5).
func (sc *scanner) dollarsAndDimes(q qty) (Value, int, bool) {
	j := q.end
	if sc.at(j) != '個' || q.digits != "" || q.approx || q.bare || !q.val.isInt() || q.val.m > 9999 {
		return Value{}, 0, false
	}
	end := j + 2
	switch r := sc.at(j + 1); r {
	case '半':
		val, _ := q.val.add(dec{m: 5, scale: 1})
		if sc.hasAny(end, timeNouns) > 0 {
			v := sc.value(Number, q.start, end)
			v.setNum(val)
			return v, end, true
		}
		return sc.amount(q.start, end, val, "HKD", false), end, true
	case '幾':
		if !sc.elidedOK(end) {
			return Value{}, 0, false
		}
		return sc.amount(q.start, end, q.val, "HKD", true), end, true
	case '兩', '幺', '零', '〇':
		return Value{}, 0, false
	default:
		d, ok := cnDigit(r)
		if !ok || !sc.elidedOK(end) || sc.hasAny(end, timeNouns) > 0 {
			return Value{}, 0, false
		}
		val, _ := q.val.add(dec{m: int64(d), scale: 1})
		return sc.amount(q.start, end, val, "HKD", false), end, true
	}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// pieceOf reports whether 塊 before rune index k, after a quantity starting
// at rune index start, is a classifier (一塊橙皮, 一塊一塊) rather than
// dollars (三塊, 三塊錢, 三塊五).
func (sc *scanner) pieceOf(start, k int) bool {
	r := sc.at(k)
	switch {
	case sc.at(start-1) == '塊':
		return true
	case r == '錢' || r == '半':
		return false
	case isNumeralRune(r) || isDigit(r):
		return sc.at(k+1) == '塊'
	}
	return isNounStart(r)
}

// isNounStart reports whether r is a Han character that may start a noun:
// not punctuation and not a sentence particle.
func isNounStart(r rune) bool {
	return r >= 0x3400 && !containsRune(particles, r) && isCJK(r) && !isPunctRune(r)
}

// particles are sentence particles and light words that may follow a money
// word without making it a classifier.
const particles = "啦喇嘞呀啊囉囖㗎嘛咩吖喎咋啫嘅咁噉之左右度都就咋啩噃呢嗎吓先"

// isPunctRune reports whether r is CJK punctuation.
func isPunctRune(r rune) bool { return r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFF65 }
