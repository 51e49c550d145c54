package llm_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/llm"
	"github.com/yuecall/yuecall/dialog/llm/llmtest"
)

func TestGuardReplacesTransaction(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{
		Content: "好，我而家幫你轉賬。已經幫你轉咗五千蚊俾陳生。仲有咩可以幫到你？",
	})
	c, logs := newClient(t, srv, nil)
	h, res, err := generate(t, c, dialog.GenerateRequest{Text: "幫我轉五千蚊俾陳生"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{llm.SafeSentence, "仲有咩可以幫到你？"}
	if !slices.Equal(h.sentences, want) || res.Text != strings.Join(want, "") {
		t.Errorf("sentences %q, text %q", h.sentences, res.Text)
	}
	if s := c.Stats(); s.Transactions != 2 || s.Sentences != 2 {
		t.Errorf("stats %+v", s)
	}
	if !strings.Contains(logs.String(), "transaction claim replaced") {
		t.Errorf("guard not logged: %s", logs)
	}
}

func TestPIIMasked(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "你張卡號碼係4111 1111 1111 1111，身份證係A123456(7)。"})
	c, logs := newClient(t, srv, nil)
	h, _, err := generate(t, c, dialog.GenerateRequest{Text: "我張卡號碼係咩？"})
	if err != nil {
		t.Fatal(err)
	}
	want := "你張卡號碼係**** **** **** 1111，身份證係A******(*)。"
	if !slices.Equal(h.sentences, []string{want}) {
		t.Errorf("sentences %q", h.sentences)
	}
	if c.Stats().Masked != 1 || strings.Contains(logs.String(), "4111 1111") || strings.Contains(logs.String(), "123456") {
		t.Errorf("stats %+v, logs %s", c.Stats(), logs)
	}
}

func TestFirstSentenceTimeout(t *testing.T) {
	tests := []struct {
		name  string
		reply llmtest.Reply
	}{
		{"slow headers", llmtest.Reply{InitialDelay: 3 * time.Second, Content: "太遲。"}},
		{"no sentence end", llmtest.Reply{Content: "我諗緊點樣答你呢條問題先至好", PieceRunes: 1, ChunkDelay: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{})
			srv.Script(llmtest.Any(), tt.reply)
			c, _ := newClient(t, srv, func(c *llm.Config) { c.FirstSentenceTimeout = 200 * time.Millisecond })
			start := time.Now()
			h, _, err := generate(t, c, dialog.GenerateRequest{Text: "喂"})
			took := time.Since(start)
			if !errors.Is(err, llm.ErrTimeout) || len(h.sentences) != 0 {
				t.Fatalf("err %v, sentences %q; want ErrTimeout and none", err, h.sentences)
			}
			if took > time.Second {
				t.Errorf("took %v", took)
			}
			waitIdle(t, srv)
			if c.Stats().Timeouts != 1 {
				t.Errorf("stats %+v", c.Stats())
			}
		})
	}
}

func TestTotalTimeout(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "第一句。" + strings.Repeat("之後好慢好慢", 4) + "。", PieceRunes: 4, ChunkDelay: 250 * time.Millisecond})
	c, _ := newClient(t, srv, func(c *llm.Config) {
		c.FirstSentenceTimeout = time.Second
		c.TotalTimeout = 1200 * time.Millisecond
	})
	h, res, err := generate(t, c, dialog.GenerateRequest{Text: "喂"})
	if !errors.Is(err, llm.ErrTimeout) || !slices.Equal(h.sentences, []string{"第一句。"}) || res.Text != "第一句。" {
		t.Fatalf("err %v, sentences %q, result %q", err, h.sentences, res.Text)
	}
}

// waitIdle waits until the server has no request in flight.
func waitIdle(t *testing.T, srv *llmtest.Server) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for srv.Active() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("server still answering %d requests", srv.Active())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clientGoroutines lists goroutines of the client side of a stream.
func clientGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "sashabaranov") || strings.Contains(g, "dialog/llm.(*") || strings.Contains(g, "persistConn") {
			out = append(out, g)
		}
	}
	return out
}

