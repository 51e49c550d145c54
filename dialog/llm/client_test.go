package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/llm"
	"github.com/yuecall/yuecall/dialog/llm/llmtest"
)

// syncBuffer is a log sink safe for the client's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newClient(t *testing.T, srv *llmtest.Server, edit func(*llm.Config)) (*llm.Client, *syncBuffer) {
	t.Helper()
	cfg := llm.DefaultConfig()
	cfg.BaseURL = srv.URL
	cfg.APIKey = llmtest.DefaultKey
	cfg.Model = llmtest.DefaultModel
	cfg.FirstSentenceTimeout = 2 * time.Second
	cfg.TotalTimeout = 5 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	logs := &syncBuffer{}
	c, err := llm.New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, logs
}

type heard struct {
	sentences []string
	at        []time.Duration
	start     time.Time
}

func (h *heard) emit(s string) bool {
	h.sentences = append(h.sentences, s)
	h.at = append(h.at, time.Since(h.start))
	return true
}

func generate(t *testing.T, c *llm.Client, req dialog.GenerateRequest) (*heard, dialog.GenerateResult, error) {
	t.Helper()
	h := &heard{start: time.Now()}
	res, err := c.Generate(context.Background(), req, h.emit)
	return h, res, err
}

var passages = []dialog.Passage{
	{ID: "fees", Title: "海外提款手續費", Text: "海外提款每次收港幣二十五元。"},
	{ID: "transfer-fees", Title: "轉賬收費", Text: "本地轉賬免費。"},
}

func TestStreamSentences(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.UserSays("手續費"), llmtest.Reply{
		Content:    "你好！海外提款每次收二十五蚊[fees]。想問下仲有冇其他嘢可以幫到你？",
		PieceRunes: 2, ChunkDelay: 15 * time.Millisecond,
	})
	c, _ := newClient(t, srv, nil)
	req := dialog.GenerateRequest{
		Instructions: "你係銀行嘅電話助手。",
		History:      []dialog.Turn{{Speaker: dialog.Caller, Text: "喂"}, {Speaker: dialog.Bot, Text: "你好，有咩幫到你？"}},
		Text:         "海外提款手續費幾多？", Intent: "fees", Passages: passages,
	}
	h, res, err := generate(t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"你好！", "海外提款每次收二十五蚊。", "想問下仲有冇其他嘢可以幫到你？"}
	if !slices.Equal(h.sentences, want) {
		t.Fatalf("sentences %q, want %q", h.sentences, want)
	}
	if res.Text != strings.Join(want, "") || !slices.Equal(res.Sources, []string{"fees"}) {
		t.Errorf("result %+v", res)
	}
	// The first sentence must be out long before the stream ends (about
	// 22 chunks of 15 ms): it is emitted as soon as it is complete.
	if first, last := h.at[0], h.at[len(h.at)-1]; first > last/3 {
		t.Errorf("first sentence at %v, last at %v: not streamed", first, last)
	}
	t.Logf("first sentence after %v, last after %v", h.at[0], h.at[len(h.at)-1])

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Auth != "Bearer "+llmtest.DefaultKey || !r.Req.Stream || r.Req.Model != llmtest.DefaultModel || r.Status != 200 {
		t.Errorf("request auth %q stream %v model %q status %d", r.Auth, r.Req.Stream, r.Req.Model, r.Status)
	}
	roles := []string{}
	for _, m := range r.Req.Messages {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []string{"system", "user", "assistant", "user"}) {
		t.Errorf("roles %v", roles)
	}
	sys := r.Req.Messages[0].Text()
	for _, must := range []string{"你係銀行嘅電話助手。", "[fees] 海外提款手續費", "轉賬", "香港粵語", "意圖：fees"} {
		if !strings.Contains(sys, must) {
			t.Errorf("system prompt lacks %q", must)
		}
	}
	if len(r.Req.Tools) != 0 {
		t.Errorf("tools offered without RunTool: %v", r.Req.Tools)
	}
}

func TestHistoryDoesNotRepeatTurn(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "得。"})
	c, _ := newClient(t, srv, nil)
	req := dialog.GenerateRequest{Text: "幾點開門？", History: []dialog.Turn{
		{Speaker: dialog.Bot, Text: "你好，有咩", Interrupted: true},
		{Speaker: dialog.Caller, Text: "幾點開門？"},
	}}
	if _, _, err := generate(t, c, req); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Requests()[0].Req.Messages
	if len(msgs) != 3 || msgs[2].Text() != "幾點開門？" || !strings.Contains(msgs[1].Text(), "打斷") {
		t.Errorf("messages %+v", msgs)
	}
}

