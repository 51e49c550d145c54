package jyutping

import (
	"slices"
	"strings"
	"testing"
)

func TestChar(t *testing.T) {
	tests := []struct {
		r    rune
		want []string // a prefix of the readings
	}{
		{'我', []string{"ngo5"}},
		{'查', []string{"caa4"}},
		{'茶', []string{"caa4"}},
		{'行', []string{"haang4", "hang4"}},
		{'銀', []string{"ngan4"}},
		{'银', []string{"ngan4"}}, // Simplified, folded
		{'发', []string{"faat3"}},
		{'𨋢', []string{"lip1"}}, // outside the BMP
	}
	for _, tt := range tests {
		got := Char(tt.r)
		if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("Char(%q) = %v, want prefix %v", tt.r, got, tt.want)
		}
	}
	for _, r := range []rune{'a', '1', '，', 0xFFFD} {
		if got := Char(r); got != nil {
			t.Errorf("Char(%q) = %v, want nil", r, got)
		}
	}
	got := Char('行')
	got[0] = "x"
	if Char('行')[0] != "haang4" {
		t.Error("Char shares its slice with the table")
	}
}

func TestSyllables(t *testing.T) {
	tests := []struct{ in, want string }{
		{"我", "ngo5"},
		{"銀行", "ngan4 hong4"}, // context: 行 alone is haang4
		{"我去銀行", "ngo5 heoi3 ngan4 hong4"},
		{"行街", "haang4 gaai1"},
		{"重要", "zung6 jiu3"}, {"重新", "cung4 san1"}, // 重 by context
		{"調整", "tiu4 zing2"}, {"調查", "diu6 caa4"}, // 調 by context
		{"音樂", "jam1 ngok6"}, {"快樂", "faai3 lok6"}, // 樂 by context
		{"银行", "ngan4 hong4"}, // Simplified
		{"我想查結餘。", "ngo5 soeng2 caa4 git3 jyu4"},
		{"我想茶結餘", "ngo5 soeng2 caa4 git3 jyu4"}, // ASR homophone error
		{"張卡唔見咗", "zoeng1 kaa1 m4 gin3 zo2"},
		{"我張Credit Card唔見咗", "ngo5 zoeng1 credit card m4 gin3 zo2"},
		{"ＡＴＭ 123", "atm 123"}, // full-width, digits
		{"OTP 係咩？", "otp hai6 me1"},
		{"", ""},
		{"，。！？ ...", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(Syllables(tt.in), " "); got != tt.want {
			t.Errorf("Syllables(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSyllablesOnePerHanRune(t *testing.T) {
	for _, s := range []string{"粵通銀行大部分分行星期一至五朝早九點開門", "信用卡遺失報失補領新卡", "重新設定網上理財密碼"} {
		if got, want := len(Syllables(s)), len([]rune(s)); got != want {
			t.Errorf("Syllables(%q) has %d tokens, want %d", s, got, want)
		}
	}
}

func TestHomophones(t *testing.T) {
	pairs := [][2]string{{"查", "茶"}, {"賬", "帳"}, {"卡", "咔"}, {"息", "色"}, {"利息", "利色"}}
	for _, p := range pairs {
		a, b := Syllables(p[0]), Syllables(p[1])
		if len(a) != len(b) {
			t.Fatalf("%v: lengths differ: %v %v", p, a, b)
		}
		for i := range a {
			if Toneless(a[i]) != Toneless(b[i]) {
				t.Errorf("%s %v and %s %v do not sound alike", p[0], a, p[1], b)
			}
		}
	}
}

func TestToneless(t *testing.T) {
	for in, want := range map[string]string{"ngo5": "ngo", "hong4": "hong", "m4": "m", "atm": "atm", "123": "123", "": "", "5": "5"} {
		if got := Toneless(in); got != want {
			t.Errorf("Toneless(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[rune]rune{'发': '發', '个': '個', '了': '了', '只': '只', 'Ａ': 'A', '１': '1', '　': ' ', '我': '我', 'a': 'a'} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableSize(t *testing.T) {
	tb := load()
	if len(tb.runes) < 25000 || len(tb.words) < 3000 || len(tb.simp) < 4000 {
		t.Errorf("table: %d characters, %d words, %d folds; data missing?", len(tb.runes), len(tb.words), len(tb.simp))
	}
}

func TestAppendSyllablesAllocs(t *testing.T) {
	dst := make([]string, 0, 64)
	n := testing.AllocsPerRun(100, func() { dst = AppendSyllables(dst[:0], "我張credit card唔見咗，想去銀行報失") })
	if n != 0 {
		t.Errorf("AppendSyllables: %v allocs, want 0", n)
	}
}

func FuzzSyllables(f *testing.F) {
	for _, s := range []string{"銀行", "ＡＴＭ abc", "\xff\xfe", "银行卡", "𨋢𨋢𨋢𨋢𨋢𨋢𨋢𨋢𨋢𨋢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Syllables(s) {
			if tok == "" {
				t.Fatalf("empty token for %q", s)
			}
		}
	})
}

func BenchmarkSyllables(b *testing.B) {
	s := "你好，我張信用卡唔見咗，想即刻凍結同埋報失，順便問下銀行而家幾點關門"
	dst := make([]string, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	load()
	b.ResetTimer()
	for b.Loop() {
		dst = AppendSyllables(dst[:0], s)
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		parse(charsData, wordsData, simpData)
	}
}
