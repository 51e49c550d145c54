package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/redact"
)

// Bounds on what one streamed round may accumulate.
const (
	maxStreamToolCalls = 32
	maxToolArgBytes    = 64 << 10
)

// errStopped: emit returned false; Generate returns what was said.
var errStopped = errors.New("llm: stopped by emit")

// turn is the state of one Generate call. It belongs to the goroutine of
// Generate; only tool calls run concurrently and touch nothing of it.
type turn struct {
	c       *Client
	req     dialog.GenerateRequest
	emit    func(string) bool
	start   time.Time
	timer   *time.Timer // first sentence
	total   *budget
	firstAt time.Duration
	msgs    []openai.ChatCompletionMessage
	tools   []openai.Tool
	byName  map[string]dialog.Tool
	split   Splitter
	scratch []string
	cites   []string
	spoken  []string
	calls   []dialog.ToolCall
	safe    bool // SafeSentence already said
}

func newTurn(c *Client, req dialog.GenerateRequest, emit func(string) bool, start time.Time) *turn {
	t := &turn{c: c, req: req, emit: emit, start: start, msgs: messages(req)}
	t.split.ClauseRunes = c.cfg.ClauseRunes
	if req.RunTool != nil && c.cfg.MaxToolRounds > 0 && len(req.Tools) > 0 {
		t.tools = tools(req.Tools)
		t.byName = make(map[string]dialog.Tool, len(req.Tools))
		for _, tl := range req.Tools {
			t.byName[tl.Name] = tl
		}
	}
	return t
}

// run streams rounds until the model answers without calling tools.
func (t *turn) run(ctx context.Context) error {
	for round := 0; ; round++ {
		offer := round < t.c.cfg.MaxToolRounds
		calls, content, err := t.round(ctx, offer)
		if errors.Is(err, errStopped) {
			return ctx.Err() // nil unless emit stopped because ctx ended
		}
		if err != nil {
			return err
		}
		if len(calls) == 0 {
			break
		}
		if !offer || len(t.tools) == 0 {
			if len(t.spoken) == 0 {
				return fmt.Errorf("%w: tool calls after %d rounds", ErrToolRounds, round)
			}
			break
		}
		if err := t.runTools(ctx, round, calls, content); err != nil {
			return err
		}
	}
	if len(t.spoken) == 0 {
		return ErrNoAnswer
	}
	return nil
}

func (t *turn) request(offer bool) openai.ChatCompletionRequest {
	r := openai.ChatCompletionRequest{
		Model: t.c.cfg.Model, Messages: t.msgs, Stream: true,
		Temperature: t.c.cfg.Temperature, MaxTokens: t.c.cfg.MaxTokens,
	}
	if len(t.tools) > 0 {
		r.Tools = t.tools
		if !offer {
			r.ToolChoice = "none"
		}
	}
	return r
}

// round streams one completion: content is spoken sentence by sentence,
// tool-call deltas are gathered by index. It returns the tool calls and
// the round's raw content.
func (t *turn) round(ctx context.Context, offer bool) ([]*pendingCall, string, error) {
	st, err := t.c.api.CreateChatCompletionStream(ctx, t.request(offer))
	if err != nil {
		return nil, "", err
	}
	defer st.Close()
	var acc toolAcc
	var content strings.Builder
	var finish openai.FinishReason
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue // we ask for one choice
			}
			if ch.Delta.Content != "" {
				content.WriteString(ch.Delta.Content)
				if err := t.say(ch.Delta.Content); err != nil {
					return nil, "", err
				}
			}
			if err := acc.add(ch.Delta.ToolCalls); err != nil {
				return nil, "", err
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	switch finish {
	case "":
		return nil, "", fmt.Errorf("%w: stream ended without finish_reason", ErrStream)
	case openai.FinishReasonLength, openai.FinishReasonContentFilter:
		// a cut sentence is not spoken
		t.c.log.Warn("llm: answer cut short", "finish_reason", string(finish))
		t.split.Reset()
	}
	if err := t.flush(); err != nil {
		return nil, "", err
	}
	return acc.calls, content.String(), nil
}

// say feeds streamed text to the splitter and speaks what it completes.
func (t *turn) say(text string) error {
	t.scratch = t.split.Write(text, t.scratch[:0])
	for _, s := range t.scratch {
		if err := t.speak(s); err != nil {
			return err
		}
	}
	return nil
}

func (t *turn) flush() error {
	t.scratch = t.split.Flush(t.scratch[:0])
	for _, s := range t.scratch {
		if err := t.speak(s); err != nil {
			return err
		}
	}
	return nil
}

// speak cleans and guards one raw sentence and emits it.
func (t *turn) speak(raw string) error {
	clean, cites := Clean(raw, t.cites)
	t.cites = cites
	if clean == "" {
		return nil
	}
	out, v, rule := Guard(clean)
	switch v {
	case Transaction:
		t.c.stats.transactions.Add(1)
		t.c.log.Warn("llm: transaction claim replaced", "rule", rule, "sentence", redact.Text(clean))
		if t.safe {
			return nil
		}
		t.safe = true
	case Masked:
		t.c.stats.masked.Add(1)
		t.c.log.Warn("llm: personal data masked in model output", "sentence", out)
	}
	if len(t.spoken) == 0 {
		if !t.timer.Stop() {
			return errFirstSentence // the timer fired: the turn is already cancelled
		}
		t.firstAt = time.Since(t.start)
	}
	t.spoken = append(t.spoken, out)
	t.c.stats.sentences.Add(1)
	t.total.pause()
	ok := t.emit(out)
	t.total.resume()
	if !ok {
		return errStopped
	}
	return nil
}

