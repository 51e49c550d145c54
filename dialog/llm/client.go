package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/dialog"
)

var _ dialog.Generator = (*Client)(nil)

// The causes a turn's context ends with when one of our timers fires.
var (
	errFirstSentence = fmt.Errorf("%w: no sentence within first_sentence_timeout", ErrTimeout)
	errTotal         = fmt.Errorf("%w: turn over total_timeout", ErrTimeout)
)

// Client is a dialog.Generator backed by an OpenAI-compatible chat
// completions endpoint. It is safe for concurrent use; each Generate call
// is one caller turn.
type Client struct {
	cfg   Config
	api   *openai.Client
	tr    *http.Transport
	log   *slog.Logger
	stats counters
}

// Stats counts what a Client did since New. The guard counters are the
// ones to alert on: every Transactions is a sentence the model wanted to
// say and the caller did not hear.
type Stats struct {
	Turns        uint64 // Generate calls
	Sentences    uint64 // sentences emitted
	Transactions uint64 // sentences replaced or dropped: transaction claim or promise
	Masked       uint64 // sentences with personal data masked
	ToolCalls    uint64 // tool calls run
	ToolErrors   uint64 // tool calls that failed (bad arguments, unknown tool, tool error)
	Timeouts     uint64 // turns ended by ErrTimeout
	Errors       uint64 // turns ended by any other error (cancellation excluded)
}

type counters struct {
	turns, sentences, transactions, masked, toolCalls, toolErrors, timeouts, errors atomic.Uint64
}

// New checks cfg and returns a Client. log may be nil (discard).
func New(cfg Config, log *slog.Logger) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClauseRunes == 0 {
		cfg.ClauseRunes = DefaultClauseRunes
	}
	if cfg.MaxToolCalls == 0 {
		cfg.MaxToolCalls = 4
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = &http.Client{Transport: tr} // the turn's context bounds every request
	return &Client{cfg: cfg, api: openai.NewClientWithConfig(oc), tr: tr, log: log.With("component", "llm", "model", cfg.Model)}, nil
}

// Close drops the Client's idle connections. Generate still works after it.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		Turns: s.turns.Load(), Sentences: s.sentences.Load(), Transactions: s.transactions.Load(),
		Masked: s.masked.Load(), ToolCalls: s.toolCalls.Load(), ToolErrors: s.toolErrors.Load(),
		Timeouts: s.timeouts.Load(), Errors: s.errors.Load(),
	}
}

// Generate answers one caller turn, emitting each spoken sentence as soon
// as it is complete (see dialog.Generator). Every sentence is cleaned
// (markdown, emoji and [id] cites removed) and guarded: personal data is
// masked and transaction claims or promises are replaced by SafeSentence.
// Tools in req are offered as functions and run through req.RunTool.
//
// With no sentence within FirstSentenceTimeout it returns an error
// wrapping ErrTimeout. TotalTimeout bounds the time the turn waits on the
// model and its tools, not the time emit blocks (playout backpressure
// does not eat the budget). When ctx ends the HTTP stream is closed at
// once. If emit returns false, Generate stops and returns what was said
// with a nil error. After an error that follows some sentences, the
// result still holds them.
func (c *Client) Generate(ctx context.Context, req dialog.GenerateRequest, emit func(sentence string) bool) (dialog.GenerateResult, error) {
	c.stats.turns.Add(1)
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := newTurn(c, req, emit, start)
	t.timer = time.AfterFunc(c.cfg.FirstSentenceTimeout, func() { cancel(errFirstSentence) })
	defer t.timer.Stop()
	t.total = newBudget(c.cfg.TotalTimeout, func() { cancel(errTotal) })
	defer t.total.stop()

	err := t.run(ctx)
	if err != nil {
		err = c.classify(ctx, err)
	}
	res := t.result()
	c.logTurn(err, res, t, time.Since(start))
	return res, err
}

