package dialog

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// chanGen emits sentences handed to it by the test, one per receive, so the
// test controls the pace; it reports each request.
type chanGen struct {
	sentences chan string
	reqs      chan GenerateRequest
	errAfter  error // returned when sentences is closed
}

func (g *chanGen) Generate(ctx context.Context, req GenerateRequest, emit func(string) bool) (GenerateResult, error) {
	g.reqs <- req
	var res GenerateResult
	for {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case s, ok := <-g.sentences:
			if !ok {
				return res, g.errAfter
			}
			if !emit(s) {
				return res, ctx.Err()
			}
			res.Text += s
		}
	}
}

func newChanGen() *chanGen {
	return &chanGen{sentences: make(chan string), reqs: make(chan GenerateRequest, 4)}
}

func TestStreamRequestIsMaskedAndGrounded(t *testing.T) {
	g := newChanGen()
	c := bankEngine(t).NewConversation(WithGenerator(g, time.Minute))
	r1 := c.Respond(context.Background(), "我張卡4111 1111 1111 1234唔見咗")
	<-g.reqs
	r1.Cancel()
	r := c.Respond(context.Background(), "我張卡4111 1111 1111 1234唔見咗")
	req := <-g.reqs
	close(g.sentences)
	res := r.Result()
	if strings.Contains(req.Text, "4111") || len(req.History) == 0 || strings.Contains(req.History[0].Text, "4111") {
		t.Errorf("request not masked: %q %+v", req.Text, req.History)
	}
	if len(req.Passages) == 0 || req.Passages[0].ID != "card-lost" || req.Intent != "card_lost" || req.Instructions == "" {
		t.Errorf("request not grounded: intent %q passages %+v", req.Intent, req.Passages)
	}
	if slices.ContainsFunc(req.Tools, func(t Tool) bool { return t.Name == "transfer_funds" }) || req.RunTool == nil {
		t.Errorf("tools %+v", req.Tools)
	}
	if !res.Fallback || !strings.Contains(res.Text, "暫時凍結") {
		t.Errorf("no sentence before the end: got %+v, want the offline answer", res)
	}
}

func TestStreamErrorAfterFirstSentenceKeepsWhatWasSaid(t *testing.T) {
	g := newChanGen()
	g.errAfter = errors.New("upstream reset")
	c := bankEngine(t).NewConversation(WithGenerator(g, time.Minute))
	r := c.Respond(context.Background(), "分行幾點開門")
	<-g.reqs
	g.sentences <- "分行星期一至五開。"
	if got := <-r.Sentences; got != "分行星期一至五開。" {
		t.Fatalf("first sentence %q", got)
	}
	close(g.sentences)
	if _, ok := <-r.Sentences; ok {
		t.Fatal("stream not closed after the error")
	}
	res := r.Result()
	if res.Fallback || res.Text != "分行星期一至五開。" || res.Err == nil || !slices.Equal(res.Sources, []string{"branch-hours"}) {
		t.Fatalf("result %+v", res)
	}
}

func TestStreamBackPressureAndCancel(t *testing.T) {
	g := newChanGen()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := bankEngine(t).NewConversation(WithGenerator(g, time.Minute))
	r := c.Respond(ctx, "分行幾點開門")
	<-g.reqs
	for range SentenceBuffer {
		g.sentences <- "一句。"
	}
	waits, _, _ := StreamStats()
	sent := make(chan struct{})
	go func() {
		select {
		case g.sentences <- "多一句。": // accepted by the Generator, which then blocks in emit
		case <-time.After(time.Second):
		}
		close(sent)
	}()
	<-sent
	deadline := time.Now().Add(2 * time.Second)
	for w, _, _ := StreamStats(); w == waits && time.Now().Before(deadline); w, _, _ = StreamStats() {
		time.Sleep(time.Millisecond) // polling a counter, not synchronising
	}
	if w, _, _ := StreamStats(); w == waits {
		t.Fatal("a full buffer did not count a wait")
	}
	cancel()
	n := 0
	for range r.Sentences {
		n++
	}
	if n > SentenceBuffer+1 {
		t.Fatalf("%d sentences after cancel", n)
	}
	r.Cancel()
	r.Cancel() // twice is fine
}

func TestStreamCancelBeforeFirstSentence(t *testing.T) {
	g := newChanGen()
	c := bankEngine(t).NewConversation(WithGenerator(g, time.Minute))
	r := c.Respond(context.Background(), "分行幾點開門")
	<-g.reqs
	r.Cancel()
	var got []string
	for s := range r.Sentences {
		got = append(got, s)
	}
	if len(got) != 0 || r.Result().Text != "" {
		t.Fatalf("cancelled stream carried %q", got)
	}
}

func TestGuardedAndIdentityTurnsNeverStream(t *testing.T) {
	g := &fakeGen{spec: fakeGenSpec{Mode: "ok", Sentences: []string{"LLM。"}}}
	c := bankEngine(t).NewConversation(WithGenerator(g, time.Second), WithCaller("+85291234567"))
	for _, say := range []string{"我想轉賬", "有人盜用我張卡", "我想查結餘", "我要投訴", "我應該買咩股票", "你好", "嗰個嘢呢我諗下先"} {
		if r := c.Respond(context.Background(), say); r.Sentences != nil {
			r.Cancel()
			t.Errorf("%q streamed (%s %s)", say, r.Action, r.Intent)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"你好。", []string{"你好。"}},
		{"一。二！三？四", []string{"一。", "二！", "三？", "四"}},
		{strings.Repeat("句。", SentenceBuffer+3), append(slices.Repeat([]string{"句。"}, SentenceBuffer-1), strings.Repeat("句。", 4))},
	}
	for _, tc := range tests {
		if got := splitSentences(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
