package normalise

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// render writes a Value compactly for table tests: kind, text, decimal,
// #digits, ~ for approximate, "invalid", and a currency other than HKD.
func render(v Value) string {
	s := v.Kind.String() + " " + v.Text
	if v.Decimal != "" {
		s += " " + v.Decimal
	}
	if v.Digits != "" {
		s += " #" + v.Digits
	}
	if v.Approx {
		s += " ~"
	}
	if !v.Valid {
		s += " invalid"
	}
	if v.Kind == Amount && v.Currency != "HKD" {
		s += " " + v.Currency
	}
	return s
}

func renderAll(vs []Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = render(v)
	}
	return out
}

type valuesCase struct {
	in   string
	want []string
}

func runValues(t *testing.T, tests []valuesCase) {
	t.Helper()
	for _, tt := range tests {
		vs := Values(tt.in)
		got := renderAll(vs)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Values(%q)\n got  %q\n want %q", tt.in, got, tt.want)
		}
		checkOffsets(t, tt.in, vs)
	}
}

// checkOffsets verifies that every Value's offsets are in bounds, on rune
// boundaries, in order, and that Text is the span.
func checkOffsets(t *testing.T, s string, vs []Value) {
	t.Helper()
	prev := 0
	for _, v := range vs {
		if v.Start < prev || v.End <= v.Start || v.End > len(s) {
			t.Fatalf("Values(%q): bad span [%d,%d) after %d", s, v.Start, v.End, prev)
		}
		if !utf8.RuneStart(s[v.Start]) || v.End < len(s) && !utf8.RuneStart(s[v.End]) {
			t.Fatalf("Values(%q): span [%d,%d) not on rune boundaries", s, v.Start, v.End)
		}
		if s[v.Start:v.End] != v.Text {
			t.Fatalf("Values(%q): Text %q != s[%d:%d] %q", s, v.Text, v.Start, v.End, s[v.Start:v.End])
		}
		prev = v.End
	}
}

func TestValuesNumerals(t *testing.T) {
	runValues(t, []valuesCase{
		{"三千五", []string{"number 三千五 3500"}},
		{"兩萬三", []string{"number 兩萬三 23000"}},
		{"百五", []string{"number 百五 150"}},
		{"千二", []string{"number 千二 1200"}},
		{"萬五", []string{"number 萬五 15000"}},
		{"三千零五", []string{"number 三千零五 3005"}},
		{"一千零五十", []string{"number 一千零五十 1050"}},
		{"一百零五", []string{"number 一百零五 105"}},
		{"廿五", []string{"number 廿五 25"}},
		{"卅八", []string{"number 卅八 38"}},
		{"一百廿五", []string{"number 一百廿五 125"}},
		{"十二", []string{"number 十二 12"}},
		{"二十", []string{"number 二十 20"}},
		{"三十五", []string{"number 三十五 35"}},
		{"兩百", []string{"number 兩百 200"}},
		{"一百萬", []string{"number 一百萬 1000000"}},
		{"十萬", []string{"number 十萬 100000"}},
		{"三千五萬", []string{"number 三千五萬 35000000"}},
		{"一萬二千三百四十五", []string{"number 一萬二千三百四十五 12345"}},
		{"一億", []string{"number 一億 100000000"}},
		{"一億五", []string{"number 一億五 150000000"}},
		{"三億五千萬", []string{"number 三億五千萬 350000000"}},
		{"一千二百三", []string{"number 一千二百三 1230"}},
		{"千半", []string{"number 千半 1500"}},
		{"兩萬半", []string{"number 兩萬半 25000"}},
		{"零", []string{"number 零 0"}},
		{"兩张", []string{"number 兩 2"}},
		{"我有两张卡", []string{"number 两 2"}},
		{"三万五", []string{"number 三万五 35000"}},
		{"二點五", []string{"number 二點五 2.5"}},
		{"三点一四", []string{"number 三点一四 3.14"}},
		{"一點五萬", []string{"number 一點五萬 15000"}},
		{"十二點五", []string{"number 十二點五 12.5"}},
		{"一百二十點五", []string{"number 一百二十點五 120.5"}},
		{"零點五", []string{"number 零點五 0.5"}},
		// Arabic and mixed.
		{"3千5", []string{"number 3千5 3500"}},
		{"3萬5千", []string{"number 3萬5千 35000"}},
		{"3千500", []string{"number 3千500 3500"}},
		{"1.5萬", []string{"number 1.5萬 15000"}},
		{"35萬", []string{"number 35萬 350000"}},
		{"3,500", []string{"number 3,500 3500"}},
		{"1,234,567", []string{"number 1,234,567 1234567"}},
		{"3.25", []string{"number 3.25 3.25"}},
		{"１２３", []string{"number １２３ 123"}},
		{"３千５", []string{"number ３千５ 3500"}},
		{"我有 3 張卡", []string{"number 3 3"}},
		// Ranges and 幾.
		{"十幾萬", []string{"number 十幾萬 100000 ~"}},
		{"四十幾度", []string{"number 四十幾 40 ~"}},
		{"五六十萬", []string{"number 五六十萬 500000 ~"}},
		{"四五日", []string{"number 四五 4 ~"}},
		{"一兩個", []string{"number 一兩 1 ~"}},
		{"幾百人", []string{"number 幾百 100 ~"}},
		{"七八千", []string{"number 七八千 7000 ~"}},
		// Ordinals, counts, times of day stay plain numbers.
		{"第十", []string{"number 十 10"}},
		{"十個", []string{"number 十 10"}},
		{"十分鐘", []string{"number 十 10"}},
		{"三點半", []string{"number 三 3"}},
		{"三點十五分", []string{"number 三 3", "number 十五 15"}},
		{"三點五個字", []string{"number 三 3", "number 五 5"}},
		{"三年零七個月", []string{"number 三 3", "number 七 7"}},
	})
}

