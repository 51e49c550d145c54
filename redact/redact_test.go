package redact

import (
	"sync"
	"testing"
)

type textCase struct{ name, in, want string }

// runText checks Text against want and that masking again changes nothing.
func runText(t *testing.T, tests []textCase) {
	t.Helper()
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

func TestTextCards(t *testing.T) {
	runText(t, []textCase{
		{"visa spaced", "張卡號碼係4111 1111 1111 1111", "張卡號碼係**** **** **** 1111"},
		{"code-mixed", "我張卡號係4111 1111 1111 1111", "我張卡號係**** **** **** 1111"},
		{"dashed", "4111-1111-1111-1111", "****-****-****-1111"},
		{"plain 16", "5500000000000004", "************0004"},
		{"amex 15", "3782 822463 10005", "**** ****** *0005"},
		{"visa 13", "card 4222222222222 ok", "card *********2222 ok"},
		{"unionpay 19", "6212345678901234569", "***************4569"},
		{"spoken", "四零零零 一二三四 五六七八 九零一七", "**** **** **** 九零一七"},
		{"full-width", "４０１２８８８８８８８８１８８１", "************１８８１"},
		{"comma pauses", "4111，1111，1111，1111", "****，****，****，1111"},
		{"luhn invalid keeps 2", "4111 1111 1111 1234", "**** **** **** **34"},
		{"luhn invalid 19", "6212345678901234567", "*****************67"},
		{"20 digits", "12345678901234567890", "******************90"},
		{"card then phone", "4111 1111 1111 1111 9123 4567", "**** **** **** **** **** **67"},
	})
}

func TestTextAccounts(t *testing.T) {
	runText(t, []textCase{
		{"hsbc dashed", "戶口012-345678-001", "戶口***-******-001"},
		{"bank code prefix", "轉去004-123-456789-001", "轉去***-***-******-001"},
		{"boc style", "012-875-1-234567-8", "***-***-*-****67-8"},
		{"9 digits", "123456789", "******789"},
		{"12 digits spaced", "戶口號碼 0123 4567 8901 係咪", "戶口號碼 **** **** *901 係咪"},
		{"spoken", "戶口係零一二 三四五六七八 零零一", "戶口係*** ****** 零零一"},
	})
}

func TestTextPhones(t *testing.T) {
	runText(t, []textCase{
		{"spaced", "打9123 4567搵我", "打**** **67搵我"},
		{"glued", "電話: 91234567", "電話: ******67"},
		{"+852", "+852 9123 4567", "+852 **** **67"},
		{"(852)", "(852) 2123-4567", "(852) ****-**67"},
		{"852 glued", "85221234567", "852******67"},
		{"00852", "00852 6123 4567", "00852 **** **67"},
		{"852 then 1 is not a prefix", "85212345678", "********678"},
		{"landline", "2345-6789", "****-**89"},
		{"spaced digits", "9 1 2 3 4 5 6 7", "* * * * * * 6 7"},
		{"spaced dash", "9123 - 4567", "**** - **67"},
		{"chinese", "我電話係九一二三四五六七", "我電話係******六七"},
		{"chinese split", "電話係九一二三 四五六七", "電話係**** **六七"},
		{"chinese comma", "電話係九一二三，四五六七", "電話係****，**六七"},
		{"幺 for one", "打幺幺零八 五六七八", "打**** **七八"},
		{"兩 and 〇", "六兩三四 五六七八", "**** **七八"},
		{"zeros", "二三〇〇零一二三", "******二三"},
		{"full-width", "９１２３４５６７", "******６７"},
		{"words (Common Voice)", "可致電二五五九二二九七", "可致電******九七"},
		{"starts with 1 still masked", "12345678", "******78"},
		{"counting over-masked", "一二三四五六七八九十", "******七八九十"},
	})
}

func TestTextEmails(t *testing.T) {
	runText(t, []textCase{
		{"plain", "send去chan.tm@example.com啦", "send去***@example.com啦"},
		{"digits", "chan12345678@gmail.com", "***@gmail.com"},
		{"plus", "a.b+bank@mail.hk", "***@mail.hk"},
		{"two", "a@x.com, b@y.org", "***@x.com, ***@y.org"},
		{"not email", "a@b", "a@b"},
		{"at sign only", "喺@度", "喺@度"},
	})
}

// TestTextKept guards against false positives on everyday numbers.
func TestTextKept(t *testing.T) {
	tests := []string{
		"50000蚊", "我要還50000蚊", "HK$3,500", "我要轉HK$1,000,000", "HK$1,234,567.89",
		"HK$12,345,678.90", "123,456,789", "3500.50蚊", "HK$1234567",
		"2026年3月5號", "二〇二六年三月五號", "2026-03-05", "05-03-2026", "2026/03/05",
		"下晝3點半", "下午2:30", "14:30:00", "尾號1234", "card ending 1234",
		"1234567", "三千五百蚊", "一二三四五六七", "一一講清楚，三三兩兩",
		"八六,八二,八三,八四.", "三,四千蚊一個月咋", "一、二、三、四、五",
		"A1234567", "AB1234567", "G123456", "ABC1234563", "A1234563B", "CX123456 航班",
		"我想問下分行幾點開門", "**** **** **** 1234", "",
	}
	for _, s := range tests {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestTextMixed(t *testing.T) {
	runText(t, []textCase{
		{"hkid and phone", "A123456(3) 同 98765432", "A******(*) 同 ******32"},
		{"everything", "我叫陳大文，身份證A123456(3)，電話9123 4567，張卡4111 1111 1111 1111，email chan.tm@example.com",
			"我叫陳大文，身份證A******(*)，電話**** **67，張卡**** **** **** 1111，email ***@example.com"},
		{"money next to phone", "HK$1,234,567.89 打9123 4567", "HK$1,234,567.89 打**** **67"},
		{"invalid date masked", "2026-13-45", "****-**-45"},
		{"invalid utf-8", "9123\xff4567", "9123\uFFFD4567"},
		{"8 digits of money", "HK$12345678", "HK$******78"},
		{"list of amounts over-masked", "100, 200, 300", "***, ***, 300"},
	})
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

// TestTextConcurrent runs Text from many goroutines (meaningful under -race).
func TestTextConcurrent(t *testing.T) {
	in := "身份證A123456(3)，電話9123 4567，chan@example.com"
	want := Text(in)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := Text(in); got != want {
					errs <- got
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent Text = %q, want %q", got, want)
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

func BenchmarkText(b *testing.B) {
	cases := map[string]string{
		"clean": "你好，我想問下你哋旺角分行星期六幾點開門，同埋我張卡尾號1234嘅簽賬限額係咪HK$30,000？",
		"pii":   "我叫陳大文，身份證A123456(3)，電話9123 4567，張卡4111 1111 1111 1111，email chan.tm@example.com",
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
