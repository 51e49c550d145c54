package spoken

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	br := BreakTag
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"cjk sentences", "你好。我想查詢結餘！可以嗎？", 60, []string{"你好。", "我想查詢結餘！", "可以嗎？"}},
		{"latin sentences", "Hello there. How are you? Fine!", 60, []string{"Hello there.", "How are you?", "Fine!"}},
		{"semicolons", "第一；第二;第三", 60, []string{"第一；", "第二;", "第三"}},
		{"decimal not split", "利率係3.5厘。多謝", 60, []string{"利率係3.5厘。", "多謝"}},
		{"period glued not split", "www.bank.com 同 v2.0 版", 60, []string{"www.bank.com 同 v2.0 版"}},
		{"period at end", "Call us now.", 60, []string{"Call us now."}},
		{"ellipsis", "Wait... what?", 60, []string{"Wait...", "what?"}},
		{"repeated punctuation kept", "真係？！好", 60, []string{"真係？！", "好"}},
		{"closing quote kept", "佢話「好。」然後走咗", 60, []string{"佢話「好。」", "然後走咗"}},
		{"period before quote", `He said "ok." Then left`, 60, []string{`He said "ok."`, "Then left"}},
		{"newline", "第一行\n第二行", 60, []string{"第一行", "第二行"}},
		{"empty", "", 60, nil},
		{"only spaces", "  \n ", 60, nil},
		{"punctuation joins previous", "你好。。 ！", 60, []string{"你好。。！"}},
		{"leading punctuation joins next", "。你好", 60, []string{"。你好"}},
		{"only punctuation", "。。", 60, []string{"。。"}},
		{"long split at comma", "一二三四五，六七八九十，甲乙丙丁", 8, []string{"一二三四五，", "六七八九十，", "甲乙丙丁"}},
		{"long split at 、", "蘋果、橙、香蕉、提子", 6, []string{"蘋果、橙、", "香蕉、提子"}},
		{"long split at space", "one two three four", 10, []string{"one two", "three four"}},
		{"long hard split", "一二三四五六七八九十", 4, []string{"一二三四", "五六七八", "九十"}},
		{"no limit", "一二三四五六七八九十", 0, []string{"一二三四五六七八九十"}},
		{"break tag whole", "九一二三" + br + "四五六七。", 6, []string{"九一二三" + br + "四", "五六七。"}},
		{"break tag space not cut", "一二" + br + "三四", 3, []string{"一二" + br, "三四"}},
		{"break tag only", br, 60, []string{br}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.in, tc.max)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// TestSplitKeepsText checks that the chunks hold all of the text: only
// whitespace at the cuts is lost, and no chunk is over the limit.
func TestSplitKeepsText(t *testing.T) {
	in := "你張卡尾號一二三四喺三月五號下晝兩點半簽咗三千五百蚊，年利率二點五厘。如有疑問請致電二三四五，六七八九，或者用App查詢 online banking. 多謝！"
	for _, max := range []int{0, 5, 12, 30, 60} {
		chunks := Split(in, max)
		if strip(strings.Join(chunks, "")) != strip(in) {
			t.Errorf("max %d: chunks %q lose text", max, chunks)
		}
		for _, c := range chunks {
			if max > 0 && utf8.RuneCountInString(c) > max {
				t.Errorf("max %d: chunk %q too long", max, c)
			}
		}
	}
}

func strip(s string) string { return strings.Join(strings.Fields(s), "") }

func BenchmarkSplit(b *testing.B) {
	in := strings.Repeat("你張卡尾號一二三四喺三月五號下晝兩點半簽咗三千五百蚊，年利率二點五厘。Thank you. ", 4)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Split(in, 60)
	}
}

func TestSentencesSplitThenRead(t *testing.T) {
	got := Sentences("你嘅結餘係HK$3,500。請問仲有咩可以幫到你？", Options{}, 60)
	want := []string{"你嘅結餘係三千五百蚊。", "請問仲有咩可以幫到你？"}
	if len(got) != len(want) {
		t.Fatalf("Sentences = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sentence %d = %q, want %q", i, got[i], want[i])
		}
	}
}