func TestValuesNotNumbers(t *testing.T) {
	runValues(t, []valuesCase{
		{"", nil},
		{"我想查結餘", nil},
		{"我一定會還", nil},
		{"八達通增值", nil},
		{"九龍灣", nil},
		{"百貨公司", nil},
		{"千萬唔好", nil},
		{"十分好", nil},
		{"萬一唔得", nil},
		{"唯一一個", []string{"number 一 1"}},
		{"一齊去", nil},
		{"三文治", nil},
		{"mp3 同 COVID19", nil},
		{"ei1,我又有", nil},
		{"十劃未有一撇", nil},
		{"八仙過海", nil},
		{"八兩金", []string{"number 八 8", "number 兩 2"}},
		{"幾時", nil},
		{"幾個", nil},
	})
}

func TestValuesMoney(t *testing.T) {
	runValues(t, []valuesCase{
		{"三千五蚊", []string{"amount 三千五蚊 3500"}},
		{"兩萬蚊", []string{"amount 兩萬蚊 20000"}},
		{"我要還3,500蚊", []string{"amount 3,500蚊 3500"}},
		{"HK$3,500", []string{"amount HK$3,500 3500"}},
		{"HK$ 3,500.50", []string{"amount HK$ 3,500.50 3500.5"}},
		{"$200", []string{"amount $200 200"}},
		{"＄２００", []string{"amount ＄２００ 200"}},
		{"US$20", []string{"amount US$20 20 USD"}},
		{"一千美金", []string{"amount 一千美金 1000 USD"}},
		{"美金一千", []string{"amount 美金一千 1000 USD"}},
		{"港幣三千五百蚊", []string{"amount 港幣三千五百蚊 3500"}},
		{"五百萬港元", []string{"amount 五百萬港元 5000000"}},
		{"兩千人民幣", []string{"amount 兩千人民幣 2000 CNY"}},
		{"三百元", []string{"amount 三百元 300"}},
		{"三塊錢", []string{"amount 三塊錢 3"}},
		{"三块", []string{"amount 三块 3"}},
		{"一塊橙皮", []string{"number 一 1"}},
		{"五蚊雞", []string{"amount 五蚊雞 5"}},
		// Cents.
		{"三蚊五", []string{"amount 三蚊五 3.5"}},
		{"三蚊半", []string{"amount 三蚊半 3.5"}},
		{"十蚊八毫", []string{"amount 十蚊八毫 10.8"}},
		{"十蚊零五", []string{"amount 十蚊零五 10.05"}},
		{"十蚊五毫二", []string{"amount 十蚊五毫二 10.52"}},
		{"五毫", []string{"amount 五毫 0.5"}},
		{"五毫子", []string{"amount 五毫子 0.5"}},
		{"兩毫半", []string{"amount 兩毫半 0.25"}},
		{"一毫四", []string{"amount 一毫四 0.14"}},
		{"五仙", []string{"amount 五仙 0.05"}},
		{"十二蚊一個", []string{"amount 十二蚊 12", "number 一 1"}},
		{"一百五十蚊一版", []string{"amount 一百五十蚊 150", "number 一 1"}},
		{"七蚊一斤", []string{"amount 七蚊 7", "number 一 1"}},
		// X個Y.
		{"三個半", []string{"amount 三個半 3.5"}},
		{"三個二", []string{"amount 三個二 3.2"}},
		{"廿五個半吖", []string{"amount 廿五個半 25.5"}},
		{"三個半月", []string{"number 三個半 3.5"}},
		{"個半鐘", nil},
		{"三個人", []string{"number 三 3"}},
		{"兩個一齊去", []string{"number 兩 2"}},
		{"一個二維碼", []string{"number 一 1", "number 二 2"}},
		// Approximate amounts.
		{"五千幾蚊", []string{"amount 五千幾蚊 5000 ~"}},
		{"百幾蚊", []string{"amount 百幾蚊 100 ~"}},
		{"幾百蚊", []string{"amount 幾百蚊 100 ~"}},
		{"三千零蚊", []string{"amount 三千零蚊 3000 ~"}},
		{"萬四蚊", []string{"amount 萬四蚊 14000"}},
		{"成萬蚊", []string{"amount 萬蚊 10000"}},
		{"千一蚊", []string{"amount 千一蚊 1100"}},
		// Slang units.
		{"五球", []string{"amount 五球 5000000"}},
		{"一球半", []string{"amount 一球半 1500000"}},
		{"佢賺咗兩球", []string{"amount 兩球 2000000"}},
		{"入咗一球", []string{"number 一 1"}},
		{"兩皮", []string{"amount 兩皮 20000"}},
		{"三皮五", []string{"amount 三皮五 35000"}},
		{"五皮嘢", []string{"amount 五皮嘢 5"}},
		{"一撇", []string{"amount 一撇 1000"}},
		{"兩撇", []string{"amount 兩撇 2000"}},
		{"一嚿水", []string{"amount 一嚿水 100"}},
		{"八舊水", []string{"amount 八舊水 800"}},
		{"借嚿水嚟", []string{"amount 嚿水 100"}},
		{"打籃球", nil},
		{"一球場", []string{"number 一 1"}},
		{"三皮膚", []string{"number 三 3"}},
	})
}

