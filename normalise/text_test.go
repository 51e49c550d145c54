package normalise

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPunctuate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"spaces only", "   \t ", ""},
		{"comma after CJK", "好,ok", "好，ok"},
		{"question mark", "你好?", "你好？"},
		{"all six", "甲,乙?丙!丁:戊;己.", "甲，乙？丙！丁：戊；己。"},
		{"space before punct", "你好 ? ", "你好？"},
		{"punct before CJK", "Hello, 你好", "Hello，你好"},
		{"ellipsis", "好...", "好……"},
		{"two dots", "係..咩", "係……咩"},
		{"spaced dots", "好 . .", "好。。"},
		{"decimal kept", "3.5蚊", "3.5蚊"},
		{"thousands kept", "HK$1,000蚊", "HK$1,000蚊"},
		{"time kept", "3:30見", "3:30見"},
		{"latin punct kept", "ok, then", "ok, then"},
		{"url kept", "去www.hsbc.com.hk睇", "去www.hsbc.com.hk睇"},
		{"spaces between CJK", "我 想 查 戶 口", "我想查戶口"},
		{"CJK and latin", "check 下個 balance", "check下個balance"},
		{"latin words keep one space", "credit  card", "credit card"},
		{"code switch", "我想 check 下 credit card 嘅 balance", "我想check下credit card嘅balance"},
		{"digits next to CJK", "我有 3 張卡", "我有3張卡"},
		{"ideographic space", "你好\u3000世界", "你好世界"},
		{"full-width digits", "１２３４", "1234"},
		{"full-width letters", "ＨＫＩＤ ａ１２３", "HKID a123"},
		{"full-width punct stays", "你好！點呀？", "你好！點呀？"},
		{"space after full-width punct", "好， ok", "好，ok"},
		{"no NFKC on brackets", "「你好」（測試）", "「你好」（測試）"},
		{"sensevoice tags", "<|yue|><|NEUTRAL|><|Speech|><|withitn|>我想查戶口結餘。", "我想查戶口結餘。"},
		{"nested tags", "<<|a|>|b|>x", "x"},
		{"not a tag", "a<|b c|>d", "a<|b c|>d"},
		{"unclosed tag", "<|yue 你好", "<|yue你好"},
		{"trim", "  喂 ,  你好 .  ", "喂，你好。"},
		{"newline collapsed", "第一句\n第二句", "第一句第二句"},
		{"hkid kept", "A123456(3)", "A123456(3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Punctuate(tt.in)
			if got != tt.want {
				t.Errorf("Punctuate(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Punctuate(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"户口结余", "戶口結餘"},
		{"转人工", "轉人工"},
		{"我想查询余额", "我想查詢餘額"},
		{"信用卡唔见咗", "信用卡唔見咗"},
		{"我 想 查 户 口 结 余", "我想查戶口結餘"},
		{"系唔系要转人工?", "係唔係要轉人工？"},
		{"<|yue|><|NEUTRAL|><|Speech|><|withitn|>我想查户口结余。", "我想查戶口結餘。"},
		{"我想问下:几时到?", "我想問下：幾時到？"},
		{"credit card 唔见咗!", "credit card唔見咗！"},
		{"我嘅ＨＫＩＤ号码系Ａ１２３４５６", "我嘅HKID號碼系A123456"}, // lone 系 stays ambiguous
		{"我要还 3,500 蚊", "我要還3,500蚊"},
		{"喂,你好", "喂，你好"},
		{"唔该晒", "唔該晒"},
		{"戶口結餘", "戶口結餘"},
		{"我哋喺度排隊,我過去睇吓先.", "我哋喺度排隊，我過去睇吓先。"},
		{"  ", ""},
	}
	for _, tt := range tests {
		got := Text(tt.in)
		if got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Text(got); again != got {
			t.Errorf("Text not idempotent: %q -> %q", got, again)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "户口结余", "我 想 查 户 口", "好,ok", "好...", "3.5蚊", "<|yue|>你好", "<<|a|>|b|>",
		"check 下個 balance", "ＡＢＣ１２３", "系唔系", "于正升", "台布下", "么凤士多", "戶口余额",
		"a<|b c|>d", "。 . ,", "喂 , 你好 .", "\u3000", "\xff\xfe", "<|" + strings.Repeat("x", 40) + "|>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		p := Punctuate(s)
		h := ToHK(s)
		if !utf8.ValidString(s) {
			return
		}
		if !utf8.ValidString(out) || !utf8.ValidString(p) || !utf8.ValidString(h) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if again := Text(out); again != out {
			t.Fatalf("Text not idempotent: %q -> %q -> %q", s, out, again)
		}
		if again := Punctuate(p); again != p {
			t.Fatalf("Punctuate not idempotent: %q -> %q -> %q", s, p, again)
		}
		if strings.Contains(out, "<|") && strings.Contains(StripTags(out), "|>") && StripTags(out) != out {
			t.Fatalf("tag left in %q", out)
		}
		if strings.TrimSpace(out) != out {
			t.Fatalf("untrimmed %q", out)
		}
	})
}

func BenchmarkText(b *testing.B) {
	dict()
	const utt = "我想查询户口结余同埋信用卡还款" // 15 characters, as the recogniser writes them
	b.ReportAllocs()
	b.SetBytes(int64(len(utt)))
	for b.Loop() {
		Text(utt)
	}
}

func BenchmarkTextTraditional(b *testing.B) {
	dict()
	const utt = "我想查詢戶口結餘同埋信用卡還款"
	b.ReportAllocs()
	for b.Loop() {
		Text(utt)
	}
}

func BenchmarkPunctuate(b *testing.B) {
	const utt = "我 想 查 户 口 结 余 , 唔该 ?"
	b.ReportAllocs()
	for b.Loop() {
		Punctuate(utt)
	}
}

// TestTextIdempotentRandom strings together dictionary characters, phrase
// pieces, punctuation and Latin text at random (seeded) and checks that Text
// is idempotent: byte-level fuzzing rarely produces CJK phrases.
var randomCases = 20000

func init() {
	if raceEnabled {
		randomCases = 4000
	}
}

func TestTextIdempotentRandom(t *testing.T) {
	d := dict()
	pool := []string{" ", ",", ".", "?", "ok", "3", "\u3000", "，", "系", "唔", "喂", "晒", "<|yue|>"}
	for k, v := range d.chars {
		pool = append(pool, string(k), string(v))
	}
	n := 0
	for k, v := range d.phrases {
		if n++; n%7 == 0 {
			pool = append(pool, k, v)
		}
	}
	slices.Sort(pool) // map order is random; keep the run reproducible
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for i := 0; i < randomCases; i++ {
		b.Reset()
		for j := rng.IntN(8) + 1; j > 0; j-- {
			b.WriteString(pool[rng.IntN(len(pool))])
		}
		s := b.String()
		once := Text(s)
		if twice := Text(once); twice != once {
			t.Errorf("Text not idempotent: %q -> %q -> %q", s, once, twice)
		}
	}
}
