package dashscope

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// frames returns n 20 ms frames at rate of a speech-band tone mix.
func frames(n, rate int) []audio.PCM16 {
	spf := audio.SamplesPerFrame(rate)
	out := make([]audio.PCM16, n)
	for f := range out {
		fr := make(audio.PCM16, spf)
		for i := range fr {
			t := float64(f*spf+i) / float64(rate)
			v := 0.7*math.Sin(2*math.Pi*200*t) + 0.3*math.Sin(2*math.Pi*600*t)
			fr[i] = int16(0.3 * v * 32767)
		}
		out[f] = fr
	}
	return out
}

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

func newServer(t *testing.T, o asrtest.DashScopeOptions) *asrtest.DashScopeServer {
	t.Helper()
	s := asrtest.NewDashScopeServer(o)
	t.Cleanup(s.Close)
	return s
}

func newRecognizer(t *testing.T, url, key string, mod func(*Config)) *Recognizer {
	t.Helper()
	cfg := Config{URL: url, Key: key}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func open(t *testing.T, srv *asrtest.DashScopeServer, mod func(*Config)) *Stream {
	t.Helper()
	s, err := newRecognizer(t, srv.URL(), srv.Key(), mod).Open(context.Background())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeAll(t *testing.T, s asr.Stream, fs []audio.PCM16) {
	t.Helper()
	for _, f := range fs {
		if err := s.WriteSample(f); err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
	}
}

// collect reads Results until it is closed.
func collect(t *testing.T, s asr.Stream) []asr.Result {
	t.Helper()
	var out []asr.Result
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r, ok := <-s.Results():
			if !ok {
				return out
			}
			out = append(out, r)
		case <-timeout:
			t.Fatalf("Results not closed after 10 s; got %+v", out)
		}
	}
}

func finals(rs []asr.Result) []asr.Result {
	var out []asr.Result
	for _, r := range rs {
		if r.Final {
			out = append(out, r)
		}
	}
	return out
}

func waitTasks(t *testing.T, srv *asrtest.DashScopeServer, n int) []asrtest.DashScopeTask {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := srv.WaitTasks(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// rawServer accepts any key, answers run-task with task-started and then
// runs fn with the task id.
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
				TaskID string `json:"task_id"`
			} `json:"header"`
		}
		if c.ReadJSON(&m) != nil {
			return
		}
		c.WriteMessage(websocket.TextMessage, []byte(eventJSON(m.Header.TaskID, "task-started", `{}`)))
		fn(c, m.Header.TaskID)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// eventJSON formats a server event with a raw payload.
func eventJSON(taskID, name, payload string) string {
	id, _ := json.Marshal(taskID)
	return `{"header":{"task_id":` + string(id) + `,"event":"` + name + `","attributes":{}},"payload":` + payload + `}`
}

// sentenceJSON is a result-generated payload.
func sentenceJSON(text string, begin int, end any, final, heartbeat bool) string {
	s := map[string]any{"begin_time": begin, "end_time": end, "text": text,
		"heartbeat": heartbeat, "sentence_end": final, "words": []any{}}
	var usage any
	if final {
		usage = map[string]any{"duration": 2}
	}
	b, _ := json.Marshal(map[string]any{"output": map[string]any{"sentence": s}, "usage": usage})
	return string(b)
}