func TestValuesPercent(t *testing.T) {
	runValues(t, []valuesCase{
		{"二點五厘", []string{"percent 二點五厘 2.5"}},
		{"三厘", []string{"percent 三厘 3"}},
		{"三厘半", []string{"percent 三厘半 3.5"}},
		{"2.5%", []string{"percent 2.5% 2.5"}},
		{"2.5％", []string{"percent 2.5％ 2.5"}},
		{"百分之三", []string{"percent 百分之三 3"}},
		{"百分之二點五", []string{"percent 百分之二點五 2.5"}},
		{"百分之五十", []string{"percent 百分之五十 50"}},
		{"百分百", []string{"percent 百分百 100"}},
		{"五個巴仙", []string{"percent 五個巴仙 5"}},
		{"十個percent", []string{"percent 十個percent 10"}},
		{"5 percent", []string{"percent 5 percent 5"}},
		{"七成", []string{"percent 七成 70"}},
		{"九成九", []string{"percent 九成九 99"}},
		{"九成九廣東人", []string{"percent 九成九 99"}},
		{"三成半", []string{"percent 三成半 35"}},
		{"三厘米", []string{"number 三 3"}},
		{"一成不變", []string{"number 一 1"}},
	})
}

func TestValuesDigitStrings(t *testing.T) {
	runValues(t, []valuesCase{
		{"九一二三四五六七", []string{"phone 九一二三四五六七 #91234567"}},
		{"我電話係九一二三 四五六七", []string{"phone 九一二三 四五六七 #91234567"}},
		{"九一二三，四五六七", []string{"phone 九一二三，四五六七 #91234567"}},
		{"九幺兩三四五六七", []string{"phone 九幺兩三四五六七 #91234567"}},
		{"二三零零一一一零", []string{"phone 二三零零一一一零 #23001110"}},
		{"91234567", []string{"phone 91234567 #91234567"}},
		{"9123 4567", []string{"phone 9123 4567 #91234567"}},
		{"9123-4567", []string{"phone 9123-4567 #91234567"}},
		{"９１２３４５６７", []string{"phone ９１２３４５６７ #91234567"}},
		{"+852 9123 4567", []string{"phone +852 9123 4567 #91234567"}},
		{"+85291234567", []string{"phone +85291234567 #91234567"}},
		{"八五二九一二三四五六七", []string{"phone 八五二九一二三四五六七 #91234567"}},
		{"八五二，九一二三四五六七", []string{"phone 八五二，九一二三四五六七 #91234567"}},
		{"9123四五六七", []string{"phone 9123四五六七 #91234567"}},
		{"八零零一二三四五六", []string{"phone 八零零一二三四五六 #800123456"}},
		// Incomplete or not phones.
		{"九一二三", []string{"digits 九一二三 #9123"}},
		{"九一二三四", []string{"digits 九一二三四 #91234"}},
		{"一零八", []string{"digits 一零八 #108"}},
		{"九七年", []string{"digits 九七 #97"}},
		{"二零二四年", []string{"digits 二零二四 #2024"}},
		{"幺兩三四", []string{"digits 幺兩三四 #1234"}},
		{"〇九", []string{"digits 〇九 #09"}},
		{"12345678", []string{"digits 12345678 #12345678"}},
		{"0123", []string{"digits 0123 #0123"}},
		{"123456789012", []string{"digits 123456789012 #123456789012"}},
		{"一零八蚊", []string{"amount 一零八蚊 108"}},
		{"2024年", []string{"number 2024 2024"}},
	})
}

