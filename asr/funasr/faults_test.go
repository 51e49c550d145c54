package funasr

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

// TestTLS: the server's self-signed certificate is accepted with its CA
// in ca_file, or with insecure_skip_verify; without either the connection
// fails with a hint.
func TestTLS(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{TLS: true})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		mod  func(*Config)
		want string // "" for success, else part of the ErrConnect message
	}{
		{"custom CA", func(c *Config) { c.CAFile = ca }, ""},
		{"custom CA, server name from the certificate", func(c *Config) { c.CAFile, c.TLSServerName = ca, "example.com" }, ""},
		{"skip verify", func(c *Config) { c.InsecureSkipVerify = true }, ""},
		{"system roots", func(*Config) {}, "set ca_file"},
		{"custom CA, wrong server name", func(c *Config) { c.CAFile, c.TLSServerName = ca, "asr.example.hk" }, "set tls_server_name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.URL = srv.URL()
			tt.mod(&cfg)
			r, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := r.Open(context.Background())
			if tt.want != "" {
				if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Open = %v, want ErrConnect mentioning %q", err, tt.want)
				}
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			writeAll(t, s, frames(100, 16000))
			s.CloseSend()
			if fs := finals(collect(t, s)); len(fs) != 1 || fs[0].Text != "我想查詢戶口結餘。" || s.Err() != nil {
				t.Errorf("finals %+v err %v", fs, s.Err())
			}
		})
	}
}

// TestServerErrorText: the server's "ERROR. ..." result ends the stream
// with asr.ErrProtocol carrying the message; online text so far is kept.
func TestServerErrorText(t *testing.T) {
	checkGoroutines(t)
	const msg = "ERROR. Real-time transcription service ONLY SUPPORT PCM stream."
	url := rawServer(t, func(c *websocket.Conn) {
		sendAll(c, `{"is_final":false,"mode":"2pass-online","text":"轉人","wav_name":"w"}`,
			`{"is_final":true,"text":"`+msg+`","wav_name":"w"}`)
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	err := s.Err()
	if !errors.Is(err, asr.ErrProtocol) || !strings.Contains(err.Error(), msg) {
		t.Errorf("Err = %v, want ErrProtocol with the server's message", err)
	}
	want := []asr.Result{{Text: "轉人"}, {Text: "轉人", Final: true}}
	if len(rs) != 2 || rs[0] != want[0] || rs[1] != want[1] {
		t.Errorf("results %+v, want %+v", rs, want)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) || !errors.Is(err, asr.ErrProtocol) {
		t.Errorf("WriteSample after the error = %v", err)
	}
}

// TestMalformedFrames: bad frames are skipped and counted; the stream goes on.
func TestMalformedFrames(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		for _, f := range []struct {
			typ  int
			data string
		}{
			{websocket.TextMessage, `{"mode":"2pass-online","text":"轉","is_final":false}`},
			{websocket.TextMessage, "{bad json"},
			{websocket.BinaryMessage, "\x00\x01"},
			{websocket.TextMessage, `{"mode":"2pass-online","is_final":false}`},
			{websocket.TextMessage, `{"mode":"4pass","text":"x"}`},
			{websocket.TextMessage, `{"text":5}`},
			{websocket.TextMessage, `{"mode":"2pass-online","text":"人工","is_final":false}`},
			{websocket.TextMessage, `{"mode":"2pass-offline","text":"<|yue|>轉人工。","is_final":true}`},
		} {
			if c.WriteMessage(f.typ, []byte(f.data)) != nil {
				return
			}
		}
		c.ReadMessage() // the client's close frame
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
	want := []asr.Result{{Text: "轉"}, {Text: "轉人工"}, {Text: "轉人工。", Final: true}}
	if len(rs) != 3 || rs[0] != want[0] || rs[1] != want[1] || rs[2] != want[2] {
		t.Errorf("results %+v, want %+v", rs, want)
	}
	if s.Malformed() != 5 {
		t.Errorf("Malformed = %d, want 5", s.Malformed())
	}
}

// TestTooManyMalformed: a server that only sends garbage ends the stream
// with asr.ErrProtocol, keeping the online text so far as final.
func TestTooManyMalformed(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(`{"mode":"2pass-online","text":"轉人","is_final":false}`))
		for range wsstream.MaxMalformed {
			if c.WriteMessage(websocket.TextMessage, []byte("garbage")) != nil {
				return
			}
		}
		c.ReadMessage()
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, asr.ErrProtocol) || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("Err = %v, want ErrProtocol", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "轉人" {
		t.Errorf("results = %+v, want the online text as final", rs)
	}
}

// TestAbruptClose: the server dies mid-stream without a close frame. The
// stream ends with ErrConnection and the online text so far comes out as final.
func TestAbruptClose(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{DropAfter: 1300 * time.Millisecond})
	s := open(t, srv.URL(), nil)
	for _, f := range frames(100, 16000) {
		if err := s.WriteSample(f); err != nil {
			break // the drop may come before the last frame
		}
	}
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) {
		t.Fatalf("Err = %v, want ErrConnection", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "我想查詢戶" {
		t.Errorf("results = %+v, want final 我想查詢戶", rs)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) || !errors.Is(err, ErrConnection) {
		t.Errorf("WriteSample after the drop = %v", err)
	}
}

// TestServerClosesBeforeFinal: a normal close before is_final is an error.
func TestServerClosesBeforeFinal(t *testing.T) {
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(`{"mode":"2pass-online","text":"轉","is_final":false}`))
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.ReadMessage()
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "before the final") {
		t.Errorf("Err = %v, want ErrConnection", err)
	}
	if len(rs) != 2 || !rs[1].Final || rs[1].Text != "轉" {
		t.Errorf("results = %+v", rs)
	}
}

