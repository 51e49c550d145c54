package dialog

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/redact"
)

// Streaming limits.
const (
	// SentenceBuffer is Reply.Sentences' capacity. When it is full the
	// Generator's emit blocks (back-pressure; nothing is dropped) until the
	// call reads or the ctx ends; each such wait is counted (StreamStats).
	SentenceBuffer = 8
	// maxGeneration bounds a whole streamed answer.
	maxGeneration = 60 * time.Second
	// maxPassages is how many KB passages ground a generated answer.
	maxPassages = 3
	// historyTurns is how much history a Generator sees.
	historyTurns = 12
)

// Instructions is the system prompt given to a Generator.
const Instructions = "你係香港銀行熱線嘅智能助理，用自然、簡潔嘅廣東話口語（香港繁體字）答，每句唔好太長。" +
	"只可以根據提供嘅資料（passages）同工具結果回答，唔好作任何數字或者政策；資料冇講就話唔知，並提出轉接職員。" +
	"絕對唔好問客人要完整密碼或者一次性密碼，唔好承諾任何轉賬、提款或者交易，唔好俾投資建議。"

// StreamResult is what a streamed reply carried, once Sentences is closed.
type StreamResult struct {
	Text      string   // every sentence sent, in order: record it with Heard
	Sources   []string // passage ids the answer cites
	ToolCalls []ToolCall
	Fallback  bool  // the offline answer was streamed instead
	Blocked   bool  // a generated sentence broke policy.yaml never_say and was not sent
	Err       error // the Generator's error, if any
}

var (
	streamWaits     atomic.Int64
	streamFallbacks atomic.Int64
	streamBlocked   atomic.Int64
)

// StreamStats returns, since start-up, how many times a Generator waited on
// a full Sentences buffer, how many streams fell back to the offline answer
// and how many generated sentences the never_say guardrail stopped.
func StreamStats() (fullWaits, fallbacks, blocked int64) {
	return streamWaits.Load(), streamFallbacks.Load(), streamBlocked.Load()
}

// stream starts the Generator on an eligible answer and sets r.Sentences,
// r.Result and r.Cancel. The goroutine it starts owns the channel.
func (c *Conversation) stream(ctx context.Context, text string, r *Reply) {
	req := c.generateRequest(r.Intent, text)
	ctx, cancel := context.WithTimeout(ctx, maxGeneration)
	out := make(chan string, SentenceBuffer)
	s := &streamer{gen: c.opt.gen, req: req, out: out, offline: r.Text, offSrc: r.Sources,
		first: c.opt.llmTimeout, done: make(chan struct{}), guard: &c.e.pack.ext.policy.guard}
	go s.run(ctx, cancel)
	var once sync.Once
	r.Sentences = out
	r.Result = func() StreamResult { <-s.done; return s.res }
	r.Cancel = func() { once.Do(cancel); <-s.done }
}

// generateRequest builds a Generator's request: masked text, history and
// slots, the best KB passages (the intent's article first) and the tools a
// Generator may call.
func (c *Conversation) generateRequest(intent, text string) GenerateRequest {
	req := GenerateRequest{Instructions: Instructions, Text: redact.Text(text), Intent: intent, Slots: c.st.maskedSlots()}
	h := c.history
	if len(h) > 0 && h[len(h)-1].Speaker == Caller {
		h = h[:len(h)-1] // this turn is Text
	}
	if len(h) > historyTurns {
		h = h[len(h)-historyTurns:]
	}
	for _, t := range h {
		t.Text = redact.Text(t.Text)
		req.History = append(req.History, t)
	}
	req.Passages = c.passages(intent, text)
	req.Tools = c.tools.Offered()
	req.RunTool = c.tools.RunForGenerator
	return req
}

// passages returns up to maxPassages KB passages for text.
func (c *Conversation) passages(intent, text string) []Passage {
	var out []Passage
	add := func(id string) {
		for _, p := range out {
			if p.ID == id {
				return
			}
		}
		if a, ok := c.e.pack.Article(id); ok && len(out) < maxPassages {
			out = append(out, Passage{ID: a.ID, Title: a.Title, Text: a.Body})
		}
	}
	if in, ok := c.e.pack.Intent(intent); ok && in.Article != "" {
		add(in.Article)
	}
	for _, h := range c.e.pack.searchKB(text, maxPassages) {
		if h.Score >= c.kbMinScore()/2 {
			add(h.ID)
		}
	}
	return out
}

