package cosyvoice

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts/ttstest"
)

func synthURL(t *testing.T, url string) *Stream {
	t.Helper()
	ts, err := newSynth(t, url, "sk-raw", nil).Synthesize(context.Background(), "好")
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	t.Cleanup(func() { ts.Close() })
	return ts.(*Stream)
}

// TestInterleavedAndOddFrames: events and garbage between audio frames are
// skipped, and samples split across frames stay aligned.
func TestInterleavedAndOddFrames(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		for _, f := range []struct {
			typ  int
			data string
		}{
			{websocket.TextMessage, eventJSON(id, "result-generated", `{"output":{"type":"sentence-begin"}}`)},
			{websocket.BinaryMessage, "\x01\x00\x02"}, // samples 1 and half of 0x0302
			{websocket.TextMessage, "{garbage"},
			{websocket.TextMessage, eventJSON("another-task", "result-generated", `{}`)},
			{websocket.BinaryMessage, "\x03\xff\xff"},
			{websocket.BinaryMessage, ""},
			{websocket.TextMessage, eventJSON(id, "result-generated", `{"output":{"type":"sentence-end"},"usage":{"characters":2}}`)},
			{websocket.TextMessage, eventJSON(id, "task-finished", `{"output":{},"usage":{"characters":2}}`)},
		} {
			c.WriteMessage(f.typ, []byte(f.data))
		}
		c.ReadMessage()
	})
	st := synthURL(t, url)
	got, err := readAll(t, st)
	if want := (audio.PCM16{1, 0x0302, -1}); err != nil || !slices.Equal(got, want) {
		t.Errorf("samples %v, %v; want %v", got, err, want)
	}
	if st.Characters() != 2 {
		t.Errorf("characters %d, want 2", st.Characters())
	}
}

// TestTaskFailedMidStream: audio already received is read, then the error.
func TestTaskFailedMidStream(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		c.WriteMessage(websocket.BinaryMessage, make([]byte, 320))
		c.WriteMessage(websocket.TextMessage, []byte(`{"header":{"task_id":"`+id+
			`","event":"task-failed","error_code":"InternalError","error_message":"synthesis failed","attributes":{}},"payload":{}}`))
		c.ReadMessage()
	})
	got, err := readAll(t, synthURL(t, url))
	var te *TaskError
	if len(got) != 160 || !errors.As(err, &te) || te.Code != "InternalError" {
		t.Errorf("%d samples, err %v; want 160 then task-failed", len(got), err)
	}
}

func TestTooManyMalformed(t *testing.T) {
	checkGoroutines(t)
	url := rawServer(t, func(c *websocket.Conn, id string) {
		for range maxMalformed {
			c.WriteMessage(websocket.TextMessage, []byte("not json"))
		}
		c.ReadMessage()
	})
	if _, err := readAll(t, synthURL(t, url)); !errors.Is(err, ErrProtocol) {
		t.Errorf("err %v, want ErrProtocol", err)
	}
}

func TestConnectionFaults(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"crash mid-synthesis", func(t *testing.T) string {
			return newServer(t, ttstest.CosyVoiceOptions{DropAfterFrames: 2}).URL()
		}},
		{"normal close before task-finished", func(t *testing.T) string {
			return rawServer(t, func(c *websocket.Conn, id string) {
				c.WriteMessage(websocket.BinaryMessage, make([]byte, 320))
				msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
				c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
				c.ReadMessage()
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			url := tt.url(t)
			key := "sk-raw"
			if strings.Contains(url, ttstest.CosyVoicePath) {
				key = ttstest.CosyVoiceTestKey
			}
			s := newSynth(t, url, key, nil)
			ts, err := s.Synthesize(context.Background(), strings.Repeat("好", 20))
			if err != nil {
				t.Fatal(err)
			}
			defer ts.Close()
			got, err := readAll(t, ts)
			if !errors.Is(err, ErrConnection) || len(got) == 0 || s.Idle() != 0 {
				t.Errorf("%d samples, err %v, kept %d; want some audio, ErrConnection, nothing kept", len(got), err, s.Idle())
			}
		})
	}
}

func TestConnectTimeout(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{StartDelay: 3 * time.Second})
	s := synth(t, srv, func(c *Config) { c.ConnectTimeout = 200 * time.Millisecond })
	start := time.Now()
	_, err := s.Synthesize(context.Background(), "好")
	if !errors.Is(err, ErrConnect) || time.Since(start) > time.Second {
		t.Errorf("Synthesize = %v after %v, want ErrConnect within the timeout", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = synth(t, srv, nil).Synthesize(ctx, "好")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Synthesize with ctx cancelled while starting = %v", err)
	}
}