func TestValuesHKID(t *testing.T) {
	runValues(t, []valuesCase{
		{"A123456(3)", []string{"hkid A123456(3) #A1234563"}},
		{"a123456(3)", []string{"hkid a123456(3) #A1234563"}},
		{"A123456（3）", []string{"hkid A123456（3） #A1234563"}},
		{"Ａ１２３４５６（３）", []string{"hkid Ａ１２３４５６（３） #A1234563"}},
		{"A1234563", []string{"hkid A1234563 #A1234563"}},
		{"A 123456 3", []string{"hkid A 123456 3 #A1234563"}},
		{"我身份證係A一二三四五六括號三", []string{"hkid A一二三四五六括號三 #A1234563"}},
		{"a幺兩三四五六括弧三", []string{"hkid a幺兩三四五六括弧三 #A1234563"}},
		{"A一二三四五六括号三", []string{"hkid A一二三四五六括号三 #A1234563"}},
		{"A123456(4)", []string{"hkid A123456(4) #A1234564 invalid"}},
		{"A123456", []string{"hkid A123456 #A123456 invalid"}},
		{"AB987654(3)", []string{"hkid AB987654(3) #AB9876543"}},
		{"ab987654括號三", []string{"hkid ab987654括號三 #AB9876543"}},
		{"C668668(E)", []string{"hkid C668668 #C668668 invalid"}},
		{"Y123456(9)", []string{"hkid Y123456(9) #Y1234569"}},
		{"G123456(A)", []string{"hkid G123456(A) #G123456A"}},
		{"g123456(a)", []string{"hkid g123456(a) #G123456A"}},
		{"G123456A", []string{"hkid G123456A #G123456A"}},
		{"Y123456A", []string{"hkid Y123456A #Y123456A invalid"}},
		{"ABC123456(3)", []string{"number 3 3"}},
		{"A12345678", nil},
	})
}

