package openai

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
)

// TestErrorStatuses: OpenAI error replies become *StatusError with status,
// code and message, classified retryable or not, never showing the key.
func TestErrorStatuses(t *testing.T) {
	wrongKey := "sk-wrong-0123456789abcdefghijWXYZ"
	tests := []struct {
		name      string
		key       string
		reply     asrtest.OpenAIReply
		status    int
		code      string
		msg       string // substring of the message
		retryable bool
	}{
		{"wrong key", wrongKey, asrtest.OpenAIReply{}, 401, "invalid_api_key", "Incorrect API key provided: [key]", false},
		{"no key", "", asrtest.OpenAIReply{}, 401, "", "didn't provide an API key", false},
		{"rate limited", testKey, asrtest.OpenAIReply{Status: 429, Type: "requests", Code: "rate_limit_exceeded",
			Message: "Rate limit reached for whisper-1 on requests per min (RPM): Limit 50, Used 50."}, 429, "rate_limit_exceeded", "Limit 50", true},
		{"server error", testKey, asrtest.OpenAIReply{Status: 500, Type: "server_error",
			Message: "The server had an error while processing your request. Sorry about that!"}, 500, "", "Sorry about that", true},
		{"overloaded", testKey, asrtest.OpenAIReply{Status: 503, Type: "server_error",
			Message: "The engine is currently overloaded, please try again later"}, 503, "", "overloaded", true},
		{"echoes the key", testKey, asrtest.OpenAIReply{Status: 400, Type: "invalid_request_error",
			Message: "bad header Bearer " + testKey}, 400, "", "bad header Bearer [key]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, asrtest.OpenAIOptions{Script: func(int, []int16, int) asrtest.OpenAIReply { return tt.reply }})
			s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Key = tt.key }))
			if rs := utter(t, s, tone(25, 16000)); len(rs) != 0 {
				t.Errorf("results = %+v", rs)
			}
			err := s.Err()
			var se *StatusError
			if !errors.As(err, &se) || !errors.Is(err, ErrStatus) {
				t.Fatalf("Err = %v, want *StatusError", err)
			}
			if se.StatusCode != tt.status || se.Code != tt.code || !strings.Contains(se.Message, tt.msg) || se.Retryable() != tt.retryable {
				t.Errorf("StatusError = %+v (retryable %v), want %d %q %q retryable %v", se, se.Retryable(), tt.status, tt.code, tt.msg, tt.retryable)
			}
			for _, k := range []string{testKey, wrongKey, testKey[len(testKey)-4:], wrongKey[len(wrongKey)-4:]} {
				if strings.Contains(err.Error(), k) {
					t.Errorf("error %q shows key material %q", err, k)
				}
			}
		})
	}
}

// rawServer answers every request with status, content type and body.
func rawServer(t *testing.T, status int, ctype, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// TestBadReplies: non-JSON errors and malformed success bodies.
func TestBadReplies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		check  func(error) bool
	}{
		{"html 502", 502, "text/html", "<html><body>502 Bad Gateway\r\nnginx</body></html>", func(err error) bool {
			var se *StatusError
			return errors.As(err, &se) && se.StatusCode == 502 && se.Retryable() && strings.Contains(se.Message, "502 Bad Gateway nginx")
		}},
		{"garbage 200", 200, "application/json", "{not json", func(err error) bool { return errors.Is(err, asr.ErrProtocol) }},
		{"empty 200", 200, "application/json", "", func(err error) bool { return errors.Is(err, asr.ErrProtocol) }},
		{"wrong type 200", 200, "application/json", `{"segments":"x"}`, func(err error) bool { return errors.Is(err, asr.ErrProtocol) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, newRecognizer(t, rawServer(t, tt.status, tt.ctype, tt.body), nil))
			if rs := utter(t, s, tone(25, 16000)); len(rs) != 0 {
				t.Errorf("results = %+v", rs)
			}
			if !tt.check(s.Err()) {
				t.Errorf("Err = %v", s.Err())
			}
		})
	}
}

// TestRefused: a dead server gives ErrRequest.
func TestRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/v1"
	srv.Close()
	s := open(t, newRecognizer(t, url, nil))
	utter(t, s, tone(25, 16000))
	if !errors.Is(s.Err(), ErrRequest) {
		t.Errorf("Err = %v, want ErrRequest", s.Err())
	}
}

// TestTimeout: no reply within Config.Timeout ends the stream with ErrRequest.
func TestTimeout(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.OpenAIOptions{Script: func(int, []int16, int) asrtest.OpenAIReply {
		return asrtest.OpenAIReply{Delay: 5 * time.Second}
	}})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Timeout = 200 * time.Millisecond }))
	start := time.Now()
	utter(t, s, tone(25, 16000))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if err := s.Err(); !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), "no reply within 200ms") {
		t.Errorf("Err = %v", err)
	}
}

// TestCloseMidRequest: Close cancels the request in flight (the server sees
// the client go), returns promptly and leaves no goroutine behind.
func TestCloseMidRequest(t *testing.T) {
	checkGoroutines(t)
	answering := make(chan struct{})
	srv := newServer(t, asrtest.OpenAIOptions{Script: func(int, []int16, int) asrtest.OpenAIReply {
		close(answering)
		return asrtest.OpenAIReply{Delay: 10 * time.Second, Segments: []asrtest.OpenAISegment{{Text: "太遲"}}}
	}})
	r := newRecognizer(t, srv.URL(), nil)
	s := r.Open(context.Background())
	writeAll(t, s, tone(25, 16000))
	s.CloseSend()
	select {
	case <-answering: // the whole upload is in; the model is "busy"
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached the model")
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if rs := collect(t, s); len(rs) != 0 || s.Err() != nil {
		t.Errorf("after Close: results %+v, Err %v", rs, s.Err())
	}
	q := waitRequests(t, srv, 1)[0]
	if !q.Canceled {
		t.Errorf("server did not see the request cancelled: %+v", q)
	}
}
