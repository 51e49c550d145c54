package llm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func splitAll(text string, piece int) []string {
	var s Splitter
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs); i += piece {
		out = s.Write(string(rs[i:min(i+piece, len(rs))]), out)
	}
	return s.Flush(out)
}

func TestSplitter(t *testing.T) {
	long := strings.Repeat("一", 41)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"full stops", "你好！我係助手。有咩幫到你？", []string{"你好！", "我係助手。", "有咩幫到你？"}},
		{"ascii", "Hello! How are you? Fine", []string{"Hello!", " How are you?", " Fine"}},
		{"semicolon and newline", "第一；第二\n第三", []string{"第一；", "第二\n", "第三"}},
		{"decimal kept", "匯率係7.8，好抵。", []string{"匯率係7.8，好抵。"}},
		{"dot then space", "It is 7.8. Good.", []string{"It is 7.8.", "Good."}},
		{"list number kept", "1. 開戶\n2. 轉賬", []string{"1. 開戶\n", "2. 轉賬"}},
		{"short clause kept", "好，我明白。", []string{"好，我明白。"}},
		{"long clause cut", long + "，尾。", []string{long + "，", "尾。"}},
		{"hard cut", strings.Repeat("字", 125), []string{strings.Repeat("字", 120), strings.Repeat("字", 5)}},
		{"empty", "", nil},
		{"closing quote", "佢話「好。」跟住", []string{"佢話「好。", "」跟住"}},
	}
	for _, tt := range tests {
		for _, piece := range []int{1, 2, 7, 1000} {
			got := splitAll(tt.in, piece)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s (pieces of %d): got %q, want %q", tt.name, piece, got, tt.want)
			}
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
		cites          []string
	}{
		{"plain", "手續費係二十五蚊。", "手續費係二十五蚊。", nil},
		{"cite", "手續費係二十五蚊[fees]。", "手續費係二十五蚊。", []string{"fees"}},
		{"two cites", "免費[a, b-2]【c:d】。", "免費。", []string{"a", "b-2", "c:d"}},
		{"bold and code", "**記住**：`OTP` 唔好俾人。", "記住：OTP 唔好俾人。", nil},
		{"heading", "## 重點\n", "重點", nil},
		{"bullet", "- 帶身份證。", "帶身份證。", nil},
		{"numbered", "2. 帶住址證明。", "帶住址證明。", nil},
		{"link", "睇[網頁](https://x.hk)啦。", "睇網頁啦。", nil},
		{"emoji", "好呀😊👍🏻！", "好呀！", nil},
		{"snake kept", "用 fx_rate 查", "用 fx_rate 查", nil},
		{"spaces", "  Hello   world  ", "Hello world", nil},
		{"only punctuation", "」", "", nil},
		{"only cite", "[fees]", "", []string{"fees"}},
		{"not a cite", "[點樣]開戶", "[點樣]開戶", nil},
		{"unclosed", "[fees", "[fees", nil},
	}
	for _, tt := range tests {
		got, cites := Clean(tt.in, nil)
		if got != tt.want || !slices.Equal(cites, tt.cites) {
			t.Errorf("%s: Clean(%q) = %q %q, want %q %q", tt.name, tt.in, got, cites, tt.want, tt.cites)
		}
	}
}

func FuzzSplitter(f *testing.F) {
	for _, s := range []string{"你好！我係助手。", "It is 7.8. Good.", "1. a\n2. b", "**x**[id]【y】😊", strings.Repeat("一，", 50), "\xff\xfe。"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, in string, piece int) {
		piece = 1 + abs(piece)%16
		whole := splitAll(in, len(in)+1)
		parts := splitAll(in, piece)
		if !slices.Equal(whole, parts) {
			t.Fatalf("chunking changed sentences: %q vs %q", whole, parts)
		}
		for _, s := range whole {
			if utf8.RuneCountInString(s) > 3*DefaultClauseRunes {
				t.Fatalf("sentence over %d runes: %q", 3*DefaultClauseRunes, s)
			}
			clean, _ := Clean(s, nil)
			if !utf8.ValidString(clean) {
				t.Fatalf("Clean(%q) not UTF-8", s)
			}
			_, _, _ = Guard(clean)
		}
		if utf8.ValidString(in) && strip(strings.Join(whole, "")) != strip(in) {
			t.Fatalf("text lost: %q -> %q", in, whole)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func strip(s string) string { return strings.Join(strings.Fields(s), "") }

const benchAnswer = "海外提款手續費係每次港幣二十五蚊[fees]。如果你用本行嘅提款機，就唔使收費。" +
	"**提提你**：出發之前記得喺手機 App 開通海外提款功能，每日限額最高係兩萬蚊，" +
	"你可以按自己需要調低啲。有咩唔明，隨時再問我啦😊！"

func BenchmarkSplitter(b *testing.B) {
	rs := []rune(benchAnswer)
	var chunks []string
	for i := 0; i < len(rs); i += 3 {
		chunks = append(chunks, string(rs[i:min(i+3, len(rs))]))
	}
	var s Splitter
	out := make([]string, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchAnswer)))
	for b.Loop() {
		out = out[:0]
		for _, c := range chunks {
			out = s.Write(c, out)
		}
		out = s.Flush(out)
	}
	if len(out) != 5 {
		b.Fatalf("got %d sentences: %q", len(out), out)
	}
}

func BenchmarkCleanGuard(b *testing.B) {
	sentences := splitAll(benchAnswer, 3)
	cites := make([]string, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sentences {
			c, _ := Clean(s, cites[:0])
			Guard(c)
		}
	}
}