func TestHKIDCheck(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"A123456", '3'},
		{"Y123456", '9'},
		{"AB987654", '3'},
		{"G123456", 'A'},
		{"Z683365", 'A'},
		{"K123456", '0'},
		{"bad", 0},
		{"A12345x", 0},
	}
	for _, tt := range tests {
		if got := hkidCheck(tt.body); got != tt.want {
			t.Errorf("hkidCheck(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestValuesSentences(t *testing.T) {
	runValues(t, []valuesCase{
		{"我想轉三千五蚊去我太太個戶口", []string{"amount 三千五蚊 3500"}},
		{"我張信用卡簽咗兩萬三，最低還款幾多？", []string{"number 兩萬三 23000"}},
		{"利率係二點五厘定係百分之三？", []string{"percent 二點五厘 2.5", "percent 百分之三 3"}},
		{"我電話係九一二三四五六七，身份證係A123456(3)",
			[]string{"phone 九一二三四五六七 #91234567", "hkid A123456(3) #A1234563"}},
		{"每個月還千二蚊，還十二期", []string{"amount 千二蚊 1200", "number 十二 12"}},
		{"一個月千零蚊度喇", []string{"number 一 1", "amount 千零蚊 1000 ~"}},
		{"交十三萬四千幾蚊", []string{"amount 十三萬四千幾蚊 134000 ~"}},
		{"四百蚊四個同志分，每人有一舊水",
			[]string{"amount 四百蚊 400", "number 四 4", "amount 一舊水 100"}},
	})
}

// TestTextThenValues runs recogniser-style output (Simplified, spaced,
// full-width, ASCII punctuation) through Text and then Values.
func TestTextThenValues(t *testing.T) {
	tests := []struct {
		in, text string
		want     []string
	}{
		{"我 想 转 三 千 五 块", "我想轉三千五塊", []string{"amount 三千五塊 3500"}},
		{"电话 系 九 一 二 三 四 五 六 七", "電話系九一二三四五六七", []string{"phone 九一二三四五六七 #91234567"}},
		{"身 份 证 A 一 二 三 四 五 六 括 号 三", "身份證A一二三四五六括號三", []string{"hkid A一二三四五六括號三 #A1234563"}},
		{"利率 2.5 % ,好唔好?", "利率2.5 %，好唔好？", []string{"percent 2.5 % 2.5"}},
		{"还 HK$ 3,500 蚊", "還HK$ 3,500蚊", []string{"amount HK$ 3,500蚊 3500"}},
		{"３千５蚊", "3千5蚊", []string{"amount 3千5蚊 3500"}},
		{"<|yue|><|NEUTRAL|>我要两万三。", "我要兩萬三。", []string{"number 兩萬三 23000"}},
		{"九一二三 四五六七", "九一二三四五六七", []string{"phone 九一二三四五六七 #91234567"}},
		{"9123 4567", "9123 4567", []string{"phone 9123 4567 #91234567"}},
	}
	for _, tt := range tests {
		text := Text(tt.in)
		if text != tt.text {
			t.Errorf("Text(%q) = %q, want %q", tt.in, text, tt.text)
			continue
		}
		if got := renderAll(Values(text)); !slices.Equal(got, tt.want) {
			t.Errorf("Values(Text(%q))\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func TestValuesSimplified(t *testing.T) {
	runValues(t, []valuesCase{
		{"两万三", []string{"number 两万三 23000"}},
		{"三千五块", []string{"amount 三千五块 3500"}},
		{"一亿", []string{"number 一亿 100000000"}},
		{"几百蚊", []string{"amount 几百蚊 100 ~"}},
		{"A一二三四五六括号三", []string{"hkid A一二三四五六括号三 #A1234563"}},
	})
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"三千五", 3500, true},
		{" 兩萬三 ", 23000, true},
		{"百五", 150, true},
		{"千二", 1200, true},
		{"萬五", 15000, true},
		{"三千零五", 3005, true},
		{"廿五", 25, true},
		{"卅八", 38, true},
		{"十二", 12, true},
		{"一百萬", 1e6, true},
		{"億", 1e8, true},
		{"百", 100, true},
		{"十", 10, true},
		{"3千5", 3500, true},
		{"3,500", 3500, true},
		{"HK$3,500", 3500, true},
		{"三個半", 3.5, true},
		{"五球", 5e6, true},
		{"二點五厘", 2.5, true},
		{"2.5%", 2.5, true},
		{"百分之三", 3, true},
		{"一零八", 108, true},
		{"九一二三四五六七", 91234567, true},
		{"零", 0, true},
		{"", 0, false},
		{"三千五蚊啦", 0, false},
		{"我要三千", 0, false},
		{"A123456(3)", 0, false},
		{"一千二百三十四萬五千六百七十八", 12345678, true},
		{"一億二千萬", 1.2e8, true},
		{"九九九九九九九九九九九九九九九九九九九九", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKindString(t *testing.T) {
	names := map[Kind]string{Number: "number", Amount: "amount", Percent: "percent",
		Digits: "digits", Phone: "phone", HKID: "hkid", 0: "invalid", 99: "invalid"}
	for k, want := range names {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestDec(t *testing.T) {
	tests := []struct {
		d    dec
		want string
	}{
		{dec{}, "0"},
		{decInt(3500), "3500"},
		{dec{m: 35, scale: 1}, "3.5"},
		{dec{m: 5, scale: 2}, "0.05"},
		{dec{m: 350, scale: 2}, "3.5"},
		{dec{m: -5, scale: 2}, "-0.05"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
	if _, ok := decInt(1e16).shift(2); ok {
		t.Error("shift overflow not reported")
	}
	if _, ok := decInt(9e16).add(decInt(9e16)); ok {
		t.Error("add overflow not reported")
	}
	if v, ok := (dec{m: 5, scale: 1}).add(decInt(3)); !ok || v.String() != "3.5" {
		t.Errorf("0.5 + 3 = %v, %v", v, ok)
	}
	if _, ok := parseDigits(strings.Repeat("9", 19)); ok {
		t.Error("19 digits parsed")
	}
}