// result assembles the GenerateResult of what was said.
func (t *turn) result() dialog.GenerateResult {
	res := dialog.GenerateResult{Text: joinSentences(t.spoken), ToolCalls: t.calls}
	known := make(map[string]bool, len(t.req.Passages))
	for _, p := range t.req.Passages {
		known[p.ID] = true
	}
	for _, id := range t.cites {
		if known[id] {
			res.Sources = append(res.Sources, id)
			known[id] = false // once
		}
	}
	return res
}

// joinSentences joins Chinese sentences directly and puts a space between
// two that meet with ASCII letters or punctuation.
func joinSentences(ss []string) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(ss[i-1])
			next, _ := utf8.DecodeRuneInString(s)
			if prev < utf8.RuneSelf && next < utf8.RuneSelf {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// pendingCall is one tool call being streamed.
type pendingCall struct {
	id, name string
	args     strings.Builder
}

// toolAcc gathers tool_calls deltas: by index when the server sends one
// (OpenAI, vLLM, DashScope), otherwise by id, or onto the last call.
type toolAcc struct {
	calls   []*pendingCall
	byIndex map[int]*pendingCall
	bytes   int
}

func (a *toolAcc) add(deltas []openai.ToolCall) error {
	for _, d := range deltas {
		p := a.find(d)
		if p == nil {
			if len(a.calls) == maxStreamToolCalls {
				return fmt.Errorf("%w: more than %d tool calls", ErrStream, maxStreamToolCalls)
			}
			p = &pendingCall{}
			a.calls = append(a.calls, p)
			if d.Index != nil {
				if a.byIndex == nil {
					a.byIndex = map[int]*pendingCall{}
				}
				a.byIndex[*d.Index] = p
			}
		}
		if d.ID != "" {
			p.id = d.ID
		}
		if p.name == "" {
			p.name = d.Function.Name
		}
		a.bytes += len(d.Function.Arguments)
		if a.bytes > maxToolArgBytes {
			return fmt.Errorf("%w: tool arguments over %d bytes", ErrStream, maxToolArgBytes)
		}
		p.args.WriteString(d.Function.Arguments)
	}
	return nil
}

func (a *toolAcc) find(d openai.ToolCall) *pendingCall {
	if d.Index != nil {
		return a.byIndex[*d.Index]
	}
	if len(a.calls) == 0 {
		return nil
	}
	last := a.calls[len(a.calls)-1]
	if d.ID != "" && last.id != "" && d.ID != last.id {
		return nil
	}
	return last
}

// runTools runs one round's calls concurrently, then appends the assistant
// message that made them and one tool message per call, in order.
func (t *turn) runTools(ctx context.Context, round int, calls []*pendingCall, content string) error {
	assistant := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: content}
	done := make([]dialog.ToolCall, len(calls))
	ids := make([]string, len(calls))
	var wg sync.WaitGroup
	for i, p := range calls {
		ids[i] = p.id
		if ids[i] == "" {
			ids[i] = "call_" + strconv.Itoa(round) + "_" + strconv.Itoa(i)
		}
		assistant.ToolCalls = append(assistant.ToolCalls, openai.ToolCall{
			ID: ids[i], Type: openai.ToolTypeFunction,
			Function: openai.FunctionCall{Name: p.name, Arguments: p.args.String()},
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			done[i] = t.call(ctx, i, p.name, p.args.String())
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	t.msgs = append(t.msgs, assistant)
	for i, tc := range done {
		res := tc.Result
		if tc.Err != "" {
			res = errorResult(tc.Err)
			t.c.stats.toolErrors.Add(1)
			t.c.log.Warn("llm: tool call failed", "tool", tc.Name, "err", tc.Err)
		}
		t.c.stats.toolCalls.Add(1)
		t.msgs = append(t.msgs, openai.ChatCompletionMessage{
			Role: openai.ChatMessageRoleTool, ToolCallID: ids[i], Content: string(res),
		})
	}
	t.calls = append(t.calls, done...)
	return nil
}

// call checks and runs one tool call. It runs on its own goroutine and
// reads only immutable turn fields.
func (t *turn) call(ctx context.Context, i int, name, args string) dialog.ToolCall {
	tc := dialog.ToolCall{Name: name, Arguments: json.RawMessage(args)}
	if !json.Valid(tc.Arguments) {
		tc.Arguments = nil
	}
	tool, ok := t.byName[name]
	switch {
	case i >= t.c.cfg.MaxToolCalls:
		tc.Err = fmt.Sprintf("too many tool calls in one turn (at most %d)", t.c.cfg.MaxToolCalls)
		return tc
	case !ok:
		tc.Err = fmt.Sprintf("unknown tool %q", name)
		return tc
	}
	obj, problem := checkArgs(tool, args)
	if problem != "" {
		tc.Err = problem
		return tc
	}
	res, err := t.req.RunTool(ctx, name, obj)
	switch {
	case err != nil:
		tc.Err = err.Error()
	case !json.Valid(res):
		tc.Err = "tool returned invalid JSON"
	default:
		tc.Result = res
	}
	return tc
}

// isDecodeError reports a malformed or truncated stream.
func isDecodeError(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, openai.ErrTooManyEmptyStreamMessages)
}
