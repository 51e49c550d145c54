package spoken

import (
	"strings"
	"testing"
)

type textCase struct {
	name, in, want string
}

var textCases = []textCase{
	// phone numbers
	{"phone spaced", "打9123 4567搵我", "打九一二三，四五六七搵我"},
	{"phone plain", "電話91234567", "電話九一二三，四五六七"},
	{"phone dashed", "2345-6789", "二三四五，六七八九"},
	{"phone +852", "+852 9123 4567", "八五二，九一二三，四五六七"},
	{"phone +852 glued", "+85291234567。", "八五二，九一二三，四五六七。"},
	{"phone +852 dashes", "+852-9123-4567", "八五二，九一二三，四五六七"},
	{"phone 852 glued", "85221234567", "八五二，二一二三，四五六七"},
	{"phone zeros and twos", "2200 0202", "二二零零，零二零二"},
	{"toll free", "熱線 800 123 456", "熱線 八零零，一二三，四五六"},
	// HKID, card, account
	{"hkid bracketed", "A123456(3)", "A，一二三，四五六，括號三"},
	{"hkid lowercase full-width bracket", "身份證係c123456（9）", "身份證係C，一二三，四五六，括號九"},
	{"hkid check A", "Y123456(A)", "Y，一二三，四五六，括號A"},
	{"hkid two letters glued check", "AB1234567", "AB，一二三，四五六，七"},
	{"hkid no check digit", "G123456", "G，一二三，四五六"},
	{"card spaced", "4111 1111 1111 1234", "四一一一，一一一一，一一一一，一二三四"},
	{"card dashed", "4111-1111-1111-1234", "四一一一，一一一一，一一一一，一二三四"},
	{"card plain", "5500000000000004", "五五零零，零零零零，零零零零，零零零四"},
	{"account dashed", "戶口012-345678-001", "戶口零一二，三四五六七八，零零一"},
	{"account 9 digits", "123456789", "一二三四，五六七，八九"},
	// amounts
	{"hk$ commas", "HK$3,500", "三千五百蚊"},
	{"$ plain", "$3500", "三千五百蚊"},
	{"元", "3500元", "三千五百蚊"},
	{"港元", "月費150港元", "月費一百五十蚊"},
	{"個半", "$3.50", "三個半"},
	{"個二", "$3.20", "三個二"},
	{"兩個半", "$2.50", "兩個半"},
	{"毫", "$0.50", "五毫"},
	{"兩毫", "$0.2", "兩毫"},
	{"仙", "$0.05", "五仙"},
	{"蚊零五仙", "$12.05", "十二蚊零五仙"},
	{"蚊毫仙", "$12.35", "十二蚊三毫五仙"},
	{"large with cents", "$3,500.50", "三千五百蚊五毫"},
	{"兩萬三千", "$23,000", "兩萬三千蚊"},
	{"五百萬", "$5,000,000", "五百萬蚊"},
	{"兩蚊", "$2", "兩蚊"},
	{"零蚊", "$0", "零蚊"},
	{"二十二蚊", "$22", "二十二蚊"},
	{"hk$ space", "HK$ 200", "兩百蚊"},
	{"HKD", "HKD 1,000", "一千蚊"},
	{"USD", "US$100", "一百美金"},
	{"big unit", "$3萬", "三萬蚊"},
	{"big unit 元", "2萬元", "兩萬蚊"},
	{"amount range", "$100-$200", "一百蚊至兩百蚊"},
	{"美元 kept", "100美元", "一百美元"},
	{"sentence end", "年費係$1,200。", "年費係一千二百蚊。"},
	// cardinals and decimals
	{"cardinal", "1234", "一千二百三十四"},
	{"ten", "10", "十"},
	{"fifteen", "15", "十五"},
	{"twenty", "20", "二十"},
	{"105", "105", "一百零五"},
	{"110", "110", "一百一十"},
	{"1010", "1010", "一千零一十"},
	{"200", "200", "兩百"},
	{"2222", "2222", "兩千二百二十二"},
	{"1200", "1200", "一千二百"},
	{"12000", "12000", "一萬二千"},
	{"220萬", "2,200,000", "兩百二十萬"},
	{"10500", "10500", "一萬零五百"},
	{"100000", "100000", "十萬"},
	{"1000001", "1,000,001", "一百萬零一"},
	{"億", "200,000,000", "兩億"},
	{"億萬", "100,010,000", "一億零一萬"},
	{"zero", "0", "零"},
	{"leading zero", "編號007", "編號零零七"},
	{"decimal", "3.5", "三點五"},
	{"decimal 2", "2.5", "二點五"},
	{"decimal small", "0.25", "零點二五"},
	{"decimal zero", "12.05", "十二點零五"},
	{"commas list not grouping", "1,2,3", "一,二,三"},
	{"兩個", "2個月", "兩個月"},
	{"兩年", "等2年", "等兩年"},
	{"兩分鐘", "2分鐘", "兩分鐘"},
	{"二分", "2分", "二分"},
	{"第二", "第2個", "第二個"},
	{"二十個", "20個", "二十個"},
	{"range", "3-5個工作天", "三至五個工作天"},
	{"mixed 千", "3千5", "三千五"},
	// percentages
	{"percent", "2.5%", "百分之二點五"},
	{"percent full-width", "３％", "百分之三"},
	{"percent 100", "100%", "百分之一百"},
	// dates and times
	{"month day", "3月5日", "三月五號"},
	{"full date", "2026年3月5日", "二零二六年三月五號"},
	{"二月二號", "2月2日", "二月二號"},
	{"day 號", "12月25號", "十二月二十五號"},
	{"iso date", "2026-03-05", "二零二六年三月五號"},
	{"dmy date", "5/3/2026", "二零二六年三月五號"},
	{"pm prefix", "下午2:30", "下晝兩點半"},
	{"24h pm", "14:30", "下晝兩點半"},
	{"24h evening", "19:00", "夜晚七點"},
	{"零五分", "9:05", "九點零五分"},
	{"三個字", "10:15", "十點三個字"},
	{"兩個字", "8:10", "八點兩個字"},
	{"分", "9:47", "九點四十七分"},
	{"am suffix", "10am", "朝早十點"},
	{"pm suffix", "2:30 p.m.", "下晝兩點半"},
	{"time range", "9:00-17:00", "九點到下晝五點"},
	{"morning prefix", "上午 9:00", "朝早九點"},
	{"noon", "12:00", "中午十二點"},
	{"midnight", "00:30", "凌晨十二點半"},
	{"full-width colon", "9：30", "九點半"},
	{"seconds", "10:05:30", "十點零五分三十秒"},
	{"pm noon", "12:30pm", "中午十二點半"},
	{"range 至", "9:00至18:00", "九點到夜晚六點"},
	{"pm range", "2:00pm-5:00pm", "下晝兩點到下晝五點"},
	{"今晚", "今晚8:30", "今晚八點半"},
	{"ratio", "3:1", "三比一"},
	{"month two", "2月", "二月"},
	{"day two", "2號", "二號"},
	{"ordinal", "第3期", "第三期"},
	{"count after space", "Visa卡 2 張", "Visa卡 兩 張"},
	{"decimal 萬", "1.5萬", "一點五萬"},
	{"range minutes", "等候時間約5-10分鐘", "等候時間約五至十分鐘"},
	{"other country", "+86 138 0013 8000", "+八六，一三八，零零一三，八零零零"},
	{"huge number as digits", "12,345,678,901,234,567,890", "一二三四五六七八九零一二三四五六七八九零"},
	// English, tags and everything else
	{"version kept", "v2.5 同 3D", "v2.5 同 3D"},
	{"markup kept", "<b>粗體</b> A&B", "<b>粗體</b> A&B"},
	{"english kept", "請用App或者網站", "請用App或者網站"},
	{"product name with digits", "我想買iPhone 15 Pro", "我想買iPhone 十五 Pro"},
	{"glued alnum kept", "5G計劃", "5G計劃"},
	{"hyphenated word", "COVID-19", "COVID-19"},
	{"break tag kept", `一<break time="300ms"/>二`, `一<break time="300ms"/>二`},
	{"english sentence", "Thank you for calling.", "Thank you for calling."},
	{"english product", "iPhone 15 Pro", "iPhone 15 Pro"},
	{"english numbers kept", "Press 1 for English, HK$3,500 at 2:30pm on 5/3/2026.", "Press 1 for English, HK$3,500 at 2:30pm on 5/3/2026."},
	{"english phone", "Call us on +852 9123 4567 or 2345-6789.", "Call us on 8 5 2, 9 1 2 3, 4 5 6 7 or 2 3 4 5, 6 7 8 9."},
	{"english hkid", "Your HKID is A123456(3).", "Your HKID is A, 1 2 3, 4 5 6, 3."},
	{"english card masked", "Card ending **** 1234 was used.", "Card ending 1 2 3 4 was used."},
	{"english account", "Account 123456789012", "Account 1 2 3 4, 5 6 7 8, 9 0 1 2"},
	{"empty", "", ""},
	{"spaces tidied", "  你好   呀 ", "你好 呀"},
	{"lone dollar", "$ sign", "$ sign"},
	{"lone plus", "+ 號", "+ 號"},
	// masked personal data
	{"card last four", "你張卡尾號 **** 1234", "你張卡尾號 一二三四"},
	{"card all groups", "**** **** **** 1234", "一二三四"},
	{"hkid masked", "我身份證係A******(*)，啱唔啱？", "我身份證係，啱唔啱？"},
	{"hkid spaced masked", "號碼 A *** *** (*) 收到", "號碼 收到"},
	{"phone masked", "+852 **** **67", "六七"},
	{"phone masked in sentence", "打**** **67搵我", "打六七搵我"},
	{"account masked", "戶口***-******-001", "戶口零零一"},
	{"spoken digits masked", "我電話係******六七", "我電話係六七"},
	{"email masked", "send去***@example.com啦", "send去啦"},
	{"two masks", "A******(*) 同 ******32", "同 三二"},
	{"markdown stars", "**重要**：請帶身份證", "重要：請帶身份證"},
	{"lone star", "*", ""},
	{"hkid english", "HKID R******* thanks", "HKID thanks"},
}

