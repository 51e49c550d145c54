package normalise

import "strings"

// Kind says what a Value is.
type Kind uint8

// Kinds of Value.
const (
	// Number is a plain quantity: 三千五, 十二, 3,500, 1.5萬, 四五 (a range).
	Number Kind = iota + 1
	// Amount is money, in dollars (or the currency named): 三千五蚊, HK$3,500,
	// 三個半, 五毫, 五球, 嚿水.
	Amount
	// Percent is a percentage, in percent: 百分之三, 2.5%, 二點五厘, 七成.
	Percent
	// Digits is a digit string said one by one that is not a phone number:
	// 一零八, 九七, an account number, or a phone number still being read.
	Digits
	// Phone is a Hong Kong phone number: eight digits starting 2–9, with or
	// without +852 / 八五二, or a toll-free 800 number.
	Phone
	// HKID is a Hong Kong identity card number: one or two letters, six
	// digits and a check digit.
	HKID
)

var kindNames = [...]string{"invalid", "number", "amount", "percent", "digits", "phone", "hkid"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return kindNames[0]
}

// Value is a number, amount, percentage, digit string, phone number or HKID
// found in text.
type Value struct {
	Kind  Kind
	Text  string // the span as written, Text == s[Start:End]
	Start int    // byte offset of the span in the string given to Values
	End   int    // byte offset after the span
	// Number is the value of a Number, an Amount (in dollars, 三個半 = 3.5)
	// or a Percent (in percent, 二點五厘 = 2.5); 0 for the other kinds.
	Number float64
	// Decimal is Number written exactly ("3500", "3.5", "0.05").
	Decimal string
	// Digits holds the digits of Digits and Phone (the eight-digit national
	// number, without 852), and an HKID as letters, six digits and the check
	// digit ("A1234563"), letters upper-case.
	Digits string
	// Currency is the ISO code of an Amount: HKD unless the text says
	// US$/美金 (USD) or 人民幣/RMB (CNY).
	Currency string
	// Approx marks a Number, Amount or Percent said as a range or with 幾
	// (十幾萬, 五千幾蚊, 四五日): Number is its lower bound.
	Approx bool
	// Valid is false for an HKID whose check digit is missing or wrong, and
	// true for everything else.
	Valid bool
}

// Values finds the numbers, amounts, percentages, digit strings, phone
// numbers and HKIDs in s, the way Hong Kong callers say and recognisers write
// them (Chinese numerals, Arabic digits or a mix such as 3千5). Offsets index
// s itself; s is usually the output of Text, but full-width digits and
// Simplified numerals (万, 两, 块) are understood too. Values never panics
// and returns nil when s holds no value.
func Values(s string) []Value {
	if !mayHoldValues(s) {
		return nil
	}
	sc := newScanner(s)
	var out []Value
	for i := 0; i < len(sc.rs); {
		v, next, ok := sc.valueAt(i, true)
		if ok {
			out = append(out, v)
		}
		i = max(next, i+1)
	}
	return out
}

// ParseNumber parses s, with surrounding space, as one number: a Chinese,
// Arabic or mixed numeral (三千五, 兩萬三, 3千5, 3,500), a digit string, an
// amount (HK$3,500, 三個半 → 3.5) or a percentage (二點五厘 → 2.5). Bare
// units count (百 → 100). It reports false if s holds anything else.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !mayHoldValues(s) {
		return 0, false
	}
	sc := newScanner(s)
	v, end, ok := sc.valueAt(0, false)
	if !ok || end != len(sc.rs) {
		return 0, false
	}
	switch v.Kind {
	case Number, Amount, Percent:
		return v.Number, true
	case Digits, Phone:
		if d, ok := parseDigits(v.Digits); ok && len(v.Digits) <= 15 {
			return d.Float64(), true
		}
	}
	return 0, false
}

// valueAt reads the value starting at rune index i. It returns where to go
// on (past a value or a skipped word) and whether it found one. With filter
// set, spans that are rarely quantities are skipped: numeral idioms (一定,
// 八達通), bare units (百貨, 十分) and digits glued to Latin letters (mp3).
func (sc *scanner) valueAt(i int, filter bool) (Value, int, bool) {
	r := sc.rs[i]
	if mayPrefix(r) {
		if v, j, ok := sc.prefixed(i); ok {
			return v, j, true
		}
	}
	if isLetter(r) {
		if v, j, ok := sc.hkid(i); ok {
			return v, j, true
		}
		j := i
		for isLetter(sc.at(j)) || isDigit(sc.at(j)) {
			j++
		}
		return Value{}, j, false
	}
	if r == '+' && isDigit(sc.at(i+1)) {
		return sc.plusPhone(i)
	}
	if n := sc.hasAny(i, bareSlang); n > 0 {
		v := sc.value(Amount, i, i+n)
		v.setNum(decInt(100))
		v.Currency = "HKD"
		return v, i + n, true
	}
	if r == '幾' {
		return sc.several(i, filter)
	}
	if !isNumStart(r) {
		return Value{}, i + 1, false
	}
	if filter {
		if j := sc.stopWord(i); j > i {
			return Value{}, j, false
		}
	}
	q, ok := sc.readQty(i)
	if !ok {
		return Value{}, i + 1, false
	}
	return sc.classify(q, filter)
}

// several reads 幾 before a unit (幾百蚊, 幾千人, 幾十萬): a few of that
// unit, approximate, with the unit as lower bound.
func (sc *scanner) several(i int, filter bool) (Value, int, bool) {
	if _, ok := unitPow(sc.at(i + 1)); !ok {
		if _, ok := tensChar(sc.at(i + 1)); !ok {
			return Value{}, i + 1, false
		}
	}
	q, ok := sc.readQty(i + 1)
	if !ok || q.digits != "" {
		return Value{}, i + 1, false
	}
	q.start, q.approx, q.bare = i, true, false
	return sc.classify(q, filter)
}

