package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// script is one multi-turn conversation in testdata/conversations.
type script struct {
	Name      string       `yaml:"name"`
	Caller    string       `yaml:"caller"`
	Now       string       `yaml:"now"`       // YYYY-MM-DD, default 2026-11-21
	API       string       `yaml:"api"`       // bank API test server: up (default), down, none
	Generator *fakeGenSpec `yaml:"generator"` // a fake LLM
	Turns     []scriptTurn `yaml:"turns"`
}

type scriptTurn struct {
	Say         string        `yaml:"say"`
	Review      string        `yaml:"review"` // a Reviewed decision instead of a caller turn
	ReviewText  string        `yaml:"review_text"`
	Expect      expectation   `yaml:"expect"`
	Summary     *summaryCheck `yaml:"summary"`
	Suggestions *suggestCheck `yaml:"suggestions"`
}

type expectation struct {
	Action        string            `yaml:"action"`
	Intent        *string           `yaml:"intent"`
	Queue         string            `yaml:"queue"`
	Reason        string            `yaml:"reason"`
	Contains      []string          `yaml:"contains"`
	NotContains   []string          `yaml:"not_contains"`
	Slots         map[string]string `yaml:"slots"`
	Urgent        bool              `yaml:"urgent"`
	Sources       []string          `yaml:"sources"`
	DraftContains []string          `yaml:"draft_contains"`
	Stream        bool              `yaml:"stream"`          // Sentences must be set
	StreamHas     []string          `yaml:"stream_contains"` // in the streamed text
	Fallback      *bool             `yaml:"fallback"`
	Verified      *bool             `yaml:"verified"`
	OTPsSent      *int              `yaml:"otps_sent"`
}

type summaryCheck struct {
	Intent  string   `yaml:"intent"`
	Done    []string `yaml:"done_contains"`
	Pending []string `yaml:"pending_contains"`
	NoPend  bool     `yaml:"no_pending"`
	Text    []string `yaml:"text_contains"`
	NotText []string `yaml:"text_lacks"`
}

type suggestCheck struct {
	K      int    `yaml:"k"`
	Min    int    `yaml:"min"`
	Source string `yaml:"source"`
}

func TestConversationScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/conversations/*.yaml")
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 scripts, have %d (%v)", len(files), err)
	}
	e := bankEngine(t)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc script
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			t.Parallel()
			runScript(t, e, sc)
		})
	}
}

func runScript(t *testing.T, e *Engine, sc script) {
	api := newBankAPI(t, sc.API)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	if sc.Now != "" {
		var err error
		if now, err = time.Parse("2006-01-02", sc.Now); err != nil {
			t.Fatal(err)
		}
	}
	opts := []ConversationOption{WithCaller(sc.Caller), WithClock(func() time.Time { return now }),
		WithGetenv(func(k string) string {
			if k == "YUECALL_BANK_API" {
				return api.url
			}
			return ""
		})}
	if sc.Generator != nil {
		opts = append(opts, WithGenerator(&fakeGen{spec: *sc.Generator}, 150*time.Millisecond))
	}
	c := e.NewConversation(opts...)
	ctx := context.Background()
	for i, tt := range sc.Turns {
		var r Reply
		did := true
		switch {
		case tt.Review != "":
			r = c.Reviewed(tt.Review, tt.ReviewText)
		case tt.Say != "" || tt.Summary == nil && tt.Suggestions == nil:
			r = c.Respond(ctx, tt.Say)
		default:
			did = false
		}
		where := sc.Name + ": turn " + itoa(i) + " " + tt.Say + tt.Review
		if did {
			checkReply(t, where, c, r, tt.Expect, api)
		}
		if tt.Summary != nil {
			checkSummary(t, where, c.Summary(), *tt.Summary)
		}
		if tt.Suggestions != nil {
			checkSuggestions(t, where, c.Suggestions(tt.Suggestions.K), *tt.Suggestions)
		}
	}
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func checkReply(t *testing.T, where string, c *Conversation, r Reply, x expectation, api *bankAPI) {
	t.Helper()
	text := r.Text
	if r.Sentences != nil {
		var got []string
		for s := range r.Sentences {
			got = append(got, s)
		}
		res := r.Result()
		if strings.Join(got, "") != res.Text {
			t.Errorf("%s: streamed %q but Result says %q", where, got, res.Text)
		}
		for _, w := range x.StreamHas {
			if !strings.Contains(res.Text, w) {
				t.Errorf("%s: stream %q lacks %q", where, res.Text, w)
			}
		}
		if x.Fallback != nil && res.Fallback != *x.Fallback {
			t.Errorf("%s: fallback %v, want %v (%q)", where, res.Fallback, *x.Fallback, res.Text)
		}
		c.Heard(res.Text, 1)
	} else {
		if x.Stream {
			t.Errorf("%s: no stream (%s %q)", where, r.Action, r.Text)
		}
		c.Heard(r.Text, 1)
	}
	if x.Action != "" && r.Action.String() != x.Action {
		t.Errorf("%s: action %s, want %s (intent %q, text %q)", where, r.Action, x.Action, r.Intent, r.Text)
	}
	if x.Intent != nil && r.Intent != *x.Intent {
		t.Errorf("%s: intent %q, want %q (text %q)", where, r.Intent, *x.Intent, r.Text)
	}
	if x.Queue != "" && r.Queue != x.Queue || x.Reason != "" && r.Reason != x.Reason {
		t.Errorf("%s: queue %q reason %q, want %q %q", where, r.Queue, r.Reason, x.Queue, x.Reason)
	}
	if r.Urgent != x.Urgent {
		t.Errorf("%s: urgent %v, want %v", where, r.Urgent, x.Urgent)
	}
	for _, w := range x.Contains {
		if !strings.Contains(text, w) {
			t.Errorf("%s: text %q lacks %q", where, text, w)
		}
	}
	for _, w := range x.NotContains {
		if strings.Contains(text, w) {
			t.Errorf("%s: text %q contains %q", where, text, w)
		}
	}
	for k, v := range x.Slots {
		if r.Slots[k] != v {
			t.Errorf("%s: slot %s = %q, want %q (slots %v)", where, k, r.Slots[k], v, r.Slots)
		}
	}
	if x.Sources != nil && !slices.Equal(r.Sources, x.Sources) {
		t.Errorf("%s: sources %v, want %v", where, r.Sources, x.Sources)
	}
	for _, w := range x.DraftContains {
		if !strings.Contains(r.Draft, w) {
			t.Errorf("%s: draft %q lacks %q", where, r.Draft, w)
		}
	}
	if x.Verified != nil && c.Verified() != *x.Verified {
		t.Errorf("%s: verified %v, want %v", where, c.Verified(), *x.Verified)
	}
	if x.OTPsSent != nil && api.otps() != *x.OTPsSent {
		t.Errorf("%s: %d OTPs sent, want %d", where, api.otps(), *x.OTPsSent)
	}
}

func checkSummary(t *testing.T, where string, s Summary, x summaryCheck) {
	t.Helper()
	if x.Intent != "" && s.Intent != x.Intent {
		t.Errorf("%s: summary intent %q, want %q", where, s.Intent, x.Intent)
	}
	has := func(list []string, w string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, w) })
	}
	for _, w := range x.Done {
		if !has(s.Done, w) {
			t.Errorf("%s: summary done %q lacks %q", where, s.Done, w)
		}
	}
	for _, w := range x.Pending {
		if !has(s.Pending, w) {
			t.Errorf("%s: summary pending %q lacks %q", where, s.Pending, w)
		}
	}
	if x.NoPend && len(s.Pending) > 0 {
		t.Errorf("%s: summary pending %q, want none", where, s.Pending)
	}
	for _, w := range x.Text {
		if !strings.Contains(s.Text, w) {
			t.Errorf("%s: summary text %q lacks %q", where, s.Text, w)
		}
	}
	for _, w := range x.NotText {
		if strings.Contains(s.Text, w) {
			t.Errorf("%s: summary text %q contains %q", where, s.Text, w)
		}
	}
}

func checkSuggestions(t *testing.T, where string, got []Suggestion, x suggestCheck) {
	t.Helper()
	if len(got) < x.Min || len(got) > x.K {
		t.Errorf("%s: %d suggestions, want %d..%d: %+v", where, len(got), x.Min, x.K, got)
	}
	if x.Source != "" && !slices.ContainsFunc(got, func(s Suggestion) bool { return slices.Contains(s.Sources, x.Source) }) {
		t.Errorf("%s: no suggestion cites %s: %+v", where, x.Source, got)
	}
	for _, s := range got {
		if len(s.Sources) == 0 {
			t.Errorf("%s: suggestion without a source: %+v", where, s)
		}
	}
}

// bankAPI is the bank's HTTP API as tools.yaml describes it, on 127.0.0.1.
type bankAPI struct {
	url  string
	mu   sync.Mutex
	sent int
}

func (a *bankAPI) otps() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sent
}

const (
	testFactor = "A123"
	testOTP    = "246810"
)

func newBankAPI(t *testing.T, mode string) *bankAPI {
	a := &bankAPI{}
	if mode == "none" {
		return a
	}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	body := func(r *http.Request) map[string]any {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		return m
	}
	mux.HandleFunc("POST /identity/verify", func(w http.ResponseWriter, r *http.Request) {
		m := body(r)
		reply(w, map[string]bool{"match": m["caller_id"] != "" && m["answer"] == testFactor})
	})
	mux.HandleFunc("POST /otp/send", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.sent++
		a.mu.Unlock()
		reply(w, map[string]bool{"sent": true})
	})
	mux.HandleFunc("POST /otp/verify", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]bool{"valid": body(r)["code"] == testOTP})
	})
	mux.HandleFunc("GET /accounts/balance", func(w http.ResponseWriter, r *http.Request) {
		acct := r.URL.Query().Get("account_type")
		if acct == "" {
			acct = "儲蓄戶口"
		}
		reply(w, map[string]string{"account_type": acct, "balance": "一萬二千三百蚊"})
	})
	mux.HandleFunc("GET /accounts/transactions", func(w http.ResponseWriter, r *http.Request) {
		period := map[string]string{"2026-10": "十月", "2026-11": "十一月", "2026-09": "九月"}[r.URL.Query().Get("month")]
		if period == "" {
			period = "最近一個月"
		}
		reply(w, map[string]any{"period": period, "count": 3, "total": "二千五百蚊"})
	})
	mux.HandleFunc("GET /rates/fx", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"currency": r.URL.Query().Get("currency"), "buy": 7.78, "sell": 7.82})
	})
	var h http.Handler = mux
	if mode == "down" {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		})
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// fakeGenSpec configures fakeGen from a script.
type fakeGenSpec struct {
	Mode      string   `yaml:"mode"` // ok, slow (nothing until ctx ends), error, tools
	Sentences []string `yaml:"sentences"`
}

// fakeGen is a Generator for the scripts: it emits the given sentences
// citing the first passage, or misbehaves as the mode says.
type fakeGen struct {
	spec fakeGenSpec
}

func (g *fakeGen) Generate(ctx context.Context, req GenerateRequest, emit func(string) bool) (GenerateResult, error) {
	var res GenerateResult
	switch g.spec.Mode {
	case "slow":
		<-ctx.Done()
		return res, ctx.Err()
	case "error":
		return res, errors.New("fake: upstream 500")
	case "tools":
		for _, name := range []string{"transfer_funds", "get_exchange_rate"} {
			args := json.RawMessage(`{"currency":"USD"}`)
			if name == "transfer_funds" {
				args = json.RawMessage(`{"caller_id":"x","amount":100,"to_account":"y"}`)
			}
			out, err := req.RunTool(ctx, name, args)
			tc := ToolCall{Name: name, Arguments: args, Result: out}
			if err != nil {
				tc.Err = err.Error()
			}
			res.ToolCalls = append(res.ToolCalls, tc)
			if name == "transfer_funds" && !errors.Is(err, ErrToolTransaction) {
				return res, errors.New("fake: transaction tool was run")
			}
			if name == "get_exchange_rate" && err != nil {
				return res, err
			}
		}
		if slices.ContainsFunc(req.Tools, func(t Tool) bool { return t.Name == "transfer_funds" }) {
			return res, errors.New("fake: transaction tool offered")
		}
	}
	for _, s := range g.spec.Sentences {
		if !emit(s) {
			return res, ctx.Err()
		}
		res.Text += s
	}
	if len(req.Passages) > 0 {
		res.Sources = []string{req.Passages[0].ID}
	}
	return res, nil
}
