package dialog

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuecall/yuecall/redact"
)

// Reasons the engine itself gives for a hand-off.
const (
	ReasonNotUnderstood = "not_understood"
	// maxFailures is how many misunderstood turns in a row hand off.
	maxFailures = 2
	// MaxHistory bounds a Conversation's history; older turns are dropped.
	MaxHistory = 256
)

// Action is what the call layer should do with a Reply.
type Action int

// Actions. The zero Action means there is nothing to do (see Respond).
const (
	Answer  Action = iota + 1 // say Text and keep listening
	Clarify                   // say Text (a request to rephrase) and keep listening
	Handoff                   // say Text, then transfer to Queue with Reason
	End                       // say Text, then hang up
	// Review: say Text (a holding message) while Draft waits for a licensed
	// human; Conversation.Reviewed turns the decision into the reply to speak.
	Review
)

// String returns the action's lower-case name as used in pack files and
// call.intent.v1 events.
func (a Action) String() string {
	switch a {
	case 0:
		return "none"
	case Answer:
		return "answer"
	case Clarify:
		return "clarify"
	case Handoff:
		return "handoff"
	case End:
		return "end"
	case Review:
		return "review"
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// Reply is the engine's answer to one caller turn.
type Reply struct {
	Text       string  // what the bot says: HK Traditional, colloquial Cantonese
	Intent     string  // the intent acted on; "" when not understood
	Confidence float64 // of the classification, in [0, 1]
	Action     Action
	Queue      string   // Handoff only
	Reason     string   // Handoff only
	Sources    []string // knowledge article ids the Text comes from ("tool:<name>" for tool results)
	// Slots are the conversation's slots after this turn (period,
	// account_type, …), values masked by redact.
	Slots map[string]string
	// Urgent: a hand-off the call must also alert compliance about (fraud).
	Urgent bool
	// Draft is the answer waiting for a licensed human (Action Review);
	// Text is then the holding message. See Conversation.Reviewed.
	Draft string
	// Sentences, when not nil, streams the spoken answer sentence by
	// sentence from the Generator; the call speaks them in order instead of
	// Text. It is bounded (the Generator waits while it is full), closed at
	// the end, and the dialog's goroutine that owns it stops when the ctx
	// given to Respond is done or Cancel is called. If the Generator fails or
	// is too slow before its first sentence, the stream carries the offline
	// answer (Text) instead. Text always holds the offline answer.
	Sentences <-chan string
	// Result, with Sentences, blocks until the stream is closed and returns
	// what it carried: the text to record with Heard and its sources.
	Result func() StreamResult
	// Cancel, with Sentences, stops the generation and waits for its
	// goroutine; Sentences is then closed. Safe to call more than once.
	Cancel func()
}

// Speaker says who spoke a Turn.
type Speaker int

// Speakers.
const (
	Caller Speaker = iota + 1
	Bot
)

// String returns "caller" or "bot", as in call.transcript.v1 events.
func (s Speaker) String() string {
	switch s {
	case Caller:
		return "caller"
	case Bot:
		return "bot"
	}
	return "speaker(" + strconv.Itoa(int(s)) + ")"
}

// Turn is one entry of a conversation's history.
type Turn struct {
	Speaker     Speaker
	Text        string
	Intent      string // caller turns: the intent acted on, if any
	Interrupted bool   // bot turns: the caller barged in; Text is what was heard
}

// offer is a pending "shall I transfer you?" from the last answer.
type offer struct {
	intent, queue, reason string
}

// Conversation is the dialog state of one call: history (as heard), the
// last intent and its slots (follow-ups and corrections), identity
// verification, a slot being asked for, a draft waiting for review, and
// what was done and is pending (Summary). It is not safe for concurrent
// use: the call's session goroutine owns it. Only the goroutine behind a
// streamed Reply runs beside it, on a copy of what it needs.
//
// The conversation side of a pack is tools.yaml (HTTP tools, tools.go) and
// policy.yaml (identity, guardrails, review, tool-backed answers, labels;
// documented in packs/bank/policy.yaml).
type Conversation struct {
	e        *Engine
	sc       *scratch
	opt      convOptions
	tools    *ToolRunner
	history  []Turn
	failures int // misunderstood turns in a row
	offer    *offer
	st       convState
}

// NewConversation starts an empty conversation. Options add the caller's
// number, a Generator, the tools' HTTP client and so on.
func (e *Engine) NewConversation(opts ...ConversationOption) *Conversation {
	c := &Conversation{e: e, sc: e.pool.New().(*scratch)}
	c.opt = defaultConvOptions()
	for _, o := range opts {
		o(&c.opt)
	}
	c.tools = NewToolRunner(e.pack.Tools(), ToolRunnerOptions{Client: c.opt.client, Getenv: c.opt.getenv})
	c.st.slots = map[string]string{}
	return c
}

// History returns a copy of the turns so far, oldest first: caller turns as
// given to Respond, bot turns as recorded by Heard.
func (c *Conversation) History() []Turn { return append([]Turn(nil), c.history...) }

// Heard records the part of a bot reply the caller actually heard: the
// first heardFraction (clamped to [0, 1]) of botText's characters. Call it
// once per spoken reply, when playout ends or is cut by barge-in; a text-only
// caller passes 1. Nothing is recorded when nothing was heard.
func (c *Conversation) Heard(botText string, heardFraction float64) {
	if math.IsNaN(heardFraction) || heardFraction < 0 {
		heardFraction = 0
	}
	heardFraction = min(heardFraction, 1)
	n := utf8.RuneCountInString(botText)
	keep := int(math.Floor(float64(n)*heardFraction + 1e-9))
	text := botText
	if keep < n {
		text = string([]rune(botText)[:keep])
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	c.add(Turn{Speaker: Bot, Text: text, Interrupted: keep < n})
}

func (c *Conversation) add(t Turn) {
	if len(c.history) == MaxHistory {
		copy(c.history, c.history[1:])
		c.history = c.history[:MaxHistory-1]
	}
	c.history = append(c.history, t)
}

// Respond decides the bot's reply to one final caller utterance.
//
// Deterministic policy runs first, before any answer and any LLM: the
// guardrails (sensitive intents, also found by policy.yaml's scan, hand off
// with the two-factor reminder, fraud urgently; complaints and agent
// requests hand off; advice intents start a review), then identity
// verification in progress, a slot being asked for, a correction ("唔係X，
// 係Y"), a follow-up ("咁上個月呢？"), a pending offer, and the intent's
// action. An empty or low-confidence turn that no KB article answers asks
// the caller to rephrase, and the second such turn in a row hands off
// (not_understood). Intents that need identity are answered only after
// caller ID, knowledge factor and OTP are verified (two wrong factors hand
// off); their data comes from the pack's tools.
//
// Respond blocks only on the pack's tools (each bounded by its timeout)
// and, for a review with a Generator, on the draft (at most three times the
// LLM timeout); a streamed answer runs in the background (Reply.Sentences).
// If ctx is already done it returns the zero Reply (Action 0, "none") and
// records nothing.
func (c *Conversation) Respond(ctx context.Context, text string) Reply {
	if ctx.Err() != nil {
		return Reply{}
	}
	c.add(Turn{Speaker: Caller, Text: text})
	pending := c.offer
	c.offer = nil
	c.st.lastCaller = text
	r, method := c.turn(ctx, text, pending)
	c.history[len(c.history)-1].Intent = r.Intent
	c.st.record(r)
	r.Slots = c.st.maskedSlots()
	if r.Action == Answer && c.opt.gen != nil && c.st.eligible {
		c.stream(ctx, text, &r)
	}
	if c.e.log.Enabled(ctx, slog.LevelDebug) {
		c.e.log.LogAttrs(ctx, slog.LevelDebug, "dialog: turn", slog.String("text", redact.Text(text)),
			slog.String("intent", r.Intent), slog.Float64("confidence", r.Confidence),
			slog.String("method", method), slog.String("action", r.Action.String()),
			slog.Int("failures", c.failures), slog.Bool("stream", r.Sentences != nil))
	}
	return r
}

// decide is the pre-existing policy on one classified turn: a pending
// offer, empty and misunderstood turns, then the intent's own action.
func (c *Conversation) decide(ctx context.Context, cl Classification, pending *offer, text string) Reply {
	res := c.e.pack.responses
	if pending != nil {
		switch folded := compact(text); {
		case contains(c.e.pack.affirmations, folded):
			c.failures = 0
			return Reply{Text: res.Handoff, Intent: pending.intent, Confidence: 1, Action: Handoff,
				Queue: pending.queue, Reason: pending.reason}
		case contains(c.e.pack.declines, folded):
			c.failures = 0
			return Reply{Text: res.Declined, Intent: pending.intent, Confidence: 1, Action: Answer}
		}
	}
	if cl.Empty {
		return c.fail(res.Fallback, cl)
	}
	if cl.Confidence < c.e.threshold {
		return c.fail(res.Clarify, Classification{Confidence: cl.Confidence})
	}
	in, _ := c.e.pack.Intent(cl.Intent)
	return c.act(ctx, in, cl)
}

// actBasic is an intent's own action from intents.yaml: its text or
// article, a hand-off, a clarification, an end.
func (c *Conversation) actBasic(in Intent, cl Classification) Reply {
	res := c.e.pack.responses
	r := Reply{Text: in.Text, Intent: in.Name, Confidence: cl.Confidence, Action: in.Action}
	if in.Article != "" {
		r.Sources = []string{in.Article}
	}
	if in.Sensitive || in.Action == Handoff {
		r.Action, r.Queue, r.Reason = Handoff, in.Queue, in.Reason
		if r.Text == "" {
			r.Text = res.Handoff
		}
		if in.Sensitive {
			r.Text += res.TwoFactor
		}
	}
	if r.Action == Clarify {
		esc := c.fail(r.Text, cl)
		esc.Sources = r.Sources
		return esc
	}
	c.failures = 0
	if r.Action == Answer && in.OfferQueue != "" {
		c.offer = &offer{intent: in.Name, queue: in.OfferQueue, reason: in.OfferReason}
	}
	return r
}

// fail counts a misunderstood turn: clarify first, hand off the second time.
func (c *Conversation) fail(text string, cl Classification) Reply {
	c.failures++
	if c.failures >= maxFailures {
		c.failures = 0
		res := c.e.pack.responses
		return Reply{Text: res.Escalate, Intent: cl.Intent, Confidence: cl.Confidence, Action: Handoff,
			Queue: res.EscalateQueue, Reason: ReasonNotUnderstood}
	}
	return Reply{Text: text, Intent: cl.Intent, Confidence: cl.Confidence, Action: Clarify}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