// TestNoFinalAfterEnd: a server that never answers the end of audio (as
// the real one after a bad chunk_size) fails the stream instead of leaving
// the caller waiting.
func TestNoFinalAfterEnd(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(`{"mode":"2pass-online","text":"轉人","is_final":false}`))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	r, err := New(Config{URL: url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.finalTimeout = 200 * time.Millisecond
	s, err := r.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CloseSend()
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "no final result") {
		t.Errorf("Err = %v", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "轉人" {
		t.Errorf("results = %+v", rs)
	}
}

// TestConnectTimeout: a listener that accepts TCP but never answers the
// handshake makes Open fail after ConnectTimeout.
func TestConnectTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	for _, scheme := range []string{"ws", "wss"} {
		t.Run(scheme, func(t *testing.T) {
			r, err := New(Config{URL: scheme + "://" + ln.Addr().String() + "/", ConnectTimeout: 200 * time.Millisecond}, nil)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = r.NewStream(context.Background())
			elapsed := time.Since(start)
			if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "200ms") {
				t.Fatalf("NewStream = %v, want ErrConnect after 200ms", err)
			}
			if elapsed < 150*time.Millisecond || elapsed > 2*time.Second {
				t.Errorf("failed after %v, want about 200ms", elapsed)
			}
		})
	}
}

func TestConnectErrors(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "ws://" + ln.Addr().String() + "/"
	ln.Close()
	for _, tt := range []struct{ name, url, want string }{
		{"HTTP 503", "ws" + strings.TrimPrefix(busy.URL, "http"), "503"},
		{"refused", refused, "refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Config{URL: tt.url}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.NewStream(context.Background())
			if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewStream = %v, want ErrConnect mentioning %q", err, tt.want)
			}
		})
	}
}

// TestDropNotBlock: a server that stops reading fills the socket and the
// send queue; WriteSample keeps returning at once and counts the drops.
func TestDropNotBlock(t *testing.T) {
	checkGoroutines(t)
	stop := make(chan struct{})
	url := rawServer(t, func(c *websocket.Conn) {
		if tc, ok := c.NetConn().(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		<-stop // never read
	})
	s := open(t, url, func(c *Config) { c.SendBuffer = 50 })
	defer close(stop)
	fs := frames(50, 16000)
	var worst time.Duration
	start := time.Now()
	run := 0 // consecutive drops: the writer is stuck once this stays up
	for i := 0; run < 500 && i < 200000; i++ {
		before := s.Dropped()
		t0 := time.Now()
		if err := s.WriteSample(fs[i%len(fs)]); err != nil {
			t.Fatalf("WriteSample %d: %v", i, err)
		}
		worst = max(worst, time.Since(t0))
		if s.Dropped() > before {
			run++
		} else {
			run = 0
		}
	}
	t.Logf("stuck after %v: %d frames dropped; slowest WriteSample %v", time.Since(start), s.Dropped(), worst)
	if run < 500 {
		t.Fatalf("only %d consecutive drops although the server never reads", run)
	}
	if worst > 100*time.Millisecond {
		t.Errorf("slowest WriteSample took %v", worst)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Close blocked behind a stuck write")
	}
}

// TestDropAccounting blocks the writer at a known point: every frame is
// either dropped and counted or reaches the server.
func TestDropAccounting(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{})
	r, err := New(Config{URL: srv.URL(), SendBuffer: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	r.beforeWrite = func() {
		select {
		case blocked <- struct{}{}:
			<-release // only the first audio write waits
		default:
		}
	}
	s, err := r.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fs := frames(100, 16000)
	writeAll(t, s, fs[:3]) // one full 60 ms frame: the writer blocks sending it
	<-blocked
	writeAll(t, s, fs[3:])
	if got := s.Dropped(); got != 100-3-10 {
		t.Errorf("Dropped = %d, want 87 (3 in the blocked frame, 10 queued)", got)
	}
	close(release)
	s.CloseSend()
	collect(t, s)
	s.Close()
	if rec := waitServer(t, srv, 1)[0]; rec.Samples != 13*320 || rec.EarlySamples != 0 {
		t.Errorf("server got %d samples (%d early), want %d", rec.Samples, rec.EarlySamples, 13*320)
	}
}
