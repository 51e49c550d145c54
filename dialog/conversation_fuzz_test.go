package dialog

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzConversation feeds arbitrary caller text, turn after turn, through a
// conversation with a caller ID (identity flow, corrections, follow-ups,
// guardrails); it must never panic and always reply sensibly.
func FuzzConversation(f *testing.F) {
	for _, s := range []string{"", "我想查結餘", "唔係呀，我係話信用卡", "咁上個月呢？", "A一二三", "二四六八一零",
		"唔係轉賬係查數", "過三千蚊俾阿媽", "有人盜用我張卡", "我應該買咩股票", "\xff\xfe", "唔係", "唔係係", "1月", "no, 係"} {
		f.Add(s, "我想查交易紀錄")
	}
	e := bankEngine(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		// No bank API: tools fail fast (nothing listens on port 1).
		c := e.NewConversation(WithCaller("+85291234567"), WithGetenv(func(string) string { return "http://127.0.0.1:1" }))
		for _, say := range []string{b, a, a + b} {
			r := c.Respond(context.Background(), say)
			if r.Action < Answer || r.Action > Review {
				t.Fatalf("%q: action %v", say, r.Action)
			}
			if r.Text == "" || !utf8.ValidString(r.Text) {
				t.Fatalf("%q: text %q", say, r.Text)
			}
			if r.Action == Handoff && r.Queue == "" {
				t.Fatalf("%q: hand-off without a queue", say)
			}
		}
		if s := c.Summary(); strings.TrimSpace(s.Text) == "" {
			t.Fatal("empty summary")
		}
		c.Suggestions(3)
	})
}

func FuzzCorrection(f *testing.F) {
	for _, s := range []string{"唔係呀，我係話信用卡", "唔係轉賬係查數", "唔係我轉嘅", "不是A是B", "no, 我係話上個月", "唔係", "唔係係"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body, ok := correction(s)
		if !ok && body != s {
			t.Fatalf("not a correction but body changed: %q -> %q", s, body)
		}
		if ok && (body == "" || !strings.Contains(s, body)) {
			t.Fatalf("correction %q -> %q", s, body)
		}
		_ = factorAnswer(s)
		_ = isFollowUp(s)
	})
}

// BenchmarkRespondMultiTurn runs a verified-style conversation without
// network: follow-ups, corrections, guardrails and KB answers.
func BenchmarkRespondMultiTurn(b *testing.B) {
	e := bankEngine(b)
	turns := []string{"我想查上個月嘅交易紀錄", "咁今個月呢？", "唔係呀，我係話九月", "逾期費用點計", "我想轉5000蚊去我老婆戶口", "分行幾點開門"}
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	var c *Conversation
	for b.Loop() {
		if i%len(turns) == 0 {
			c = e.NewConversation(WithClock(func() time.Time { return now }))
		}
		c.Respond(ctx, turns[i%len(turns)])
		i++
	}
}