func TestText(t *testing.T) {
	for _, tc := range textCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in, Options{})
			if got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Text(got, Options{}); again != got {
				t.Errorf("not idempotent: Text(%q) = %q", got, again)
			}
		})
	}
}

func TestTextOptions(t *testing.T) {
	br := BreakTag
	tests := []struct {
		name string
		opt  Options
		in   string
		want string
	}{
		{"li rate", Options{RateUnit: RateLi}, "定期利率2.5%", "定期利率二點五厘"},
		{"li two", Options{RateUnit: RateLi}, "2%", "兩厘"},
		{"percent explicit", Options{RateUnit: RatePercent}, "2.5%", "百分之二點五"},
		{"phone breaks", Options{Breaks: true}, "9123 4567", "九一二三" + br + "四五六七"},
		{"+852 breaks", Options{Breaks: true}, "+852 9123 4567", "八五二" + br + "九一二三" + br + "四五六七"},
		{"hkid breaks", Options{Breaks: true}, "A123456(3)", "A" + br + "一二三" + br + "四五六" + br + "括號三"},
		{"masked tail breaks", Options{Breaks: true}, "***-***123456", "一二三四" + br + "五六"},
		{"amount unaffected", Options{Breaks: true, RateUnit: RateLi}, "$3.50", "三個半"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in, tc.opt)
			if got != tc.want {
				t.Errorf("Text(%q, %+v) = %q, want %q", tc.in, tc.opt, got, tc.want)
			}
			if again := Text(got, tc.opt); again != got {
				t.Errorf("not idempotent: Text(%q) = %q", got, again)
			}
		})
	}
}

