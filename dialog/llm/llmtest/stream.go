package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// streamReply writes reply as server-sent events: "data: {chunk}\n\n" for
// each chat.completion.chunk, then "data: [DONE]\n\n".
func streamReply(ctx context.Context, w *statusWriter, id string, req Request, reply Reply) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	w.Flush()

	e := &emitter{ctx: ctx, w: w, reply: reply, base: chunk{ID: id, Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: req.Model}}
	empty := ""
	if !e.send(delta{Role: "assistant", Content: &empty}, nil) {
		return
	}
	if reply.StreamError != "" {
		msg, _ := json.Marshal(apiError{Error: apiErrorBody{Message: reply.StreamError, Type: "server_error"}})
		e.raw("data: " + string(msg) + "\n\n")
		return
	}
	for _, p := range pieces(reply.Content, reply.PieceRunes) {
		if !e.send(delta{Content: &p}, nil) {
			return
		}
	}
	for i, c := range reply.ToolCalls {
		if !e.sendCall(i, c) {
			return
		}
	}
	if reply.NoFinish {
		return
	}
	finish := finishReason(reply)
	if !e.send(delta{}, &finish) {
		return
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		u := usageOf(req, reply)
		c := e.base
		c.Choices = []chunkChoice{}
		c.Usage = &u
		b, _ := json.Marshal(c)
		e.raw("data: " + string(b) + "\n\n")
	}
	e.raw("data: [DONE]\n\n")
}

type emitter struct {
	ctx   context.Context
	w     *statusWriter
	reply Reply
	base  chunk
	sent  int
}

// send writes one chunk after the chunk delay, applying the faults. It
// reports whether the stream goes on.
func (e *emitter) send(d delta, finish *string) bool {
	if e.sent > 0 && !sleep(e.ctx, e.reply.ChunkDelay) {
		return false
	}
	if e.reply.DisconnectAfter > 0 && e.sent >= e.reply.DisconnectAfter {
		panic(http.ErrAbortHandler) // net/http drops the connection mid-body
	}
	if e.reply.MalformedAfter > 0 && e.sent == e.reply.MalformedAfter {
		e.raw(`data: {"id":"` + e.base.ID + `","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"斷` + "\n\n")
		e.sent++
		return true
	}
	c := e.base
	c.Choices = []chunkChoice{{Index: 0, Delta: d, FinishReason: finish}}
	b, _ := json.Marshal(c)
	e.sent++
	return e.raw("data: " + string(b) + "\n\n")
}

func (e *emitter) raw(s string) bool {
	if _, err := e.w.Write([]byte(s)); err != nil {
		return false
	}
	e.w.Flush()
	return e.ctx.Err() == nil
}

// sendCall streams tool call i: id, type and name first with empty
// arguments, then the arguments in pieces carrying only the index.
func (e *emitter) sendCall(i int, c Call) bool {
	idx := i
	first := ToolCall{Index: &idx, ID: callID(i, c), Type: "function", Function: FunctionCall{Name: c.Name}}
	if !e.send(delta{ToolCalls: []ToolCall{first}}, nil) {
		return false
	}
	for _, p := range split(c.Arguments, argPieces(e.reply)) {
		if !e.send(delta{ToolCalls: []ToolCall{{Index: &idx, Function: FunctionCall{Arguments: p}}}}, nil) {
			return false
		}
	}
	return true
}

func argPieces(r Reply) int {
	if r.ArgPieces <= 0 {
		return 3
	}
	return r.ArgPieces
}

func callID(i int, c Call) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("call_llmtest_%d", i)
}

func finishReason(r Reply) string {
	switch {
	case r.FinishReason != "":
		return r.FinishReason
	case len(r.ToolCalls) > 0:
		return "tool_calls"
	}
	return "stop"
}

func usageOf(req Request, r Reply) usage {
	prompt := 0
	for _, m := range req.Messages {
		prompt += utf8.RuneCount(m.Content)
	}
	done := utf8.RuneCountInString(r.Content)
	return usage{PromptTokens: prompt, CompletionTokens: done, TotalTokens: prompt + done}
}

// completionOf is the non-streamed answer.
func completionOf(id, model string, r Reply) completion {
	msg := answerMessage{Role: "assistant"}
	if r.Content != "" || len(r.ToolCalls) == 0 {
		content := r.Content
		msg.Content = &content
	}
	for i, c := range r.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: callID(i, c), Type: "function",
			Function: FunctionCall{Name: c.Name, Arguments: c.Arguments}})
	}
	n := utf8.RuneCountInString(r.Content)
	return completion{ID: id, Object: "chat.completion", Created: time.Now().Unix(), Model: model,
		Choices: []completionChoice{{Index: 0, Message: msg, FinishReason: finishReason(r)}},
		Usage:   usage{CompletionTokens: n, TotalTokens: n}}
}
