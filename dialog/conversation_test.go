package dialog

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
)

// turn is one caller utterance and what must come back.
type turn struct {
	say     string
	action  Action
	intent  string
	queue   string
	reason  string
	contain string // substring of the reply text
}

func converse(t *testing.T, c *Conversation, turns []turn) {
	t.Helper()
	for i, tt := range turns {
		r := c.Respond(context.Background(), tt.say)
		if r.Action != tt.action || r.Intent != tt.intent || r.Queue != tt.queue || r.Reason != tt.reason {
			t.Fatalf("turn %d %q: got %s intent=%q queue=%q reason=%q (%.2f) %q\nwant %s intent=%q queue=%q reason=%q",
				i, tt.say, r.Action, r.Intent, r.Queue, r.Reason, r.Confidence, r.Text,
				tt.action, tt.intent, tt.queue, tt.reason)
		}
		if !strings.Contains(r.Text, tt.contain) {
			t.Fatalf("turn %d %q: text %q lacks %q", i, tt.say, r.Text, tt.contain)
		}
	}
}

func TestConversationPolicy(t *testing.T) {
	e := bankEngine(t)
	const (
		clarify   = "唔好意思，我唔係好明白，可唔可以講多一次？"
		transfer  = "等我幫你轉接職員。"
		twoFactor = "雙重認證"
		scope     = "只可以幫你處理銀行嘅查詢"
	)
	tests := []struct {
		name  string
		turns []turn
	}{
		{"two misunderstood turns escalate", []turn{
			{say: "嗰個嘢呢我諗下先", action: Clarify, contain: clarify},
			{say: "即係咁樣囉你明唔明", action: Handoff, queue: "general", reason: "not_understood", contain: transfer},
		}},
		{"an understood turn resets the count", []turn{
			{say: "嗰個嘢呢我諗下先", action: Clarify, contain: clarify},
			{say: "分行幾點開門", action: Answer, intent: "branch_hours", contain: "星期一至五"},
			{say: "即係咁樣囉你明唔明", action: Clarify, contain: clarify},
		}},
		{"out of scope twice escalates", []turn{
			{say: "今日天氣點呀", action: Clarify, intent: "out_of_scope", contain: scope},
			{say: "幫我訂枱食飯", action: Handoff, intent: "out_of_scope", queue: "general", reason: "not_understood", contain: transfer},
		}},
		{"silence asks again then escalates", []turn{
			{say: "", action: Clarify, contain: "聽唔清楚"},
			{say: "嗯。。。", action: Handoff, queue: "general", reason: "not_understood", contain: transfer},
		}},
		{"fund transfer hands off with two-factor reminder", []turn{
			{say: "我想轉賬俾朋友", action: Handoff, intent: "fund_transfer", queue: "general", reason: "sensitive_intent", contain: twoFactor},
		}},
		{"password reset hands off with two-factor reminder", []turn{
			{say: "我唔記得咗密碼", action: Handoff, intent: "password_reset", queue: "general", reason: "sensitive_intent", contain: twoFactor},
		}},
		{"loan drawdown hands off with two-factor reminder", []turn{
			{say: "我想提取貸款", action: Handoff, intent: "loan_drawdown", queue: "general", reason: "sensitive_intent", contain: twoFactor},
		}},
		{"fraud goes to the fraud queue", []turn{
			{say: "有人盜用我張卡", action: Handoff, intent: "fraud_report", queue: "fraud", reason: "fraud_report", contain: twoFactor},
		}},
		{"complaint goes to complaints", []turn{
			{say: "我要投訴", action: Handoff, intent: "complaint", queue: "complaints", reason: "complaint", contain: "跟進"},
		}},
		{"agent request", []turn{
			{say: "转人工", action: Handoff, intent: "human_agent", queue: "general", reason: "caller_request", contain: "轉接職員"},
		}},
		{"negated agent request is not a hand-off", []turn{
			{say: "唔使轉人工住", action: Clarify, contain: clarify},
		}},
		{"card lost: answer, then accept the offer", []turn{
			{say: "我張credit card唔見咗", action: Answer, intent: "card_lost", contain: "暫時凍結"},
			{say: "好呀唔該", action: Handoff, intent: "card_lost", queue: "cards", reason: "card_lost", contain: "轉接職員"},
		}},
		{"card lost: decline the offer", []turn{
			{say: "我張卡唔見咗", action: Answer, intent: "card_lost", contain: "暫時凍結"},
			{say: "唔使喇", action: Answer, intent: "card_lost", contain: "隨時話我知"},
			{say: "好", action: Clarify, contain: clarify},
		}},
		{"an offer lapses after another request", []turn{
			{say: "想check下個balance", action: Answer, intent: "balance_inquiry", contain: "核實你嘅身份"},
			{say: "分行幾點開門", action: Answer, intent: "branch_hours", contain: "星期一至五"},
			{say: "好", action: Clarify, contain: clarify},
		}},
		{"greeting, thanks, goodbye", []turn{
			{say: "喂你好", action: Answer, intent: "greeting", contain: "有咩可以幫到你"},
			{say: "唔該晒", action: Answer, intent: "thanks", contain: "唔使客氣"},
			{say: "冇嘢喇拜拜", action: End, intent: "goodbye", contain: "拜拜"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			converse(t, e.NewConversation(), tc.turns)
		})
	}
}

func TestReplySources(t *testing.T) {
	e := bankEngine(t)
	tests := []struct {
		say, source string
	}{
		{"分行幾點開門", "branch-hours"},
		{"我張卡唔見咗", "card-lost"},
		{"我想查結餘", "account-verification"},
		{"轉人工", ""},
	}
	for _, tc := range tests {
		r := e.NewConversation().Respond(context.Background(), tc.say)
		var want []string
		if tc.source != "" {
			want = []string{tc.source}
			a, _ := e.Pack().Article(tc.source)
			if r.Text != a.Body {
				t.Errorf("%q: text %q is not the body of %s", tc.say, r.Text, tc.source)
			}
		}
		if !slices.Equal(r.Sources, want) {
			t.Errorf("%q: sources %v, want %v", tc.say, r.Sources, want)
		}
	}
}

func TestBalanceNeverInventsFigures(t *testing.T) {
	e := bankEngine(t)
	r := e.NewConversation().Respond(context.Background(), "我戶口仲有幾多錢")
	if r.Intent != "balance_inquiry" {
		t.Fatalf("intent %q", r.Intent)
	}
	if strings.ContainsAny(r.Text, "0123456789$") || strings.Contains(r.Text, "蚊") {
		t.Fatalf("balance reply contains a figure: %q", r.Text)
	}
}

func TestThreshold(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	const utterance = "銀行禮拜六做唔做" // no keyword; similarity confidence ~0.8
	cl := NewEngine(p, Options{}).Classify(utterance)
	if cl.Method != BySimilarity || cl.Confidence < 0.5 || cl.Confidence > 0.95 {
		t.Fatalf("precondition: %+v", cl)
	}
	strict := NewEngine(p, Options{Threshold: cl.Confidence + 0.01})
	if r := strict.NewConversation().Respond(context.Background(), utterance); r.Action != Clarify || r.Intent != "" {
		t.Fatalf("strict engine: %s %q, want clarify", r.Action, r.Intent)
	}
	lax := NewEngine(p, Options{Threshold: cl.Confidence - 0.01})
	if r := lax.NewConversation().Respond(context.Background(), utterance); r.Action != Answer || r.Intent != cl.Intent {
		t.Fatalf("lax engine: %s %q, want answer %s", r.Action, r.Intent, cl.Intent)
	}
	if got := NewEngine(p, Options{Threshold: 7}).Threshold(); got != DefaultThreshold {
		t.Fatalf("out-of-range threshold kept: %v", got)
	}
}

func TestRespondCancelled(t *testing.T) {
	c := bankEngine(t).NewConversation()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := c.Respond(ctx, "轉人工")
	if r.Action != 0 || r.Text != "" || r.Action.String() != "none" {
		t.Fatalf("cancelled Respond = %+v", r)
	}
	if len(c.History()) != 0 {
		t.Fatalf("cancelled turn recorded: %v", c.History())
	}
}

func TestHeard(t *testing.T) {
	const reply = "你好！我係粵通銀行嘅智能助理呀。" // 16 runes
	tests := []struct {
		name        string
		fraction    float64
		want        string
		interrupted bool
		recorded    bool
	}{
		{"all", 1, reply, false, true},
		{"over one", 1.5, reply, false, true},
		{"half", 0.5, "你好！我係粵通銀", true, true},
		{"a quarter", 0.25, "你好！我", true, true},
		{"nothing", 0, "", false, false},
		{"negative", -0.3, "", false, false},
		{"NaN", math.NaN(), "", false, false},
		{"less than a character", 0.01, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := bankEngine(t).NewConversation()
			c.Respond(context.Background(), "喂")
			c.Heard(reply, tc.fraction)
			h := c.History()
			if !tc.recorded {
				if len(h) != 1 {
					t.Fatalf("history %v, want only the caller turn", h)
				}
				return
			}
			if len(h) != 2 {
				t.Fatalf("history %v", h)
			}
			got := h[1]
			if got.Speaker != Bot || got.Text != tc.want || got.Interrupted != tc.interrupted {
				t.Fatalf("bot turn %+v, want %q interrupted=%v", got, tc.want, tc.interrupted)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	c := bankEngine(t).NewConversation()
	r := c.Respond(context.Background(), "分行幾點開門")
	c.Heard(r.Text, 1)
	c.Respond(context.Background(), "唔該")
	h := c.History()
	want := []Turn{
		{Speaker: Caller, Text: "分行幾點開門", Intent: "branch_hours"},
		{Speaker: Bot, Text: r.Text},
		{Speaker: Caller, Text: "唔該", Intent: "thanks"},
	}
	if !slices.Equal(h, want) {
		t.Fatalf("history\n got %+v\nwant %+v", h, want)
	}
	h[0].Text = "changed"
	if c.History()[0].Text == "changed" {
		t.Fatal("History returned shared storage")
	}
	for range MaxHistory + 10 {
		c.Heard("好", 1)
	}
	if n := len(c.History()); n != MaxHistory {
		t.Fatalf("history length %d, want %d", n, MaxHistory)
	}
}

func TestLogMasksPII(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := NewEngine(p, Options{Log: log}).NewConversation()
	c.Respond(context.Background(), "我張卡4111 1111 1111 1234唔見咗")
	out := buf.String()
	if !strings.Contains(out, "intent=card_lost") || strings.Contains(out, "4111") {
		t.Fatalf("log %q: want intent and masked card number", out)
	}
}

func TestActionAndSpeakerStrings(t *testing.T) {
	for a, want := range map[Action]string{0: "none", Answer: "answer", Clarify: "clarify",
		Handoff: "handoff", End: "end", Review: "review", 9: "action(9)"} {
		if a.String() != want {
			t.Errorf("Action(%d) = %q, want %q", int(a), a.String(), want)
		}
	}
	for s, want := range map[Speaker]string{Caller: "caller", Bot: "bot", 0: "speaker(0)"} {
		if s.String() != want {
			t.Errorf("Speaker(%d) = %q, want %q", int(s), s.String(), want)
		}
	}
}

func BenchmarkRespond(b *testing.B) {
	e := bankEngine(b)
	c := e.NewConversation()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Respond(ctx, utterances[i%len(utterances)].text)
		i++
	}
}

func BenchmarkClassifySimilarity(b *testing.B) {
	e := bankEngine(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Classify(paraphrases[i%len(paraphrases)].text)
		i++
	}
}
