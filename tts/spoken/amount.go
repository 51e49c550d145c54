package spoken

type currency int

const (
	currencyNone currency = iota
	currencyHKD
	currencyUSD
)

// number speaks what starts at c.i: a '$' amount, a "+852" phone number, a
// time, a date, a phone/card/account number or a plain numeral. It returns
// false, consuming nothing, when c.i holds a '$' or '+' that starts none.
func (c *conv) number() bool {
	i := c.i
	switch {
	case c.in[i] == '+':
		return c.phone852()
	case c.english:
		return c.englishNumber()
	case c.in[i] == '$':
		j := i + 1
		if j < len(c.in) && c.in[j] == ' ' {
			j++
		}
		if j >= len(c.in) || !isDigit(c.in[j]) {
			return false
		}
		c.i = j
		c.numeral(currencyHKD, i)
		return true
	}
	if c.time() || c.date() || c.digitGroups() || c.longDigits() {
		return true
	}
	c.numeral(currencyNone, i)
	return true
}

// englishNumber reads identifiers at c.i digit by digit and copies any
// other number as written, for the English voice.
func (c *conv) englishNumber() bool {
	if c.in[c.i] == '$' {
		return false
	}
	if c.digitGroups() || c.longDigits() {
		return true
	}
	j := digitsEnd(c.in, c.i)
	c.out = append(c.out, string(c.in[c.i:j])...)
	c.i = j
	return true
}

// numeral speaks a number at c.i (digits, optional thousands commas and
// decimals) with what follows it: %, an amount unit, 年, 日/號 after a month,
// a measure word, or a range dash. start is where a prefix such as "HK$"
// began, so that a number glued to Latin letters ("5G") is kept as written.
func (c *conv) numeral(cur currency, start int) {
	whole, commas, j := scanWhole(c.in, c.i)
	frac := ""
	if j+1 < len(c.in) && c.in[j] == '.' && isDigit(c.in[j+1]) {
		k := digitsEnd(c.in, j+1)
		frac, j = string(c.in[j+1:k]), k
	}
	if j < len(c.in) && isLatin(c.in[j]) {
		end := alnumEnd(c.in, j)
		c.out = append(c.out, string(c.in[start:end])...)
		c.i = end
		return
	}
	next := rune(0)
	if j < len(c.in) {
		next = c.in[j]
	}
	c.i = j
	switch {
	case next == '%':
		c.percent(whole, frac)
		c.i++
	case cur != currencyNone || c.amountUnitAt(j):
		c.amount(cur, whole, frac)
	case next == '年' && len(whole) == 4 && !commas && frac == "":
		c.out = appendDigits(c.out, whole)
	case (next == '日' || next == '號') && frac == "" && hasSuffix(c.out, "月") && len(whole) <= 2:
		c.out = appendCardinal(c.out, whole)
		c.out = append(c.out, "號"...)
		c.i++
	case next == ':' && frac == "" && j+1 < len(c.in) && isDigit(c.in[j+1]):
		c.out = appendNumber(c.out, whole, "")
		c.out = append(c.out, "比"...)
		c.i++
	case frac == "" && !hasSuffix(c.out, "第") && (c.measureAt(j) || (next == ' ' && c.measureAt(j+1))):
		c.out = appendCount(c.out, whole, "")
	default:
		c.out = appendNumber(c.out, whole, frac)
	}
	c.rangeDash("至")
}

// rangeDash turns a dash or tilde between two numbers into word ("至").
func (c *conv) rangeDash(word string) {
	j := c.i
	if j+1 < len(c.in) && (c.in[j] == '-' || c.in[j] == '~' || c.in[j] == '–' || c.in[j] == '～') &&
		(isDigit(c.in[j+1]) || c.in[j+1] == '$') {
		c.out = append(c.out, word...)
		c.i++
	}
}

// scanWhole reads the integer part at i: digits, or 1–3 digits followed by
// groups of ",ddd". It returns the digits, whether commas were used, and
// the end.
func scanWhole(in []rune, i int) (string, bool, int) {
	j := digitsEnd(in, i)
	ds := []rune(nil)
	commas := false
	if j-i <= 3 {
		for j+3 < len(in) && in[j] == ',' && isDigit(in[j+1]) && isDigit(in[j+2]) && isDigit(in[j+3]) &&
			(j+4 == len(in) || !isDigit(in[j+4])) {
			if ds == nil {
				ds = append(ds, in[i:j]...)
			}
			ds = append(ds, in[j+1:j+4]...)
			j += 4
			commas = true
		}
	}
	if !commas {
		return string(in[i:j]), false, j
	}
	return string(ds), true, j
}

func digitsEnd(in []rune, i int) int {
	for i < len(in) && isDigit(in[i]) {
		i++
	}
	return i
}

// amountUnitAt reports whether an amount unit follows at j: 元, 蚊 or 港元,
// optionally after 萬, 億, 千 or 百 (3萬元).
func (c *conv) amountUnitAt(j int) bool {
	if j < len(c.in) && isBigUnit(c.in[j]) {
		j++
	}
	return hkdSuffixLen(c.in, j) > 0
}

func isBigUnit(r rune) bool { return r == '萬' || r == '億' || r == '千' || r == '百' }