func TestCancelMidStream(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{
		Content: "第一句。" + strings.Repeat("之後仲有好多好多嘢講。", 20), PieceRunes: 2, ChunkDelay: 30 * time.Millisecond,
	})
	c, _ := newClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	var got []string
	_, err := c.Generate(ctx, dialog.GenerateRequest{Text: "講嘢"}, func(s string) bool {
		got = append(got, s)
		cancelled = time.Now()
		cancel() // barge-in
		return true
	})
	stopped := time.Since(cancelled)
	if !errors.Is(err, context.Canceled) || errors.Is(err, llm.ErrTimeout) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if !slices.Equal(got, []string{"第一句。"}) {
		t.Errorf("sentences %q", got)
	}
	if stopped > 300*time.Millisecond { // typically under 1 ms; the bound allows a loaded CI machine
		t.Errorf("Generate returned %v after cancel", stopped)
	}
	waitIdle(t, srv)
	c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for g := clientGoroutines(); len(g) > 0; g = clientGoroutines() {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left:\n%s", strings.Join(g, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("returned %v after cancel", stopped)
}

func TestCutAnswerNotSpoken(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "第一句。第二句講到一半", FinishReason: "length"})
	c, _ := newClient(t, srv, nil)
	h, _, err := generate(t, c, dialog.GenerateRequest{Text: "講"})
	if err != nil || !slices.Equal(h.sentences, []string{"第一句。"}) {
		t.Fatalf("err %v, sentences %q", err, h.sentences)
	}
}

