package cosyvoice

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

// checkGoroutines fails the test if goroutines started during it are still
// running shortly after it. Register it first so it runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func newServer(t *testing.T, o ttstest.CosyVoiceOptions) *ttstest.CosyVoiceServer {
	t.Helper()
	s := ttstest.NewCosyVoiceServer(o)
	t.Cleanup(s.Close)
	return s
}

func newSynth(t *testing.T, url, key string, mod func(*Config)) *Synthesizer {
	t.Helper()
	cfg := Config{URL: url, Key: key}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func synth(t *testing.T, srv *ttstest.CosyVoiceServer, mod func(*Config)) *Synthesizer {
	t.Helper()
	return newSynth(t, srv.URL(), srv.Key(), mod)
}

// readAll reads st to its end in 20 ms frames and returns the samples and
// the error that ended it (nil for io.EOF).
func readAll(t *testing.T, st tts.Stream) (audio.PCM16, error) {
	t.Helper()
	var out audio.PCM16
	buf := make(audio.PCM16, audio.SamplesPerFrame(st.SampleRate()))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
	t.Fatal("stream did not end in 10 s")
	return nil, nil
}

func waitTasks(t *testing.T, srv *ttstest.CosyVoiceServer, n int) []ttstest.CosyVoiceTask {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := srv.WaitTasks(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// samples is how many samples d lasts at rate.
func samples(d time.Duration, rate int) int { return int(d * time.Duration(rate) / time.Second) }

// rawServer answers run-task with task-started, reads the text up to
// finish-task, and then runs fn with the task id.
func rawServer(t *testing.T, fn func(c *websocket.Conn, taskID string)) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		var m struct {
			Header struct {
				Action string `json:"action"`
				TaskID string `json:"task_id"`
			} `json:"header"`
		}
		if c.ReadJSON(&m) != nil {
			return
		}
		id := m.Header.TaskID
		c.WriteMessage(websocket.TextMessage, []byte(eventJSON(id, "task-started", `{}`)))
		for m.Header.Action != "finish-task" {
			if c.ReadJSON(&m) != nil {
				return
			}
		}
		fn(c, id)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// eventJSON formats a server event with a raw payload.
func eventJSON(taskID, name, payload string) string {
	id, _ := json.Marshal(taskID)
	return `{"header":{"task_id":` + string(id) + `,"event":"` + name + `","attributes":{}},"payload":` + payload + `}`
}
