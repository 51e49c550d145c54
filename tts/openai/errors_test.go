package openai

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

func TestHTTPErrorsAreMapped(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.OpenAISpeechOptions{})
	const wrongKey = "sk-proj-WRONGwrongWRONG9876"
	tests := []struct {
		name   string
		fail   int
		mod    func(*Config)
		kind   error
		status int
		code   string
	}{
		{"wrong key", 0, func(c *Config) { c.Key = wrongKey }, ErrAuth, 401, "invalid_api_key"},
		{"no key", 0, func(c *Config) { c.Key = "" }, ErrAuth, 401, ""},
		{"rate limited", 429, nil, ErrRateLimited, 429, "rate_limit_exceeded"},
		{"server error", 500, nil, ErrServer, 500, ""},
		{"overloaded", 503, nil, ErrServer, 503, ""},
		{"unknown voice", 0, func(c *Config) { c.Voices.Cantonese = "kowloon" }, ErrRejected, 400, "invalid_value"},
		{"unknown model", 0, func(c *Config) { c.Model = "tts-9" }, ErrRejected, 404, "model_not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fail != 0 {
				srv.FailNext(tc.fail)
			}
			s := newSynth(t, srv, tc.mod)
			st, err := s.Synthesize(context.Background(), sentence)
			if err == nil {
				st.Close()
				t.Fatal("no error")
			}
			var he *HTTPError
			if !errors.Is(err, tc.kind) || !errors.As(err, &he) || he.Status != tc.status || he.Code != tc.code {
				t.Fatalf("err %v; want %v, HTTP %d, code %q", err, tc.kind, tc.status, tc.code)
			}
			msg := err.Error()
			if strings.Contains(msg, srv.Key()) || strings.Contains(msg, wrongKey) ||
				strings.Contains(msg, wrongKey[len(wrongKey)-4:]) || he.Message == "" {
				t.Errorf("message %q leaks the key or is empty", msg)
			}
			t.Log(msg)
		})
	}
}

func TestClientSideRejections(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{})
	s := newSynth(t, srv, nil)
	for _, tc := range []struct {
		text string
		want error
	}{
		{"   ", tts.ErrEmptyText},
		{strings.Repeat("好", MaxInput+1), ErrTooLong},
	} {
		if _, err := s.Synthesize(context.Background(), tc.text); !errors.Is(err, tc.want) {
			t.Errorf("err %v, want %v", err, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestNonAudioReplyAndConnectionRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BaseURL, cfg.Key = "http://127.0.0.1:1/v1", "k"
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Synthesize(context.Background(), sentence); !errors.Is(err, ErrTransport) {
		t.Errorf("refused connection: %v, want ErrTransport", err)
	}
	if err := checkContentType("application/json; charset=utf-8"); !errors.Is(err, ErrAudio) {
		t.Errorf("JSON 200 reply: %v", err)
	}
	if err := checkContentType("audio/mpeg"); err != nil {
		t.Errorf("audio/mpeg: %v", err)
	}
}

// TestCancelMidStream cancels the context (and, separately, closes the
// stream) while the server holds the body: Read must fail promptly and no
// goroutine may be left.
func TestCancelMidStream(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.OpenAISpeechOptions{HoldAfter: 4096})
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			s := newSynth(t, srv, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := s.Synthesize(ctx, sentence)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			first, err := st.Read(make(audio.PCM16, 480))
			if first == 0 || err != nil {
				t.Fatalf("first Read: %d, %v", first, err)
			}
			go func() { // while Read waits for the held body, or just before
				if how == "cancel" {
					cancel()
				} else {
					st.Close()
				}
			}()
			n, err := readUntilErr(st)
			want := context.Canceled
			if how == "close" {
				want = ErrClosed
			}
			if !errors.Is(err, want) {
				t.Errorf("read %d more samples, then %v; want %v", n, err, want)
			}
			if _, err := st.Read(make(audio.PCM16, 10)); err == nil {
				t.Error("Read after the end succeeded")
			}
		})
	}
}

