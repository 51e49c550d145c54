package sherpa

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

// rawServer runs fn on each websocket connection to a test server.
func rawServer(t *testing.T, fn func(*websocket.Conn)) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		fn(c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

const partialJSON = `{ "text": "转人", "tokens": [], "timestamps": [], "ys_probs": [], "lm_probs": [-inf], "context_scores": [], "segment": 0, "words": [], "start_time": 0.00, "is_final": false, "is_eof": false}`

// TestGarbageFrames: malformed frames are skipped and the stream goes on.
func TestGarbageFrames(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		for _, f := range []struct {
			typ  int
			data string
		}{
			{websocket.TextMessage, "{bad json"},
			{websocket.BinaryMessage, "\x00\x01"},
			{websocket.TextMessage, `{"segment": 0}`},
			{websocket.TextMessage, `{"text": 5}`},
			{websocket.TextMessage, partialJSON},
			{websocket.TextMessage, "Done!?"},
			{websocket.TextMessage, "Done!"},
		} {
			c.WriteMessage(f.typ, []byte(f.data))
		}
		c.ReadMessage() // the client's close frame
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
	want := []asr.Result{{Text: "转人"}, {Text: "转人", Final: true}}
	if len(rs) != 2 || rs[0] != want[0] || rs[1] != want[1] {
		t.Errorf("results = %+v, want %+v", rs, want)
	}
}

// TestTooManyMalformed: a server that only sends garbage ends the stream
// with asr.ErrProtocol.
func TestTooManyMalformed(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(partialJSON))
		for range wsstream.MaxMalformed {
			if c.WriteMessage(websocket.TextMessage, []byte("garbage")) != nil {
				return
			}
		}
		c.ReadMessage()
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, asr.ErrProtocol) {
		t.Errorf("Err = %v, want ErrProtocol", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "转人" {
		t.Errorf("results = %+v, want the pending text as final", rs)
	}
}

// TestAbruptClose: the server dies mid-stream without a close frame. The
// stream ends with ErrConnection, the hypothesis so far comes out as final,
// and nothing hangs.
func TestAbruptClose(t *testing.T) {
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, asrtest.SherpaOptions{Variant: v, DropAfter: 500 * time.Millisecond})
			s := open(t, srv.URL(), nil)
			for _, f := range frames(50, 16000) {
				if err := s.WriteSample(f); err != nil {
					break // the drop may come before the last frame
				}
			}
			rs := collect(t, s)
			if err := s.Err(); !errors.Is(err, ErrConnection) {
				t.Fatalf("Err = %v, want ErrConnection", err)
			}
			if fs := finals(rs); len(fs) != 1 || fs[0].Text != "我想" {
				t.Errorf("results = %+v, want final 我想", rs)
			}
			if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) || !errors.Is(err, ErrConnection) {
				t.Errorf("WriteSample after the drop = %v", err)
			}
		})
	}
}

// TestServerClosesBeforeDone: a normal close the client did not ask for is
// still an error.
func TestServerClosesBeforeDone(t *testing.T) {
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(`{"text": "\u8f6c", "segment": 0}`))
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.ReadMessage()
	})
	s := open(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) {
		t.Errorf("Err = %v, want ErrConnection", err)
	}
	if len(rs) != 2 || !rs[1].Final || rs[1].Text != "转" {
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
	r, err := New(Config{URL: "ws://" + ln.Addr().String(), ConnectTimeout: 200 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = r.NewStream(context.Background())
	elapsed := time.Since(start)
	if !errors.Is(err, ErrConnect) {
		t.Fatalf("NewStream = %v, want ErrConnect", err)
	}
	if elapsed < 150*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("failed after %v, want about 200ms", elapsed)
	}
	t.Logf("connect timeout: %v after %v", err, elapsed)
}

func TestConnectErrors(t *testing.T) {
	busy := newServer(t, asrtest.SherpaOptions{Variant: asrtest.Python, MaxActive: 1})
	open(t, busy.URL(), nil) // takes the only slot
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "ws://" + ln.Addr().String()
	ln.Close()
	for _, tt := range []struct{ name, url, want string }{
		{"HTTP 503", busy.URL(), "503"},
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
	for i := 0; run < 500 && i < 100000; i++ {
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
	srv := newServer(t, asrtest.SherpaOptions{})
	cfg := Config{URL: srv.URL(), SendBuffer: 10}
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	r.beforeWrite = func() {
		select {
		case blocked <- struct{}{}:
			<-release // only the first write waits
		default:
		}
	}
	s, err := r.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fs := frames(100, 16000)
	writeAll(t, s, fs[:5]) // one full chunk: the writer blocks sending it
	<-blocked
	writeAll(t, s, fs[5:])
	if got := s.Dropped(); got != 100-5-10 {
		t.Errorf("Dropped = %d, want 85 (5 in the blocked chunk, 10 queued)", got)
	}
	close(release)
	s.CloseSend()
	collect(t, s)
	s.Close()
	if rec := waitServer(t, srv, 1)[0]; rec.Samples != 15*320 {
		t.Errorf("server got %d samples, want %d", rec.Samples, 15*320)
	}
}

// TestNoEndAfterDone: a server that goes quiet after "Done" fails the
// stream instead of leaving the caller waiting for a final forever.
func TestNoEndAfterDone(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, []byte(partialJSON))
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
	if err := s.Err(); !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "after Done") {
		t.Errorf("Err = %v", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "转人" {
		t.Errorf("results = %+v", rs)
	}
}