// mayPrefix reports whether r can start 百分之, 百分百 or a currency prefix.
func mayPrefix(r rune) bool {
	switch lower(r) {
	case '百', 'h', 'u', 'r', 'c', '$', '港', '美', '人':
		return true
	}
	return false
}

// isNumStart reports whether a quantity may start with r.
func isNumStart(r rune) bool { return isDigit(r) || isNumeralRune(r) }

// prefixed reads values introduced by a word before the number: 百分之,
// 百分百 and currency prefixes (HK$, 港幣, 美金).
func (sc *scanner) prefixed(i int) (Value, int, bool) {
	if sc.has(i, "百分百") {
		v := sc.value(Percent, i, i+3)
		v.setNum(decInt(100))
		return v, i + 3, true
	}
	if sc.has(i, "百分之") {
		q, ok := sc.readQty(i + 3)
		if !ok || q.bare || q.digits != "" && len(q.digits) > 3 {
			return Value{}, i, false
		}
		v := sc.value(Percent, i, q.end)
		v.setNum(q.val)
		v.Approx = q.approx
		return v, q.end, true
	}
	return sc.currencyPrefixed(i)
}

// classify turns a quantity into a Value from what follows it.
func (sc *scanner) classify(q qty, filter bool) (Value, int, bool) {
	if v, j, ok := sc.percentAfter(q); ok {
		return v, j, true
	}
	if v, j, ok := sc.moneyAfter(q); ok {
		return v, j, true
	}
	if q.digits != "" && (!q.plain || len(q.digits) >= 8 || q.digits[0] == '0' && len(q.digits) > 1) {
		return sc.digitValue(q), q.end, true
	}
	if filter && q.bare && !sc.countedBare(q) {
		return Value{}, q.end, false
	}
	v := sc.value(Number, q.start, q.end)
	v.setNum(q.val)
	v.Approx = q.approx
	return v, q.end, true
}

// value starts a Value of kind k over runes [i, j).
func (sc *scanner) value(k Kind, i, j int) Value {
	return Value{Kind: k, Text: sc.text(i, j), Start: sc.off[i], End: sc.off[j], Valid: true}
}

func (v *Value) setNum(d dec) {
	v.Number = d.Float64()
	v.Decimal = d.String()
}

// countedBare reports whether a bare unit (十, 百, 萬 without a digit) is
// used as a number: after 第, or before a measure word (十個, 百幾個).
func (sc *scanner) countedBare(q qty) bool {
	return sc.at(q.start-1) == '第' || sc.hasAny(q.end, measureWords) > 0
}

// stopWord returns the rune index after a numeral idiom that covers i (一定,
// 統一, 八達通), or i if there is none. An idiom followed by a measure or
// money word is not skipped (萬一蚊 is an amount).
func (sc *scanner) stopWord(i int) int {
	for _, w := range stopWords[sc.rs[i]] {
		start := i - w.at
		if !sc.has(start, w.word) {
			continue
		}
		end := start + w.n
		if sc.hasAny(end, dollarWordList) > 0 || sc.has(end, "鐘") {
			continue
		}
		return end
	}
	return i
}

type stopWord struct {
	word string
	at   int // rune index of the first numeral in word
	n    int // length in runes
}

// stopWords indexes numeral idioms by their first numeral character.
var stopWords = func() map[rune][]stopWord {
	m := make(map[rune][]stopWord)
	for _, w := range numeralIdioms {
		rs := []rune(w)
		for at, r := range rs {
			if isNumeralRune(r) {
				m[r] = append(m[r], stopWord{word: w, at: at, n: len(rs)})
				break
			}
		}
	}
	return m
}()

// numeralIdioms are words whose numeral characters are not quantities.
var numeralIdioms = []string{
	"一定", "一齊", "一樣", "一啲", "一下", "一吓", "一係", "一直", "一般", "一切",
	"一起", "一向", "一早", "一路", "一陣", "一於", "一味", "一旦", "一致", "一律",
	"一再", "一同", "一時", "一心", "一生", "一世", "一流", "一身", "一面", "一邊",
	"一眼", "一概", "一貫", "一連", "一田", "統一", "唯一", "萬一", "劃一", "單一",
	"一五一十", "七七八八", "三三兩兩", "一清二楚", "亂七八糟", "九唔搭八", "不三不四",
	"三心兩意", "五顏六色", "四面八方", "十全十美", "千奇百怪", "千方百計", "萬二分",
	"三文治", "三文魚", "九龍", "九巴", "九鐵", "八達通", "八卦", "六合彩", "五金",
	"四圍", "四周", "四處", "四方", "七彩", "二手", "十字", "十足", "萬分",
	"有一撇", "無一撇", "冇一撇", "一元復始", "八仙", "大三元", "一文不值",
}

// measureWords are classifiers and units that make the number before them a
// count (十個, 兩張, 百幾人), and that end an elided unit (十二蚊一個).
var measureWords = []string{
	"分鐘", "鐘頭", "小時", "星期", "禮拜", "個", "張", "隻", "本", "份", "次", "件",
	"杯", "碗", "粒", "支", "條", "架", "間", "部", "位", "種", "對", "套", "盒",
	"包", "樽", "罐", "磅", "斤", "日", "年", "月", "號", "點", "秒", "歲", "人",
	"倍", "層", "樓", "頁", "款", "項", "筆", "單", "程", "站", "碼", "鐘", "蚊",
	"元", "塊", "毫", "仙", "戶", "輛", "餐", "堂", "晚", "週", "周",
}
