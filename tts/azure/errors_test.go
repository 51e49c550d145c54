package azure

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts/ttstest"
)

func TestHTTPErrorsAreMapped(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{})
	const wrongKey = "0123wrongkeywrongkey9876"
	tests := []struct {
		name    string
		fail    int
		mod     func(*Config)
		kind    error
		status  int
		inMsg   string
		retryIn time.Duration
	}{
		{"wrong key", 0, func(c *Config) { c.Key = wrongKey }, ErrAuth, 401, "Access denied", 0},
		{"wrong token", 0, func(c *Config) { c.Key, c.Token = "", wrongKey }, ErrAuth, 401, "Access denied", 0},
		{"forbidden", 403, nil, ErrAuth, 403, "Forbidden", 0},
		{"rate limited", 429, nil, ErrRateLimited, 429, "rate limit", 2 * time.Second},
		{"server error", 500, nil, ErrServer, 500, "Internal", 0},
		{"unavailable", 503, nil, ErrServer, 503, "Internal", 0},
		{"unknown voice", 0, func(c *Config) { c.Voices.Cantonese = "zh-HK-NobodyNeural" }, ErrBadRequest, 400,
			"zh-HK-NobodyNeural", 0},
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
			if !errors.Is(err, tc.kind) || !errors.As(err, &he) || he.Status != tc.status ||
				!strings.Contains(he.Message, tc.inMsg) || he.RetryAfter != tc.retryIn {
				t.Fatalf("err %v; want %v, HTTP %d with %q, retry after %v", err, tc.kind, tc.status, tc.inMsg, tc.retryIn)
			}
			if msg := err.Error(); strings.Contains(msg, srv.Key()) || strings.Contains(msg, wrongKey) {
				t.Errorf("message %q shows the key", msg)
			}
			t.Log(err)
		})
	}
}

func TestBearerTokenAndRefresh(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{ChunkDelay: -1})
	s := newSynth(t, srv, func(c *Config) { c.Key, c.Token = "", srv.Token() })
	say(t, s, context.Background(), "你好", 16000)
	if req := srv.Requests()[0]; req.Authorization != "Bearer "+srv.Token() || req.SubscriptionKey != "" {
		t.Errorf("auth headers %q %q", req.Authorization, req.SubscriptionKey)
	}
	s.SetToken("expired-token-value")
	_, err := s.Synthesize(context.Background(), "你好")
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "expired-token-value") {
		t.Errorf("expired token: %v", err)
	}
	s.SetToken(srv.Token())
	say(t, s, context.Background(), "你好", 16000)
}

func TestServerRejectsBadSSMLAndFormats(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{})
	post := func(ct, format, ua, body string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(body))
		req.Header.Set("Ocp-Apim-Subscription-Key", srv.Key())
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Microsoft-OutputFormat", format)
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good, _ := SSML("zh-HK-HiuMaanNeural", "", "你好")
	tests := []struct {
		name, ct, format, ua, body string
	}{
		{"not xml", "application/ssml+xml", Format16kPCM, "yuecall", "你好 & <"},
		{"no voice", "application/ssml+xml", Format16kPCM, "yuecall", "<speak version='1.0' xml:lang='zh-HK'>你好</speak>"},
		{"wrong root", "application/ssml+xml", Format16kPCM, "yuecall", "<talk/>"},
		{"bad format", "application/ssml+xml", "raw-11khz-16bit-mono-pcm", "yuecall", good},
		{"json body", "application/json", Format16kPCM, "yuecall", good},
		{"no user agent", "application/ssml+xml", Format16kPCM, "", good},
	}
	for _, tc := range tests {
		if st := post(tc.ct, tc.format, tc.ua, tc.body); st != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", tc.name, st)
		}
	}
	if st := post("application/ssml+xml", Format16kPCM, "yuecall", good); st != http.StatusOK {
		t.Errorf("good request: HTTP %d", st)
	}
}

func TestUnsupportedRate(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{})
	s := newSynth(t, srv, nil)
	if _, err := s.SynthesizeRate(context.Background(), sentence, 48000); !errors.Is(err, ErrRate) {
		t.Errorf("48000: %v", err)
	}
}

// TestCancelMidStream cancels the context (and, separately, closes the
// stream) while the server holds the body: Read must fail promptly and no
// goroutine may be left.
func TestCancelMidStream(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{HoldAfter: 2000})
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			s := newSynth(t, srv, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := s.SynthesizeRate(ctx, sentence, 8000)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, err := st.Read(make(audio.PCM16, 160)); n == 0 || err != nil {
				t.Fatalf("first Read: %d, %v", n, err)
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
			if !errors.Is(err, want) || n > 2000 {
				t.Errorf("read %d more samples, then %v; want at most 2000, then %v", n, err, want)
			}
		})
	}
}

func TestStallTimesOut(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{HoldAfter: 3000, ChunkBytes: 3000})
	s := newSynth(t, srv, func(c *Config) { c.Timeout = 600 * time.Millisecond })
	st, err := s.SynthesizeRate(context.Background(), sentence, 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := readUntilErr(st); n != 3000 || !errors.Is(err, ErrTimeout) {
		t.Errorf("read %d samples then %v; want 3000 then ErrTimeout", n, err)
	}
}

func TestBodyCutShort(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{DropAfter: 3001})
	s := newSynth(t, srv, nil)
	st, err := s.SynthesizeRate(context.Background(), sentence, 16000)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := readUntilErr(st); n != 1500 || !errors.Is(err, ErrTransport) {
		t.Errorf("read %d samples then %v; want 1500 (odd byte dropped) then ErrTransport", n, err)
	}
}

func TestConnectionRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Endpoint, cfg.Key = "http://127.0.0.1:1/cognitiveservices/v1", "k"
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Synthesize(context.Background(), sentence); !errors.Is(err, ErrTransport) {
		t.Errorf("%v, want ErrTransport", err)
	}
}

func TestValidate(t *testing.T) {
	base := DefaultConfig()
	base.Region, base.Key = "eastasia", "secret-key-123"
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"region and key", func(*Config) {}, ""},
		{"endpoint and token", func(c *Config) { c.Region, c.Endpoint, c.Key, c.Token = "", "https://x.example/v1", "", "t" }, ""},
		{"no target", func(c *Config) { c.Region = "" }, "region or endpoint"},
		{"bad region", func(c *Config) { c.Region = "east asia.evil.com/" }, "not a region name"},
		{"bad endpoint", func(c *Config) { c.Endpoint = "ftp://x" }, "not an http(s) URL"},
		{"no credentials", func(c *Config) { c.Key = "" }, "key or token"},
		{"bad voice", func(c *Config) { c.Voices.English = "Jenny'><x" }, "voices.english"},
		{"no cantonese voice", func(c *Config) { c.Voices.Cantonese = "" }, "voices.cantonese"},
		{"bad prosody rate", func(c *Config) { c.Rate = "'/><evil" }, "prosody rate"},
		{"sample rate", func(c *Config) { c.SampleRate = 44100 }, "sample_rate 44100"},
		{"no user agent", func(c *Config) { c.UserAgent = "" }, "user_agent"},
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
	if got := base.url(); got != "https://eastasia.tts.speech.microsoft.com/cognitiveservices/v1" {
		t.Errorf("url %s", got)
	}
}
