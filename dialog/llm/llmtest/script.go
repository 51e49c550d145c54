package llmtest

import (
	"strings"
	"time"
)

// Matcher picks the scripted Reply for a request.
type Matcher func(Request) bool

// Any matches every request.
func Any() Matcher { return func(Request) bool { return true } }

// UserSays matches when the last message is the user's and contains sub.
func UserSays(sub string) Matcher {
	return func(r Request) bool {
		m, ok := last(r)
		return ok && m.Role == "user" && strings.Contains(m.Text(), sub)
	}
}

// ToolResult matches when the last message is a tool result and contains
// sub (the tool's JSON reply, or {"error":…}).
func ToolResult(sub string) Matcher {
	return func(r Request) bool {
		m, ok := last(r)
		return ok && m.Role == "tool" && strings.Contains(m.Text(), sub)
	}
}

func last(r Request) (Message, bool) {
	if len(r.Messages) == 0 {
		return Message{}, false
	}
	return r.Messages[len(r.Messages)-1], true
}

// Call is a tool call in a scripted reply.
type Call struct {
	ID        string // default call_<n>
	Name      string
	Arguments string // JSON text, streamed in ArgPieces pieces
}

// Reply is what the server answers to a matched request: content streamed
// in small pieces, then tool calls with their arguments split across
// chunks, then the finish reason. Faults can be injected.
type Reply struct {
	Content      string
	ToolCalls    []Call
	FinishReason string // default "tool_calls" with calls, else "stop"
	PieceRunes   int    // runes per content chunk (default 2)
	ArgPieces    int    // chunks per tool call's arguments (default 3)

	InitialDelay time.Duration // before the response headers
	ChunkDelay   time.Duration // between chunks (default Options.ChunkDelay)

	// Faults, counted in chunks sent (the role chunk is the first).
	DisconnectAfter int // cut the connection after this many chunks
	MalformedAfter  int // send a truncated JSON chunk after this many
	NoFinish        bool
	// Status answers with this HTTP error instead (429, 500, 503…), with
	// OpenAI's error body; ErrorMessage overrides its message.
	Status       int
	ErrorMessage string
	// StreamError sends an SSE error event ({"error":{…}}) after the role
	// chunk instead of content, as some servers do mid-stream.
	StreamError string
}

// Rule is one entry of the script: the first rule whose matcher accepts
// a request, and that has uses left, answers it.
type Rule struct {
	match Matcher
	reply Reply
	times int // uses left; <0 unlimited
	used  int
}

// Times limits the rule to n uses (then later rules answer). It returns
// the rule for chaining.
func (r *Rule) Times(n int) *Rule {
	r.times = n
	return r
}

// pieces splits s into chunks of n runes.
func pieces(s string, n int) []string {
	if n <= 0 {
		n = 2
	}
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); i += n {
		out = append(out, string(rs[i:min(i+n, len(rs))]))
	}
	return out
}

// split cuts s into at most n pieces of about equal byte length (JSON
// arguments are ASCII-heavy; pieces never split a rune).
func split(s string, n int) []string {
	if n <= 1 || len(s) < n {
		return []string{s}
	}
	rs := []rune(s)
	size := (len(rs) + n - 1) / n
	return pieces(s, size)
}
