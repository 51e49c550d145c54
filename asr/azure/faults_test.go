package azure

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
)

// TestStatuses: error replies become *StatusError; a wrong key is refused
// before any audio is uploaded (Expect: 100-continue); the key never shows.
func TestStatuses(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		reply     asrtest.AzureReply
		status    int
		msg       string
		retryable bool
	}{
		{"wrong key", "ffffffffffffffffffffffffffffffff", asrtest.AzureReply{}, 401, "invalid subscription key", false},
		{"throttled", testKey, asrtest.AzureReply{HTTPStatus: 429, Message: "Too many requests"}, 429, "Too many requests", true},
		{"server error", testKey, asrtest.AzureReply{HTTPStatus: 500, Message: "Internal error"}, 500, "Internal error", true},
		{"bad audio", testKey, asrtest.AzureReply{HTTPStatus: 400, Message: "audio " + testKey}, 400, "audio [key]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, asrtest.AzureOptions{Script: func(int, []int16) asrtest.AzureReply { return tt.reply }})
			s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Key = tt.key }))
			if rs := utter(t, s, tone(25, 16000)); len(rs) != 0 {
				t.Errorf("results = %+v", rs)
			}
			var se *StatusError
			err := s.Err()
			if !errors.As(err, &se) || !errors.Is(err, ErrStatus) || se.StatusCode != tt.status ||
				!strings.Contains(se.Message, tt.msg) || se.Retryable() != tt.retryable {
				t.Fatalf("Err = %v, want HTTP %d %q retryable %v", err, tt.status, tt.msg, tt.retryable)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Errorf("error %q shows the key", err)
			}
			q := waitRequests(t, srv, 1)[0]
			if tt.status == 401 && q.Samples != 0 {
				t.Errorf("refused request uploaded %d samples", q.Samples)
			}
		})
	}
}

// TestToken: with UseToken the key is exchanged once and the token reused
// for 9 minutes, then renewed; a revoked token is dropped after the 401.
func TestToken(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{})
	r := newRecognizer(t, srv.URL(), func(c *Config) { c.UseToken = true })
	var mu sync.Mutex
	now := time.Now()
	r.tokens.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	run := func(wantErr int) {
		t.Helper()
		s := open(t, r)
		rs := utter(t, s, tone(10, 16000))
		var se *StatusError
		switch {
		case wantErr == 0 && (len(rs) != 1 || s.Err() != nil):
			t.Fatalf("results %+v, Err %v", rs, s.Err())
		case wantErr != 0 && (!errors.As(s.Err(), &se) || se.StatusCode != wantErr):
			t.Fatalf("Err = %v, want HTTP %d", s.Err(), wantErr)
		}
	}
	run(0)
	advance(8 * time.Minute)
	run(0)
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("%d token requests in 8 minutes, want 1", n)
	}
	advance(90 * time.Second)
	run(0)
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests after 9.5 minutes, want 2", n)
	}
	srv.RevokeTokens()
	run(401)
	run(0)
	if n := srv.TokenRequests(); n != 3 {
		t.Errorf("%d token requests after a revocation, want 3", n)
	}
	for _, q := range waitRequests(t, srv, 5) {
		if q.Auth != "bearer" {
			t.Errorf("request %d: auth %q, want bearer", q.Index, q.Auth)
		}
	}
}

// TestTokenConcurrent: streams opened together share one token fetch.
func TestTokenConcurrent(t *testing.T) {
	srv := newServer(t, asrtest.AzureOptions{})
	r := newRecognizer(t, srv.URL(), func(c *Config) { c.UseToken = true })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s := r.Open(context.Background())
			defer s.Close()
			writeAll(t, s, tone(5, 16000))
			s.CloseSend()
			if rs := collect(t, s); len(rs) != 1 {
				t.Errorf("results %+v, Err %v", rs, s.Err())
			}
		})
	}
	wg.Wait()
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// TestTokenRefused: a wrong key fails at issueToken with ErrToken.
func TestTokenRefused(t *testing.T) {
	srv := newServer(t, asrtest.AzureOptions{})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.UseToken, c.Key = true, "wrong-key-0000" }))
	utter(t, s, tone(5, 16000))
	var se *StatusError
	if err := s.Err(); !errors.Is(err, ErrToken) || !errors.As(err, &se) || se.StatusCode != 401 || strings.Contains(err.Error(), "wrong-key-0000") {
		t.Fatalf("Err = %v, want ErrToken with HTTP 401", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d recognition requests made without a token", n)
	}
}

// TestTimeout: no reply within Timeout after the upload ends gives ErrRequest.
func TestTimeout(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{Script: func(int, []int16) asrtest.AzureReply {
		return asrtest.AzureReply{Text: "太遲", Delay: 5 * time.Second}
	}})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Timeout = 300 * time.Millisecond }))
	start := time.Now()
	utter(t, s, tone(10, 16000))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if err := s.Err(); !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), "no reply within 300ms") {
		t.Errorf("Err = %v", err)
	}
}

// TestRefused: nothing listening gives ErrRequest.
func TestRefused(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	s := open(t, newRecognizer(t, url, nil))
	utter(t, s, tone(5, 16000))
	if !errors.Is(s.Err(), ErrRequest) {
		t.Errorf("Err = %v, want ErrRequest", s.Err())
	}
}

// TestClose: Close while the caller speaks and while the service thinks
// returns promptly, cuts the request and leaves no goroutine behind.
func TestClose(t *testing.T) {
	checkGoroutines(t)
	answering := make(chan struct{}, 1)
	srv := newServer(t, asrtest.AzureOptions{Script: func(int, []int16) asrtest.AzureReply {
		answering <- struct{}{}
		return asrtest.AzureReply{Text: "太遲", Delay: 10 * time.Second}
	}})
	r := newRecognizer(t, srv.URL(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	speaking := r.Open(context.Background())
	writeAll(t, speaking, tone(25, 16000))
	if err := srv.WaitSamples(ctx, 0, 25*320); err != nil {
		t.Fatal(err)
	}
	thinking := r.Open(context.Background())
	writeAll(t, thinking, tone(25, 16000))
	thinking.CloseSend()
	select {
	case <-answering:
	case <-ctx.Done():
		t.Fatal("the second request never reached the model")
	}
	for _, s := range []*Stream{speaking, thinking} {
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > time.Second {
			t.Errorf("Close took %v", d)
		}
		if rs := collect(t, s); len(rs) != 0 || s.Err() != nil {
			t.Errorf("after Close: results %+v, Err %v", rs, s.Err())
		}
	}
	for _, q := range waitRequests(t, srv, 2) {
		if !q.Canceled {
			t.Errorf("request %d not seen cancelled: %+v", q.Index, q)
		}
	}
}