// hkdSuffixLen is the length of 元, 蚊, 港元 or 港幣 at j, else 0.
func hkdSuffixLen(in []rune, j int) int {
	switch {
	case j >= len(in):
		return 0
	case in[j] == '元' || in[j] == '蚊':
		return 1
	case in[j] == '港' && j+1 < len(in) && (in[j+1] == '元' || in[j+1] == '幣'):
		return 2
	}
	return 0
}

// usdSuffixLen is the length of 美元 or 美金 at j, else 0.
func usdSuffixLen(in []rune, j int) int {
	if j+1 < len(in) && in[j] == '美' && (in[j+1] == '元' || in[j+1] == '金') {
		return 2
	}
	return 0
}

// amount speaks a sum of money at c.i's number, consuming a following big
// unit and currency word.
func (c *conv) amount(cur currency, whole, frac string) {
	unit := ""
	if c.i < len(c.in) && isBigUnit(c.in[c.i]) {
		unit = string(c.in[c.i])
		c.i++
	}
	word := "蚊"
	if cur == currencyUSD {
		word = "美金"
		c.i += usdSuffixLen(c.in, c.i)
	} else {
		c.i += hkdSuffixLen(c.in, c.i)
	}
	switch {
	case unit != "":
		c.out = appendCount(c.out, whole, frac)
		c.out = append(c.out, unit...)
		c.out = append(c.out, word...)
	case cur == currencyUSD:
		c.out = appendCount(c.out, trimZeros(whole), trimTrailingZeros(frac))
		c.out = append(c.out, word...)
	default:
		c.out = appendHKD(c.out, trimZeros(whole), frac)
	}
}

// appendHKD says dollars and cents the Hong Kong way: 三千五百蚊, 三個半
// ($3.50), 三個二 ($3.20), 五毫 ($0.50), 十二蚊零五仙 ($12.05).
func appendHKD(out []byte, dollars, frac string) []byte {
	if len(frac) > 2 {
		out = appendNumber(out, dollars, frac)
		return append(out, "蚊"...)
	}
	cents := (frac + "00")[:2]
	y, z := int(cents[0]-'0'), int(cents[1]-'0')
	switch {
	case y == 0 && z == 0:
		out = appendCount(out, dollars, "")
		return append(out, "蚊"...)
	case dollars == "0" && z == 0:
		out = appendLiang(out, y)
		return append(out, "毫"...)
	case dollars == "0" && y == 0:
		out = append(out, digitHan[z]...)
		return append(out, "仙"...)
	case dollars == "0":
		out = appendCardinal(out, cents)
		return append(out, "仙"...)
	case z == 0 && len(dollars) <= 2:
		out = appendCount(out, dollars, "")
		out = append(out, "個"...)
		if y == 5 {
			return append(out, "半"...)
		}
		return append(out, digitHan[y]...)
	}
	out = appendCount(out, dollars, "")
	out = append(out, "蚊"...)
	switch {
	case y == 0:
		out = append(out, "零"...)
	default:
		out = appendLiang(out, y)
		out = append(out, "毫"...)
	}
	if z != 0 {
		out = append(out, digitHan[z]...)
		out = append(out, "仙"...)
	}
	return out
}

func trimZeros(ds string) string {
	for len(ds) > 1 && ds[0] == '0' {
		ds = ds[1:]
	}
	return ds
}

func trimTrailingZeros(ds string) string {
	for len(ds) > 0 && ds[len(ds)-1] == '0' {
		ds = ds[:len(ds)-1]
	}
	return ds
}

// percent says whole.frac% as 百分之… or, when the pack quotes rates in
// 厘, as …厘.
func (c *conv) percent(whole, frac string) {
	if c.opt.RateUnit == RateLi {
		c.out = appendCount(c.out, whole, frac)
		c.out = append(c.out, "厘"...)
		return
	}
	c.out = append(c.out, "百分之"...)
	c.out = appendNumber(c.out, whole, frac)
}

// measureWords take 兩 rather than 二 for a count of two (兩個, 兩點, 兩年).
var measureWords = map[rune]bool{
	'個': true, '位': true, '張': true, '次': true, '條': true, '間': true, '部': true,
	'份': true, '本': true, '架': true, '隻': true, '支': true, '粒': true, '點': true,
	'倍': true, '蚊': true, '毫': true, '千': true, '百': true, '萬': true, '億': true,
	'種': true, '件': true, '對': true, '杯': true, '層': true, '樣': true, '款': true,
	'項': true, '人': true, '成': true, '年': true, '晚': true, '周': true, '週': true,
	'盒': true, '包': true, '封': true, '頁': true, '餐': true, '碗': true, '歲': true,
	'堂': true, '班': true, '趟': true, '句': true, '分': true, '小': true, '星': true,
	'禮': true, '秒': true,
}

// measureAt reports whether a measure word starts at j. 分, 小, 星 and 禮
// count only as the start of 分鐘, 小時, 星期 and 禮拜.
func (c *conv) measureAt(j int) bool {
	if j >= len(c.in) || !measureWords[c.in[j]] {
		return false
	}
	var want rune
	switch c.in[j] {
	case '分':
		want = '鐘'
	case '小':
		want = '時'
	case '星':
		want = '期'
	case '禮':
		want = '拜'
	default:
		return true
	}
	return j+1 < len(c.in) && c.in[j+1] == want
}
