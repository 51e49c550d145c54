package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// HK identity card numbers.
		{"hkid bracketed", "我身份證係A123456(7)", "我身份證係A******(*)"},
		{"hkid two letters", "AB1234567", "AB*******"},
		{"hkid check A unbracketed", "Z683365A唔該", "Z*******唔該"},
		{"hkid check A bracketed", "Y123456(A)", "Y******(*)"},
		{"hkid full-width brackets", "C123456（9）", "C******（*）"},
		{"hkid spaced", "身份證號碼 A 123 456 (7)", "身份證號碼 A *** *** (*)"},
		{"hkid lowercase", "a123456(3)", "a******(*)"},
		{"hkid chinese numerals", "K一二三四五六(七)", "K******(*)"},
		{"hkid no check digit", "號碼係G123456", "號碼係G******"},
		{"hkid in sentence", "HKID R1234567 thanks", "HKID R******* thanks"},
		// Payment cards.
		{"card spaced", "張卡號碼係4111 1111 1111 1234", "張卡號碼係**** **** **** 1234"},
		{"card dashed", "4111-1111-1111-1234", "****-****-****-1234"},
		{"card plain 16", "5500000000000004", "************0004"},
		{"card amex 15", "3782 822463 10005", "**** ****** *0005"},
		{"card 19", "6212345678901234567", "***************4567"},
		// Bank accounts.
		{"account dashed", "戶口012-345678-001", "戶口***-******-001"},
		{"account 9 digits", "123456789", "******789"},
		{"account 12 digits", "戶口號碼 0123 4567 8901 係咪", "戶口號碼 **** **** *901 係咪"},
		// Phones.
		{"phone plain", "打9123 4567搵我", "打**** **67搵我"},
		{"phone no space", "電話: 91234567", "電話: ******67"},
		{"phone +852", "+852 9123 4567", "+852 **** **67"},
		{"phone 852 glued", "85221234567", "852******67"},
		{"phone landline", "2345-6789", "****-**89"},
		{"phone spaced digits", "9 1 2 3 4 5 6 7", "* * * * * * 6 7"},
		{"phone chinese numerals", "我電話係九一二三四五六七", "我電話係******六七"},
		{"phone chinese with 兩", "六兩三四 五六七八", "**** **七八"},
		{"phone chinese zero", "二三〇〇零一二三", "******二三"},
		{"phone full-width", "９１２３４５６７", "******６７"},
		{"phone in words (Common Voice)", "可致電二五五九二二九七", "可致電******九七"},
		{"counting over-masked (known)", "一二三四五六七八九十", "******七八九十"},
		// E-mails.
		{"email", "send去chan.tm@example.com啦", "send去***@example.com啦"},
		{"email with digits", "chan12345678@gmail.com", "***@gmail.com"},
		{"email plus", "a.b+bank@mail.hk", "***@mail.hk"},
		// Mixed.
		{"hkid and phone", "A123456(7) 同 98765432", "A******(*) 同 ******32"},
		// Must not be masked.
		{"amount", "HK$3,500", "HK$3,500"},
		{"big amount commas", "我要轉HK$1,000,000", "我要轉HK$1,000,000"},
		{"decimal amount", "3500.50蚊", "3500.50蚊"},
		{"date chinese", "2026年3月5日", "2026年3月5日"},
		{"date iso", "2026-03-05", "2026-03-05"},
		{"date dmy", "05-03-2026", "05-03-2026"},
		{"date slash", "2026/03/05", "2026/03/05"},
		{"time", "下午2:30", "下午2:30"},
		{"time seconds", "14:30:00", "14:30:00"},
		{"last four", "尾號1234", "尾號1234"},
		{"last four english", "card ending 1234", "card ending 1234"},
		{"seven digits", "1234567", "1234567"},
		{"chinese amount", "三千五百蚊", "三千五百蚊"},
		{"chinese date", "二〇二六年三月五號", "二〇二六年三月五號"},
		{"short spoken digits", "一二三四五六七", "一二三四五六七"},
		{"words with numerals", "一一講清楚，三三兩兩", "一一講清楚，三三兩兩"},
		{"not email", "a@b", "a@b"},
		{"at sign only", "喺@度", "喺@度"},
		{"not hkid three letters", "ABC1234567", "ABC1234567"},
		{"not hkid letter after", "A1234567B", "A1234567B"},
		{"empty", "", ""},
		{"plain cantonese", "我想問下分行幾點開門", "我想問下分行幾點開門"},
		{"already masked", "**** **** **** 1234", "**** **** **** 1234"},
		{"invalid date stays masked", "2026-13-45", "****-**-45"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in)
			if got != tc.want {
				t.Fatalf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := Text(got); again != got {
				t.Fatalf("not idempotent: Text(%q) = %q", got, again)
			}
		})
	}
}

func TestDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"1234", "****"},
		{"123456#", "*******"},
		{"*9A", "***"},
		{"１２", "**"},
	}
	for _, tc := range tests {
		if got := Digits(tc.in); got != tc.want {
			t.Errorf("Digits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTextNoAllocWhenClean(t *testing.T) {
	s := "我想問下分行星期六幾點開門，尾號1234嗰張卡。HK$3,500"
	allocs := testing.AllocsPerRun(100, func() { _ = Text(s) })
	if allocs != 0 {
		t.Fatalf("Text allocated %.0f times on text with nothing to mask", allocs)
	}
}

// longestDigitRun is the longest run of consecutive digit runes.
func longestDigitRun(s string) int {
	best, cur := 0, 0
	for _, r := range s {
		if isDigit(r) {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

func FuzzText(f *testing.F) {
	seeds := []string{
		"A123456(7)", "AB1234567", "4111 1111 1111 1234", "012-345678-001",
		"+852 9123 4567", "九一二三四五六七", "chan.tm@example.com", "HK$3,500",
		"2026年3月5日", "下午2:30", "尾號1234", "2026-03-05", "A123456A 1234567",
		"1234567 8@x.com", "u@a.bc12345678", "A一二三四五六七abc@x.com",
		"9123 45678901@x.com", "K一二三四五六(七)", "85221234567", "",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(checkText)
}

// FuzzTextAlphabet builds inputs from the characters that matter to the
// masker (digits in three scripts, HKID letters, separators, brackets, e-mail
// punctuation, masks), which random bytes rarely hit together.
func FuzzTextAlphabet(f *testing.F) {
	alphabet := []string{"1", "8", "5", "2", "0", "九", "兩", "９", "A", "B", "c", "o", "m",
		" ", "-", "(", ")", "（", "）", "@", ".", "*", "+", "號", "\u3000", "年"}
	for _, seed := range [][]byte{{0, 1, 2, 3, 0, 1, 2, 3}, {8, 0, 1, 2, 3, 4, 5, 6, 15, 0, 16}, {3, 2, 3, 4, 0, 1, 2, 3, 4, 19, 10, 11, 20, 12}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, picks []byte) {
		var b strings.Builder
		for _, p := range picks {
			b.WriteString(alphabet[int(p)%len(alphabet)])
		}
		checkText(t, b.String())
	})
}

// checkText asserts the properties Text promises for any input.
func checkText(t *testing.T, s string) {
	out := Text(s)
	if again := Text(out); again != out {
		t.Fatalf("not idempotent:\n in  %q\n out %q\n out2 %q", s, out, again)
	}
	if n := longestDigitRun(out); n >= minRun {
		t.Fatalf("Text(%q) = %q keeps %d consecutive digits", s, out, n)
	}
	if utf8.ValidString(s) && !utf8.ValidString(out) {
		t.Fatalf("Text(%q) produced invalid UTF-8 %q", s, out)
	}
	if strings.Count(out, "@") != strings.Count(s, "@") {
		t.Fatalf("Text(%q) = %q changed the number of @", s, out)
	}
}

func BenchmarkText(b *testing.B) {
	cases := map[string]string{
		"clean": "你好，我想問下你哋旺角分行星期六幾點開門，同埋我張卡尾號1234嘅簽賬限額係咪HK$30,000？",
		"pii":   "我叫陳大文，身份證A123456(7)，電話9123 4567，張卡4111 1111 1111 1234，email chan.tm@example.com",
	}
	for name, s := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				_ = Text(s)
			}
		})
	}
}