func TestGroundedSources(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{
		Content: "**海外提款**每次二十五蚊[fees]。本地轉賬就免費【transfer-fees】。\n[unknown-id]\n- 有咩再問我😊",
	})
	c, logs := newClient(t, srv, nil)
	h, res, err := generate(t, c, dialog.GenerateRequest{Text: "收幾多錢？", Passages: passages})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"海外提款每次二十五蚊。", "本地轉賬就免費。", "有咩再問我"}
	if !slices.Equal(h.sentences, want) {
		t.Errorf("sentences %q, want %q", h.sentences, want)
	}
	if !slices.Equal(res.Sources, []string{"fees", "transfer-fees"}) {
		t.Errorf("sources %q", res.Sources)
	}
	if strings.Contains(logs.String(), llmtest.DefaultKey) {
		t.Error("key in logs")
	}
}

// rateServer is the bank's exchange_rate tool.
func rateServer(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := r.URL.Query().Get("currency")
		mu.Lock()
		got = append(got, cur)
		mu.Unlock()
		rates := map[string]float64{"USD": 7.8, "JPY": 0.052}
		rate, ok := rates[cur]
		if !ok {
			http.Error(w, `{"error":"unknown currency"}`, http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"currency": cur, "hkd": rate})
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
}

var rateTool = dialog.Tool{
	Name: "exchange_rate", Description: "港幣兌外幣匯率", Method: "GET",
	Parameters: json.RawMessage(`{"type":"object","properties":{"currency":{"type":"string"}},"required":["currency"]}`),
}

// runTool calls the rate server the way the dialog's ToolRunner would.
func runTool(rates *httptest.Server) func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
	return func(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
		var a struct{ Currency string }
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rates.URL+"/rate?currency="+a.Currency, nil)
		resp, err := rates.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var body json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return nil, err
		}
		if resp.StatusCode != 200 {
			return nil, errors.New("dialog: tool rejected the call: exchange_rate: HTTP 404")
		}
		return body, nil
	}
}

