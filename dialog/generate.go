package dialog

import (
	"context"
	"encoding/json"
	"time"
)

// Passage is a knowledge-base passage given to a Generator to ground its
// answer on. ID is the article id the answer cites.
type Passage struct {
	ID    string
	Title string
	Text  string
}

// Tool is an HTTP endpoint from the pack that a Generator may call. Tools
// that perform or start a transaction are never offered to a Generator.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the arguments (an object)
	Method      string          // GET or POST
	URL         string
	Timeout     time.Duration
}

// ToolCall is one tool invocation made while generating.
type ToolCall struct {
	Name      string
	Arguments json.RawMessage
	Result    json.RawMessage
	Err       string
}

// GenerateRequest is everything a Generator may use for one caller turn.
// Text, History and Slots are already masked.
type GenerateRequest struct {
	Instructions string // system prompt: persona, HK Cantonese, rules
	History      []Turn // oldest first; bot turns as heard
	Text         string // this caller turn
	Intent       string
	Slots        map[string]string
	Passages     []Passage
	Tools        []Tool
	// RunTool executes a tool by name with JSON arguments; the dialog owns
	// it so it can refuse tools the guardrails forbid.
	RunTool func(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error)
}

// GenerateResult is a finished generation.
type GenerateResult struct {
	Text      string   // all sentences emitted, in order
	Sources   []string // passage ids the answer cites
	ToolCalls []ToolCall
}

// Generator writes an answer sentence by sentence (an LLM, package
// dialog/llm). Generate calls emit with each complete sentence as soon as it
// is complete; emit returns false to stop early. An error before the first
// sentence lets the dialog fall back to its offline answer.
type Generator interface {
	Generate(ctx context.Context, req GenerateRequest, emit func(sentence string) bool) (GenerateResult, error)
}