func (c *Client) logTurn(err error, res dialog.GenerateResult, t *turn, took time.Duration) {
	attrs := []any{"took", took, "sentences", len(t.spoken), "tool_calls", len(res.ToolCalls), "sources", res.Sources}
	if len(t.spoken) > 0 {
		attrs = append(attrs, "first_sentence", t.firstAt)
	}
	switch {
	case err == nil:
		c.log.Debug("llm: turn done", attrs...)
	case errors.Is(err, ErrTimeout):
		c.stats.timeouts.Add(1)
		c.log.Warn("llm: turn timed out", append(attrs, "err", err)...)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		c.log.Debug("llm: turn stopped", append(attrs, "err", err)...)
	default:
		c.stats.errors.Add(1)
		c.log.Warn("llm: turn failed", append(attrs, "err", err)...)
	}
}

// classify maps a failure onto the package's sentinels. ctx is the turn's
// context: when it has ended, its cause says why (our timers or the
// caller's cancellation) whatever error the stream reported.
func (c *Client) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		if errors.Is(cause, ErrTimeout) {
			return cause
		}
		return fmt.Errorf("llm: generation stopped: %w", cause)
	}
	if isOurs(err) {
		return err
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status, detail := 0, ""
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
		detail = c.sanitize(fmt.Sprintf("%v %v: %s", apiErr.Type, apiErr.Code, apiErr.Message))
		if status == 0 {
			return fmt.Errorf("%w: error event in stream: %s", ErrServer, detail)
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		detail = c.sanitize(string(reqErr.Body))
	}
	if status != 0 {
		return fmt.Errorf("%w: HTTP %d: %s", statusSentinel(status), status, detail)
	}
	var netErr net.Error
	switch {
	case isDecodeError(err):
		return fmt.Errorf("%w: %s", ErrStream, c.sanitize(err.Error()))
	case !errors.As(err, &netErr) && !errors.Is(err, io.EOF):
		// refused before sending: go-openai's own checks (a reasoning
		// model given max_tokens or a temperature, for example)
		return fmt.Errorf("%w: %s", ErrRequest, c.sanitize(err.Error()))
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, c.sanitize(err.Error()))
}

func statusSentinel(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case status == http.StatusTooManyRequests:
		return ErrRateLimit
	case status >= 500:
		return ErrServer
	}
	return ErrRequest
}

func isOurs(err error) bool {
	for _, s := range []error{ErrTimeout, ErrStream, ErrToolRounds, ErrNoAnswer, ErrServer} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// sanitize keeps an upstream message short and free of the key and of
// personal data.
func (c *Client) sanitize(s string) string {
	if c.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "***")
	}
	s = maskKeys(s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return strings.Join(strings.Fields(s), " ")
}

// maskKeys hides anything shaped like an API key (sk-…, Bearer …).
func maskKeys(s string) string {
	f := strings.Fields(s)
	changed := false
	for i, w := range f {
		if strings.HasPrefix(w, "sk-") || (i > 0 && strings.EqualFold(f[i-1], "bearer")) {
			f[i] = "***"
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(f, " ")
}

// budget is a timer that does not run while paused: TotalTimeout counts
// the model's and the tools' time, not the caller's. It belongs to the
// goroutine of Generate; only its expiry func runs elsewhere.
type budget struct {
	timer  *time.Timer
	left   time.Duration
	since  time.Time
	paused bool
}

func newBudget(d time.Duration, expire func()) *budget {
	return &budget{timer: time.AfterFunc(d, expire), left: d, since: time.Now()}
}

func (b *budget) pause() {
	if b.paused {
		return
	}
	b.paused = true
	if b.timer.Stop() {
		b.left -= time.Since(b.since)
	} else {
		b.left = 0 // expired: the turn is being cancelled
	}
}

func (b *budget) resume() {
	if !b.paused || b.left <= 0 {
		return
	}
	b.paused = false
	b.since = time.Now()
	b.timer.Reset(b.left)
}

func (b *budget) stop() { b.timer.Stop() }