func TestToolRoundTrip(t *testing.T) {
	rates, got := rateServer(t)
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.UserSays("美金"), llmtest.Reply{
		ToolCalls: []llmtest.Call{{ID: "call_fx1", Name: "exchange_rate", Arguments: `{"currency": "USD"}`}}, ArgPieces: 4,
	})
	srv.Script(llmtest.ToolResult(`"hkd":7.8`), llmtest.Reply{Content: "而家一美金兌七點八港幣。"})
	c, _ := newClient(t, srv, nil)
	h, res, err := generate(t, c, dialog.GenerateRequest{Text: "美金匯率幾多？", Tools: []dialog.Tool{rateTool}, RunTool: runTool(rates)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.sentences, []string{"而家一美金兌七點八港幣。"}) || !slices.Equal(got(), []string{"USD"}) {
		t.Fatalf("sentences %q, tool saw %q", h.sentences, got())
	}
	if len(res.ToolCalls) != 1 || res.ToolCalls[0].Name != "exchange_rate" || res.ToolCalls[0].Err != "" ||
		!strings.Contains(string(res.ToolCalls[0].Result), "7.8") || string(res.ToolCalls[0].Arguments) != `{"currency": "USD"}` {
		t.Errorf("tool calls %+v", res.ToolCalls)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if tl := reqs[0].Req.Tools; len(tl) != 1 || tl[0].Function.Name != "exchange_rate" || !strings.Contains(string(tl[0].Function.Parameters), `"required"`) {
		t.Errorf("tools offered %+v", tl)
	}
	msgs := reqs[1].Req.Messages
	asst, tool := msgs[len(msgs)-2], msgs[len(msgs)-1]
	if asst.Role != "assistant" || len(asst.ToolCalls) != 1 || asst.ToolCalls[0].ID != "call_fx1" ||
		tool.Role != "tool" || tool.ToolCallID != "call_fx1" {
		t.Errorf("second request ends with %+v, %+v", asst, tool)
	}
	if s := c.Stats(); s.ToolCalls != 1 || s.ToolErrors != 0 || s.Sentences != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestMultipleToolCalls(t *testing.T) {
	rates, got := rateServer(t)
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.UserSays("匯率"), llmtest.Reply{Content: "等我查下。", ToolCalls: []llmtest.Call{
		{Name: "exchange_rate", Arguments: `{"currency":"USD"}`},
		{Name: "exchange_rate", Arguments: `{"currency":"JPY"}`},
		{Name: "exchange_rate", Arguments: `{"currency":"XYZ"}`},
		{Name: "exchange_rate", Arguments: `{"amount":1}`},
		{Name: "transfer", Arguments: `{"to":"x"}`},
	}, ArgPieces: 5})
	srv.Script(llmtest.ToolResult(""), llmtest.Reply{Content: "美金七點八，日圓零點零五二。"})
	c, _ := newClient(t, srv, func(c *llm.Config) { c.MaxToolCalls = 5 })
	h, res, err := generate(t, c, dialog.GenerateRequest{Text: "美金同日圓匯率？", Tools: []dialog.Tool{rateTool}, RunTool: runTool(rates)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.sentences, []string{"等我查下。", "美金七點八，日圓零點零五二。"}) {
		t.Errorf("sentences %q", h.sentences)
	}
	seen := got()
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"JPY", "USD", "XYZ"}) {
		t.Errorf("tool server saw %q", seen)
	}
	wantErr := []string{"", "", "rejected", "missing required arguments: currency", `unknown tool "transfer"`}
	if len(res.ToolCalls) != 5 {
		t.Fatalf("tool calls %+v", res.ToolCalls)
	}
	for i, tc := range res.ToolCalls {
		if (wantErr[i] == "") != (tc.Err == "") || !strings.Contains(tc.Err, wantErr[i]) {
			t.Errorf("call %d err %q, want %q", i, tc.Err, wantErr[i])
		}
	}
	msgs := srv.Requests()[1].Req.Messages
	tools := msgs[len(msgs)-5:]
	asst := msgs[len(msgs)-6]
	if asst.Text() != "等我查下。" || len(asst.ToolCalls) != 5 {
		t.Fatalf("assistant message %+v", asst)
	}
	for i, m := range tools {
		if m.Role != "tool" || m.ToolCallID != asst.ToolCalls[i].ID {
			t.Errorf("tool message %d: %+v", i, m)
		}
		if isErr := strings.HasPrefix(m.Text(), `{"error":`); isErr != (wantErr[i] != "") {
			t.Errorf("tool message %d content %s", i, m.Text())
		}
	}
	if s := c.Stats(); s.ToolCalls != 5 || s.ToolErrors != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestToolRoundsLimit(t *testing.T) {
	rates, _ := rateServer(t)
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{ToolCalls: []llmtest.Call{{Name: "exchange_rate", Arguments: `{"currency":"USD"}`}}})
	c, _ := newClient(t, srv, func(c *llm.Config) { c.MaxToolRounds = 2 })
	_, res, err := generate(t, c, dialog.GenerateRequest{Text: "匯率", Tools: []dialog.Tool{rateTool}, RunTool: runTool(rates)})
	if !errors.Is(err, llm.ErrNoAnswer) {
		t.Fatalf("err %v, want ErrNoAnswer", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || len(res.ToolCalls) != 2 {
		t.Fatalf("%d requests, %d tool calls", len(reqs), len(res.ToolCalls))
	}
	if string(reqs[2].Req.ToolChoice) != `"none"` || len(reqs[0].Req.ToolChoice) != 0 {
		t.Errorf("tool_choice %s then %s", reqs[0].Req.ToolChoice, reqs[2].Req.ToolChoice)
	}
}

// BenchmarkGenerate is one streamed turn against llmtest over loopback
// (no scripted delays): it reports the time to the first sentence and the
// allocations of a whole turn, client and server together.
func BenchmarkGenerate(b *testing.B) {
	srv := llmtest.NewServer(b, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "海外提款每次收二十五蚊[fees]。本地轉賬免費。有咩再問我。", PieceRunes: 3})
	cfg := llm.DefaultConfig()
	cfg.BaseURL, cfg.APIKey, cfg.Model = srv.URL, llmtest.DefaultKey, llmtest.DefaultModel
	c, err := llm.New(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := dialog.GenerateRequest{Text: "手續費？", Passages: passages}
	var first time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		n := 0
		_, err := c.Generate(context.Background(), req, func(string) bool {
			if n == 0 {
				first += time.Since(start)
			}
			n++
			return true
		})
		if err != nil || n != 3 {
			b.Fatalf("err %v, %d sentences", err, n)
		}
	}
	b.ReportMetric(float64(first.Microseconds())/float64(b.N), "µs-first-sentence/op")
}