func TestStallTimesOut(t *testing.T) {
	checkGoroutines(t)
	t.Run("mid-body", func(t *testing.T) {
		srv := newServer(t, ttstest.OpenAISpeechOptions{HoldAfter: 4000, ChunkBytes: 4000})
		s := newSynth(t, srv, func(c *Config) { c.Format, c.Timeout = FormatPCM, 600*time.Millisecond })
		st, err := s.Synthesize(context.Background(), sentence)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if n, err := readUntilErr(st); n != 2000 || !errors.Is(err, ErrTimeout) {
			t.Errorf("read %d samples then %v; want 2000 then ErrTimeout", n, err)
		}
	})
	t.Run("before the first frame", func(t *testing.T) {
		srv := newServer(t, ttstest.OpenAISpeechOptions{HoldAfter: 10})
		s := newSynth(t, srv, func(c *Config) { c.Timeout = 300 * time.Millisecond })
		if _, err := s.Synthesize(context.Background(), sentence); !errors.Is(err, ErrTimeout) {
			t.Errorf("err %v, want ErrTimeout", err)
		}
	})
}

// TestBodyCutShort: a connection lost mid-body is an error, not a clean
// end (go-mp3 alone would report io.EOF).
func TestBodyCutShort(t *testing.T) {
	checkGoroutines(t)
	for _, format := range []string{FormatMP3, FormatPCM} {
		t.Run(format, func(t *testing.T) {
			srv := newServer(t, ttstest.OpenAISpeechOptions{DropAfter: 5000})
			s := newSynth(t, srv, func(c *Config) { c.Format = format })
			st, err := s.Synthesize(context.Background(), sentence)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, err := readUntilErr(st); n == 0 || !errors.Is(err, ErrTransport) {
				t.Errorf("read %d samples then %v; want some then ErrTransport", n, err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	base := DefaultConfig()
	base.Key = "sk-secret-value-123"
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"defaults with key", func(*Config) {}, ""},
		{"self-hosted without key", func(c *Config) { c.BaseURL, c.Key = "http://10.0.0.5:8000/v1", "" }, ""},
		{"openai without key", func(c *Config) { c.Key = "" }, "key is empty"},
		{"bad url", func(c *Config) { c.BaseURL = "ftp://x" }, "not an http(s) URL"},
		{"no model", func(c *Config) { c.Model = "" }, "model is empty"},
		{"no voice", func(c *Config) { c.Voices.Cantonese = "" }, "voices.cantonese"},
		{"format", func(c *Config) { c.Format = "opus" }, "format"},
		{"speed", func(c *Config) { c.Speed = 5 }, "speed 5"},
		{"timeout", func(c *Config) { c.Timeout = -1 }, "timeout"},
		{"key newline", func(c *Config) { c.Key = "a\nb" }, "line break"},
	}
	for _, tc := range tests {
		c := base
		tc.mod(&c)
		err := c.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the key: %v", tc.name, err)
		}
	}
}

func TestCleanRemovesKeys(t *testing.T) {
	for _, tc := range []struct{ in, key, want string }{
		{"Incorrect API key provided: sk-te****cdef. See", "sk-test", "Incorrect API key provided: [key]. See"},
		{"bad token abc123xyz here", "abc123xyz", "bad token [key] here"},
		{"  many\n\nspaces ", "", "many spaces"},
		{strings.Repeat("長", 200), "", strings.Repeat("長", 100) + "…"},
	} {
		if got := clean(tc.in, tc.key); got != tc.want {
			t.Errorf("clean(%.30q) = %.30q, want %.30q", tc.in, got, tc.want)
		}
	}
	if kindOf(http.StatusForbidden) != ErrAuth || kindOf(418) != ErrRejected {
		t.Error("kindOf")
	}
}
