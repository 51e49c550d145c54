package dashscope

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

func openURL(t *testing.T, url string, mod func(*Config)) *Stream {
	t.Helper()
	s, err := newRecognizer(t, url, "sk-raw", mod).Open(context.Background())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestGarbageFrames: malformed frames and events of other tasks are skipped;
// the stream goes on and ends cleanly at task-finished.
func TestGarbageFrames(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		for _, f := range []struct {
			typ  int
			data string
		}{
			{websocket.TextMessage, "{bad json"},
			{websocket.BinaryMessage, "\x00\x01"},
			{websocket.TextMessage, `{"header":{}}`},
			{websocket.TextMessage, eventJSON(id, "result-generated", `{"output":{}}`)},
			{websocket.TextMessage, eventJSON(id, "result-generated", `{"output":{"sentence":{"text":5}}}`)},
			{websocket.TextMessage, eventJSON("other-task", "result-generated", sentenceJSON("错", 0, nil, false, false))},
			{websocket.TextMessage, eventJSON(id, "result-generated", sentenceJSON("转人", 100, nil, false, false))},
			{websocket.TextMessage, eventJSON(id, "result-generated", sentenceJSON("", 100, nil, false, true))},
			{websocket.TextMessage, eventJSON(id, "some-new-event", `{}`)},
			{websocket.TextMessage, eventJSON(id, "result-generated", sentenceJSON("转人工", 100, 900, true, false))},
			{websocket.TextMessage, eventJSON(id, "task-finished", `{"output":{}}`)},
		} {
			c.WriteMessage(f.typ, []byte(f.data))
		}
		c.ReadMessage() // the client's close frame
	})
	s := openURL(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
	want := []asr.Result{{Text: "转人", Start: 100 * time.Millisecond},
		{Text: "转人工", Final: true, Start: 100 * time.Millisecond, End: 900 * time.Millisecond}}
	if len(rs) != 2 || rs[0] != want[0] || rs[1] != want[1] {
		t.Errorf("results = %+v, want %+v", rs, want)
	}
}

func TestTooManyMalformed(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		c.WriteMessage(websocket.TextMessage, []byte(eventJSON(id, "result-generated", sentenceJSON("转人", 0, nil, false, false))))
		for range wsstream.MaxMalformed {
			if c.WriteMessage(websocket.TextMessage, []byte("garbage")) != nil {
				return
			}
		}
		c.ReadMessage()
	})
	s := openURL(t, url, nil)
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, asr.ErrProtocol) {
		t.Errorf("Err = %v, want ErrProtocol", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "转人" {
		t.Errorf("results = %+v, want the pending text as final", rs)
	}
}

// TestTaskFailedMidStream: the hypothesis so far comes out as final and Err
// is the server's error, without the key.
func TestTaskFailedMidStream(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		c.WriteMessage(websocket.TextMessage, []byte(eventJSON(id, "result-generated", sentenceJSON("我想", 0, nil, false, false))))
		c.WriteMessage(websocket.TextMessage, []byte(`{"header":{"task_id":"`+id+`","event":"task-failed","error_code":"CLIENT_ERROR","error_message":"request timeout after 23 seconds.","attributes":{}},"payload":{}}`))
		c.ReadMessage()
	})
	s := openURL(t, url, nil)
	rs := collect(t, s)
	var te *TaskError
	if err := s.Err(); !errors.As(err, &te) || te.Code != "CLIENT_ERROR" || !strings.Contains(err.Error(), "23 seconds") {
		t.Fatalf("Err = %v, want task-failed CLIENT_ERROR", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "我想" {
		t.Errorf("results = %+v, want 我想 as final", rs)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) || !errors.Is(err, ErrTaskFailed) {
		t.Errorf("WriteSample after task-failed = %v", err)
	}
}

// TestAbruptClose: the server dies mid-stream without a close frame.
func TestAbruptClose(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{DropAfter: 500 * time.Millisecond})
	s := open(t, srv, nil)
	for _, f := range frames(50, 16000) {
		if s.WriteSample(f) != nil {
			break
		}
	}
	rs := collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) {
		t.Fatalf("Err = %v, want ErrConnection", err)
	}
	if fs := finals(rs); len(fs) != 1 || fs[0].Text != "我想" {
		t.Errorf("results = %+v, want 我想 flushed as final", rs)
	}
}

func TestServerClosesBeforeFinished(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		c.ReadMessage()
	})
	s := openURL(t, url, nil)
	collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) {
		t.Errorf("Err = %v, want ErrConnection", err)
	}
}

func TestNoTaskFinished(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	r := newRecognizer(t, url, "sk-raw", nil)
	r.finishTimeout = 200 * time.Millisecond
	s, err := r.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CloseSend()
	collect(t, s)
	if err := s.Err(); !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "task-finished") {
		t.Errorf("Err = %v, want no task-finished", err)
	}
}

func TestConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "ws://" + ln.Addr().String()
	ln.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers the handshake
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	slow := newServer(t, asrtest.DashScopeOptions{StartDelay: 3 * time.Second})
	tests := []struct {
		name, url string
	}{
		{"refused", refused},
		{"no handshake", "ws://" + silent.Addr().String()},
		{"no task-started", slow.URL()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecognizer(t, tt.url, slow.Key(), func(c *Config) { c.ConnectTimeout = 300 * time.Millisecond })
			start := time.Now()
			_, err := r.Open(context.Background())
			if !errors.Is(err, ErrConnect) {
				t.Errorf("Open = %v, want ErrConnect", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Open took %v with a 300 ms timeout", d)
			}
		})
	}
}

// TestDropNotBlock: a server that stops reading never blocks WriteSample;
// the overflow is dropped and counted.
func TestDropNotBlock(t *testing.T) {
	checkGoroutines(t)
	hold := make(chan struct{})
	url := rawServer(t, func(c *websocket.Conn, id string) { <-hold })
	defer close(hold)
	s := openURL(t, url, func(c *Config) { c.SendBuffer = 10 })
	start := time.Now()
	for _, f := range frames(3000, 16000) { // 60 s of audio
		if err := s.WriteSample(f); err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("3000 writes took %v", d)
	}
	if s.Dropped() == 0 {
		t.Error("nothing dropped though the server reads nothing")
	}
}
