package dialog

import (
	"maps"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/yuecall/yuecall/redact"
)

// DefaultLLMTimeout bounds the wait for a Generator's first sentence.
const DefaultLLMTimeout = 3 * time.Second

// ConversationOption configures one Conversation (NewConversation).
type ConversationOption func(*convOptions)

type convOptions struct {
	caller     string
	gen        Generator
	llmTimeout time.Duration
	client     *http.Client
	getenv     func(string) string
	now        func() time.Time
}

func defaultConvOptions() convOptions {
	return convOptions{llmTimeout: DefaultLLMTimeout, getenv: os.Getenv, now: time.Now}
}

// WithCaller gives the caller's number (caller ID), the first identity
// factor. Without it, intents that need identity get the pack's offline
// answer (how to verify) and no account data.
func WithCaller(callerID string) ConversationOption {
	return func(o *convOptions) { o.caller = callerID }
}

// WithGenerator lets g answer eligible turns (not guarded, not identity or
// tool answers) grounded on KB passages. timeout bounds the wait for the
// first sentence (0 means DefaultLLMTimeout); after it, or on an error
// before the first sentence, the offline answer is spoken instead.
func WithGenerator(g Generator, timeout time.Duration) ConversationOption {
	return func(o *convOptions) {
		o.gen = g
		if timeout > 0 {
			o.llmTimeout = timeout
		}
	}
}

// WithHTTPClient sets the client the pack's tools use (default: a client
// with no timeout of its own; each tool's timeout applies).
func WithHTTPClient(c *http.Client) ConversationOption {
	return func(o *convOptions) { o.client = c }
}

// WithGetenv resolves ${ENV} placeholders in tool URLs (default os.Getenv).
func WithGetenv(getenv func(string) string) ConversationOption {
	return func(o *convOptions) {
		if getenv != nil {
			o.getenv = getenv
		}
	}
}

// WithClock sets the clock used to resolve relative dates (default time.Now).
func WithClock(now func() time.Time) ConversationOption {
	return func(o *convOptions) {
		if now != nil {
			o.now = now
		}
	}
}

// SetCaller sets the caller ID after the conversation started (the IVR may
// learn it late). A new number drops any identity already verified.
func (c *Conversation) SetCaller(callerID string) {
	if callerID != c.opt.caller {
		c.st.verified = false
		c.st.id = idState{}
	}
	c.opt.caller = callerID
}

// Verified reports whether the caller passed identity verification.
func (c *Conversation) Verified() bool { return c.st.verified }

// idStage is where identity verification stands.
type idStage int

const (
	idNone      idStage = iota
	idAskFactor         // the knowledge question was asked
	idAskOTP            // an OTP was sent; waiting for the code
)

type idState struct {
	stage  idStage
	intent string // the intent to resume once verified
	wrong  int    // wrong factors so far
}

// convState is what a conversation remembers between turns.
type convState struct {
	last       string            // the last intent answered (follow-ups resume it)
	slots      map[string]string // slots so far, raw
	verified   bool
	id         idState
	fill       string // an intent waiting for a required slot
	asked      string // fill as it was when this turn began
	fillTries  int    // times the same slot was asked again in a row
	review     *reviewState
	lastCaller string
	eligible   bool // this turn's answer may go to the Generator
	intents    []string
	done       []string
	pending    []string
	lastReply  Reply
}

// record notes the turn's intent for the summary.
func (s *convState) record(r Reply) {
	s.lastReply = r
	if r.Intent != "" && !slices.Contains(s.intents, r.Intent) {
		s.intents = append(s.intents, r.Intent)
	}
}

func (s *convState) noteDone(what string) {
	if !slices.Contains(s.done, what) {
		s.done = append(s.done, what)
	}
}

func (s *convState) notePending(what string) {
	if !slices.Contains(s.pending, what) {
		s.pending = append(s.pending, what)
	}
}

func (s *convState) clearPending(what string) {
	s.pending = slices.DeleteFunc(s.pending, func(p string) bool { return p == what })
}

// maskedSlots returns a copy of the slots with values masked by redact.
func (s *convState) maskedSlots() map[string]string {
	if len(s.slots) == 0 {
		return nil
	}
	out := maps.Clone(s.slots)
	for k, v := range out {
		out[k] = redact.Text(v)
	}
	return out
}