// TestTextReply checks a whole reply such as the bank pack gives.
func TestTextReply(t *testing.T) {
	in := "你張卡尾號 **** 1234 喺3月5日下午2:30簽咗HK$3,500，年利率2.5%。如有疑問請致電2345 6789。"
	want := "你張卡尾號 一二三四 喺三月五號下晝兩點半簽咗三千五百蚊，年利率二點五厘。如有疑問請致電二三四五，六七八九。"
	if got := Text(in, Options{RateUnit: RateLi}); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTextNeverSpeaksStars(t *testing.T) {
	for _, in := range []string{"***", "＊＊＊", "A*", "*1*2*3", "(*)", "***@", "** **", "+852 ****"} {
		got := Text(in, Options{})
		if strings.ContainsAny(got, "*＊") || strings.Contains(got, "星") {
			t.Errorf("Text(%q) = %q speaks the mask", in, got)
		}
	}
}

func BenchmarkText(b *testing.B) {
	in := "你張卡尾號 **** 1234 喺3月5日下午2:30簽咗HK$3,500，年利率2.5%。如有疑問請致電2345 6789，或者用App查詢。"
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Text(in, Options{RateUnit: RateLi})
	}
}

func BenchmarkTextPlain(b *testing.B) {
	in := "粵通銀行大部分分行星期一至五朝早九點到下晝五點開門，星期六朝早九點到下晝一點，星期日同公眾假期休息。"
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Text(in, Options{})
	}
}