func TestEmitStops(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "一。二。三。", ChunkDelay: 10 * time.Millisecond})
	c, _ := newClient(t, srv, nil)
	var got []string
	res, err := c.Generate(context.Background(), dialog.GenerateRequest{Text: "數"}, func(s string) bool {
		got = append(got, s)
		return len(got) < 2
	})
	if err != nil || !slices.Equal(got, []string{"一。", "二。"}) || res.Text != "一。二。" {
		t.Fatalf("err %v, sentences %q, text %q", err, got, res.Text)
	}
	waitIdle(t, srv)
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		reply llmtest.Reply
		want  error
	}{
		{"bad key", "sk-wrong-key-abcdef123456", llmtest.Reply{Content: "x。"}, llm.ErrAuth},
		{"403", "", llmtest.Reply{Status: http.StatusForbidden, ErrorMessage: "region not supported"}, llm.ErrAuth},
		{"429", "", llmtest.Reply{Status: http.StatusTooManyRequests}, llm.ErrRateLimit},
		{"500", "", llmtest.Reply{Status: http.StatusInternalServerError}, llm.ErrServer},
		{"503", "", llmtest.Reply{Status: http.StatusServiceUnavailable}, llm.ErrServer},
		{"400", "", llmtest.Reply{Status: http.StatusBadRequest}, llm.ErrRequest},
		{"malformed chunk", "", llmtest.Reply{Content: "第一句未完", MalformedAfter: 2}, llm.ErrStream},
		{"disconnect", "", llmtest.Reply{Content: "第一句。第二句未講完就斷", DisconnectAfter: 4}, llm.ErrStream},
		{"no finish", "", llmtest.Reply{Content: "講完。", NoFinish: true}, llm.ErrStream},
		{"error event", "", llmtest.Reply{StreamError: "model overloaded"}, llm.ErrServer},
		{"nothing speakable", "", llmtest.Reply{Content: "😊 [fees]"}, llm.ErrNoAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{})
			srv.Script(llmtest.Any(), tt.reply)
			c, logs := newClient(t, srv, func(c *llm.Config) {
				if tt.key != "" {
					c.APIKey = tt.key
				}
			})
			_, _, err := generate(t, c, dialog.GenerateRequest{Text: "喂"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "llm: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			for _, k := range []string{llmtest.DefaultKey, tt.key} {
				if k != "" && (strings.Contains(err.Error(), k) || strings.Contains(logs.String(), k)) {
					t.Errorf("key %q leaked: %v / %s", k, err, logs)
				}
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	c, _ := newClient(t, srv, nil)
	srv.Close()
	_, _, err := generate(t, c, dialog.GenerateRequest{Text: "喂"})
	if !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
}

func TestConfigValidate(t *testing.T) {
	const key = "sk-secret-key-do-not-print"
	tests := []struct {
		name string
		edit func(*llm.Config)
		ok   bool
	}{
		{"default with key", func(c *llm.Config) {}, true},
		{"local no key", func(c *llm.Config) { c.BaseURL, c.APIKey = "http://127.0.0.1:11434/v1", "" }, true},
		{"openai needs key", func(c *llm.Config) { c.BaseURL, c.APIKey = "https://api.openai.com/v1", "" }, false},
		{"empty url", func(c *llm.Config) { c.BaseURL = "" }, false},
		{"ftp url", func(c *llm.Config) { c.BaseURL = "ftp://x/v1" }, false},
		{"credentials in url", func(c *llm.Config) { c.BaseURL = "https://u:" + key + "@x/v1" }, false},
		{"credentials in bad url", func(c *llm.Config) { c.BaseURL = "htp://u:" + key + "@x/v1?key=" + key }, false},
		{"key with newline", func(c *llm.Config) { c.APIKey = key + "\n" }, false},
		{"no model", func(c *llm.Config) { c.Model = "" }, false},
		{"temperature", func(c *llm.Config) { c.Temperature = 2.5 }, false},
		{"max tokens", func(c *llm.Config) { c.MaxTokens = -1 }, false},
		{"first timeout", func(c *llm.Config) { c.FirstSentenceTimeout = 0 }, false},
		{"total shorter", func(c *llm.Config) { c.TotalTimeout = time.Second; c.FirstSentenceTimeout = 2 * time.Second }, false},
		{"tool rounds", func(c *llm.Config) { c.MaxToolRounds = 11 }, false},
	}
	for _, tt := range tests {
		cfg := llm.DefaultConfig()
		cfg.APIKey = key
		tt.edit(&cfg)
		err := cfg.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v", tt.name, err)
			continue
		}
		if err != nil && (!errors.Is(err, llm.ErrConfig) || strings.Contains(err.Error(), key)) {
			t.Errorf("%s: error %q", tt.name, err)
		}
		if _, nerr := llm.New(cfg, nil); (nerr == nil) != tt.ok {
			t.Errorf("%s: New() = %v", tt.name, nerr)
		}
	}
}

func TestRefusedBeforeSending(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{Models: []string{"o1-mini"}})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "好。"})
	c, _ := newClient(t, srv, func(c *llm.Config) { c.Model = "o1-mini" }) // max_tokens is refused for o1
	_, _, err := generate(t, c, dialog.GenerateRequest{Text: "喂"})
	if !errors.Is(err, llm.ErrRequest) || len(srv.Requests()) != 0 {
		t.Fatalf("err %v, %d requests; want ErrRequest and none sent", err, len(srv.Requests()))
	}
}

// TestSlowListenerDoesNotTimeOut: time spent in emit (playout
// backpressure) is not counted against TotalTimeout.
func TestSlowListenerDoesNotTimeOut(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "一。二。三。"})
	c, _ := newClient(t, srv, func(c *llm.Config) {
		c.FirstSentenceTimeout = time.Second
		c.TotalTimeout = time.Second
	})
	var got []string
	_, err := c.Generate(context.Background(), dialog.GenerateRequest{Text: "數"}, func(s string) bool {
		got = append(got, s)
		time.Sleep(400 * time.Millisecond) // a bounded channel waiting for playout
		return true
	})
	if err != nil || len(got) != 3 {
		t.Fatalf("err %v, sentences %q", err, got)
	}
}
