package llm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/llm"
)

// FuzzStream serves arbitrary bytes as the SSE body of a chat completion:
// Generate must never panic, must return a package error or a non-empty
// answer, and every sentence it emits must have passed the guard.
func FuzzStream(f *testing.F) {
	seeds := []string{
		`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"你好。"},"finish_reason":null}]}` + "\n\n" +
			`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n",
		`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"fx","arguments":"{\"c\""}}]}}]}` + "\n\n" +
			`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n",
		`data: {"choices":[{"index":0,"delta":{"content":"斷` + "\n\n",
		`data: {"error":{"message":"boom","type":"server_error"}}` + "\n\n",
		"event: ping\n\n: comment\n\ndata: [DONE]\n\n",
		`data: {"choices":[{"index":0,"delta":{"content":"已經幫你轉咗錢。卡號4111111111111111。"},"finish_reason":"stop"}]}` + "\n\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	var body atomicString
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(body.Load()))
	}))
	defer srv.Close()
	cfg := llm.DefaultConfig()
	cfg.BaseURL, cfg.APIKey, cfg.Model = srv.URL+"/v1", "k", "m"
	cfg.FirstSentenceTimeout, cfg.TotalTimeout, cfg.MaxToolRounds = time.Second, 2*time.Second, 2
	c, err := llm.New(cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	req := dialog.GenerateRequest{Text: "x", Tools: []dialog.Tool{{Name: "fx"}},
		RunTool: func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
			return json.RawMessage(`{}`), nil
		}}
	f.Fuzz(func(t *testing.T, sse string) {
		body.Store(sse)
		var said []string
		res, err := c.Generate(context.Background(), req, func(s string) bool { said = append(said, s); return true })
		if err != nil && !strings.HasPrefix(err.Error(), "llm: ") {
			t.Fatalf("error without prefix: %v", err)
		}
		if err == nil && res.Text == "" {
			t.Fatal("no error and no answer")
		}
		for _, s := range said {
			if out, v, _ := llm.Guard(s); out != s && v == llm.Transaction {
				t.Fatalf("unguarded sentence %q", s)
			}
			if strings.Contains(s, "4111111111111111") {
				t.Fatalf("card number spoken: %q", s)
			}
		}
	})
}

// atomicString hands the fuzz input to the server goroutine.
type atomicString struct{ v atomic.Pointer[string] }

func (a *atomicString) Store(s string) { a.v.Store(&s) }

func (a *atomicString) Load() string {
	if p := a.v.Load(); p != nil {
		return *p
	}
	return ""
}