func passageIDs(ps []Passage) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// streamer runs one generation. Its goroutine is the only writer of out and
// res; done is closed after out. mu guards started against the first-
// sentence timer; text, calls and blocked are written by emit and RunTool,
// which the Generator calls before Generate returns.
type streamer struct {
	gen     Generator
	req     GenerateRequest
	out     chan string
	offline string
	offSrc  []string
	first   time.Duration
	done    chan struct{}
	guard   *guardPolicy // read-only
	res     StreamResult

	gctx    context.Context
	gcancel context.CancelFunc
	mu      sync.Mutex
	started bool
	text    strings.Builder
	callsMu sync.Mutex
	calls   []ToolCall
	blocked bool // a sentence broke a never_say rule
}

func (s *streamer) run(ctx context.Context, cancel context.CancelFunc) {
	defer close(s.done)
	defer close(s.out)
	defer cancel()
	s.gctx, s.gcancel = context.WithCancel(ctx)
	defer s.gcancel()
	timer := time.AfterFunc(s.first, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.started {
			s.gcancel() // too slow before the first sentence: fall back
		}
	})
	req := s.req
	if req.RunTool != nil {
		req.RunTool = s.recordTool(req.RunTool)
	}
	res, err := s.gen.Generate(s.gctx, req, s.emit)
	timer.Stop()
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	s.callsMu.Lock()
	calls := s.calls
	s.callsMu.Unlock()
	s.res = StreamResult{Text: s.text.String(), Sources: res.Sources, ToolCalls: calls, Err: err, Blocked: s.blocked}
	if len(s.res.Sources) == 0 && started && len(s.req.Passages) > 0 {
		s.res.Sources = []string{s.req.Passages[0].ID} // the best passage
	}
	if !started && ctx.Err() == nil {
		s.fallback()
	}
}

// emit is the Generator's emit: it checks the sentence against never_say
// and sends it.
func (s *streamer) emit(sentence string) bool {
	sentence = strings.TrimSpace(sentence)
	if sentence == "" {
		return s.gctx.Err() == nil
	}
	if s.guard.forbidden(sentence) {
		s.blocked = true
		streamBlocked.Add(1)
		s.gcancel() // never said; the answer ends here (or falls back)
		return false
	}
	s.mu.Lock()
	if s.gctx.Err() != nil {
		s.mu.Unlock()
		return false
	}
	s.started = true
	s.mu.Unlock()
	if !s.send(s.gctx, sentence) {
		return false
	}
	s.text.WriteString(sentence)
	return true
}

// recordTool wraps run to record each call in the result.
func (s *streamer) recordTool(run func(context.Context, string, json.RawMessage) (json.RawMessage, error)) func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
	return func(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
		res, err := run(ctx, name, args)
		tc := ToolCall{Name: name, Arguments: args, Result: res}
		if err != nil {
			tc.Err = err.Error()
		}
		s.callsMu.Lock()
		s.calls = append(s.calls, tc)
		s.callsMu.Unlock()
		return res, err
	}
}

// fallback streams the offline answer, sentence by sentence.
func (s *streamer) fallback() {
	streamFallbacks.Add(1)
	var b strings.Builder
	for _, sent := range splitSentences(s.offline) {
		s.out <- sent // the generator sent nothing, so the buffer only holds ours
		b.WriteString(sent)
	}
	s.res.Text, s.res.Sources, s.res.Fallback = b.String(), s.offSrc, true
}

// send puts a sentence on out, waiting while it is full.
func (s *streamer) send(ctx context.Context, sentence string) bool {
	select {
	case s.out <- sentence:
		return true
	default:
	}
	streamWaits.Add(1)
	select {
	case s.out <- sentence:
		return true
	case <-ctx.Done():
		return false
	}
}

// splitSentences cuts text after 。！？!? (and ；), keeping the marks;
// at most SentenceBuffer pieces (the rest joins the last).
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		switch r {
		case '。', '！', '？', '!', '?', '；':
			end := i + utf8.RuneLen(r)
			if p := strings.TrimSpace(text[start:end]); p != "" {
				out = append(out, p)
			}
			start = end
		}
	}
	if p := strings.TrimSpace(text[start:]); p != "" {
		out = append(out, p)
	}
	if len(out) > SentenceBuffer {
		out = append(out[:SentenceBuffer-1], strings.Join(out[SentenceBuffer-1:], ""))
	}
	return out
}
