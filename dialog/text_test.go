package dialog

import (
	"strings"
	"testing"
)

func TestCompact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"我張Credit Card唔見咗呀！", "我張credit card唔見咗"},
		{"转人工", "轉人工"},
		{"我个户口余额", "我個戶口餘額"},
		{"ＦＰＳ轉數", "fps轉數"},
		{"好啊，唔該。", "好唔該"},
		{"check  balance", "check balance"},
		{"我 想 查 結 餘", "我想查結餘"},
		{"唔該哂", "唔該晒"},
		{"系唔系", "係唔係"},
		{"嗯……", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := compact(tc.in); got != tc.want {
			t.Errorf("compact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAnalyzeSymbols(t *testing.T) {
	var b strings.Builder
	a := analyze("我張credit card，3500蚊", &b, nil)
	var got []string
	for _, s := range a.syms {
		got = append(got, a.compact[s.start:s.end])
	}
	want := "我 張 credit card 蚊"
	if strings.Join(got, " ") != want {
		t.Fatalf("symbols %q, want %q", got, want)
	}
	if a.syms[3].seg == a.syms[4].seg {
		t.Fatal("the comma should start a new segment")
	}
}

func TestRules(t *testing.T) {
	negators := []string{"唔使", "唔想"}
	tests := []struct {
		keyword, text string
		hit, negated  bool
	}{
		{"轉人工", "幫我轉人工", true, false},
		{"轉人工", "唔使轉人工", true, true},
		{"轉人工", "唔使幫我轉人工", true, true},
		{"轉人工", "我唔想再等喇幫我轉人工", true, false},
		{"卡…唔見", "我張credit card唔見咗", false, false},
		{"card…唔見", "我張credit card唔見咗", true, false},
		{"卡…唔見", "張卡好似唔見咗", true, false},
		{"卡…唔見", "唔見咗張卡", false, false},
		{"pin", "我想改pin", true, false},
		{"pin", "我鍾意shopping", false, false},
		{"lost card", "I lost card 呀", true, false},
		{"=你好", "你好呀", true, false},
		{"=你好", "你好我想查結餘", false, false},
		{"fps", "用FPS", true, false},
	}
	for _, tc := range tests {
		r, err := parseKeyword(tc.keyword)
		if err != nil {
			t.Fatalf("parseKeyword(%q): %v", tc.keyword, err)
		}
		hit, neg := r.match(compact(tc.text), negators)
		if hit != tc.hit || neg != tc.negated {
			t.Errorf("%q in %q: hit=%v negated=%v, want %v %v", tc.keyword, tc.text, hit, neg, tc.hit, tc.negated)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, u := range utterances {
		f.Add(u.text)
	}
	f.Add("")
	f.Add("\xff\xfe唔使轉人工…")
	e := bankEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		a := e.Classify(text)
		if a.Confidence < 0 || a.Confidence > 1 {
			t.Fatalf("confidence %v", a.Confidence)
		}
		if b := e.Classify(text); a != b {
			t.Fatalf("not deterministic: %+v vs %+v", a, b)
		}
		c := e.NewConversation()
		r := c.Respond(t.Context(), text)
		if r.Text == "" || r.Action < Answer || r.Action > Review {
			t.Fatalf("Respond(%q) = %+v", text, r)
		}
		if r.Action == Handoff && r.Queue == "" {
			t.Fatalf("hand-off without queue: %+v", r)
		}
	})
}
