package ttstest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func newCV(t *testing.T, o CosyVoiceOptions) *CosyVoiceServer {
	t.Helper()
	s := NewCosyVoiceServer(o)
	t.Cleanup(s.Close)
	return s
}

func cvDial(t *testing.T, s *CosyVoiceServer) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.URL(), http.Header{"Authorization": {"bearer " + s.Key()}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

func cvRun(id string, params map[string]any) map[string]any {
	p := map[string]any{"text_type": "PlainText", "voice": "longjiayi_v2", "format": "pcm", "sample_rate": 8000,
		"volume": 50, "rate": 1.0, "pitch": 1.0}
	for k, v := range params {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return map[string]any{
		"header": map[string]any{"action": "run-task", "task_id": id, "streaming": "duplex"},
		"payload": map[string]any{"task_group": "audio", "task": "tts", "function": "SpeechSynthesizer",
			"model": "cosyvoice-v2", "parameters": p, "input": map[string]any{}},
	}
}

func cvCmd(action, id, text string) map[string]any {
	input := map[string]any{}
	if action == "continue-task" {
		input["text"] = text
	}
	return map[string]any{"header": map[string]any{"action": action, "task_id": id, "streaming": "duplex"},
		"payload": map[string]any{"input": input}}
}

type cvTestEvent struct {
	Header struct {
		TaskID       string `json:"task_id"`
		Event        string `json:"event"`
		ErrorCode    string `json:"error_code"`
		ErrorMessage string `json:"error_message"`
	} `json:"header"`
	Payload struct {
		Output struct {
			Type string `json:"type"`
		} `json:"output"`
		Usage *struct {
			Characters int `json:"characters"`
		} `json:"usage"`
	} `json:"payload"`
}

// cvReadTask reads one task's frames up to task-finished or task-failed:
// the events in order (binary frames as "audio") and the samples.
func cvReadTask(t *testing.T, c *websocket.Conn) ([]string, []int16, cvTestEvent) {
	t.Helper()
	var seq []string
	var pcm []int16
	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read after %v: %v", seq, err)
		}
		if typ == websocket.BinaryMessage {
			seq = append(seq, "audio")
			for i := 0; i+1 < len(data); i += 2 {
				pcm = append(pcm, int16(binary.LittleEndian.Uint16(data[i:])))
			}
			continue
		}
		var e cvTestEvent
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("event %s: %v", data, err)
		}
		name := e.Header.Event
		if e.Payload.Output.Type != "" {
			name = e.Payload.Output.Type
		}
		seq = append(seq, name)
		if e.Header.Event == "task-finished" || e.Header.Event == "task-failed" {
			return seq, pcm, e
		}
	}
}

func TestCosyVoiceAuth(t *testing.T) {
	s := newCV(t, CosyVoiceOptions{})
	for _, h := range []http.Header{nil, {"Authorization": {"bearer nope"}}} {
		_, resp, err := websocket.DefaultDialer.Dial(s.URL(), h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("header %v: %v %v, want HTTP 401", h, err, resp)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "http"+strings.TrimPrefix(s.URL(), "ws"), strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+s.Key())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP: %v %v, want 400 (websocket only)", resp, err)
	}
	if s.Refused() != 2 {
		t.Errorf("refused %d, want 2", s.Refused())
	}
}

// TestCosyVoiceTaskAndReuse: audio frames are interleaved with
// sentence-synthesis events, are as long as the text, and a second task
// runs on the same connection.
func TestCosyVoiceTaskAndReuse(t *testing.T) {
	s := newCV(t, CosyVoiceOptions{})
	c := cvDial(t, s)
	for i, id := range []string{"a", "b"} {
		c.WriteJSON(cvRun(id, nil))
		if seq, _, _ := cvReadTaskUntil(t, c, "task-started"); len(seq) != 1 {
			t.Fatalf("task %d: %v before task-started", i, seq)
		}
		c.WriteJSON(cvCmd("continue-task", id, "你好。"))
		c.WriteJSON(cvCmd("continue-task", id, "Hi"))
		c.WriteJSON(cvCmd("finish-task", id, ""))
		seq, pcm, last := cvReadTask(t, c)
		want := "sentence-begin sentence-synthesis audio sentence-synthesis audio sentence-synthesis audio sentence-end " +
			"sentence-begin sentence-synthesis audio sentence-synthesis audio sentence-synthesis audio sentence-end task-finished"
		if got := strings.Join(seq, " "); got != want {
			t.Errorf("task %d events:\n%s\nwant\n%s", i, got, want)
		}
		if len(pcm) != 4*1200 || last.Payload.Usage == nil || last.Payload.Usage.Characters != 7 {
			t.Errorf("task %d: %d samples (want 4 syllables of 150 ms at 8 kHz), usage %+v", i, len(pcm), last.Payload.Usage)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, _ := s.WaitTasks(ctx, 2)
	if s.Conns() != 1 || len(recs) != 2 || recs[1].Conn != 0 || !recs[1].Finished || recs[0].Characters != 7 ||
		recs[0].Texts[1] != "Hi" || recs[0].Samples != 4800 {
		t.Errorf("conns %d, records %+v", s.Conns(), recs)
	}
}

// cvReadTaskUntil reads text events until one named name.
func cvReadTaskUntil(t *testing.T, c *websocket.Conn, name string) ([]string, []int16, cvTestEvent) {
	t.Helper()
	var seq []string
	for {
		var e cvTestEvent
		if err := c.ReadJSON(&e); err != nil {
			t.Fatalf("read: %v", err)
		}
		seq = append(seq, e.Header.Event)
		if e.Header.Event == name || e.Header.Event == "task-failed" {
			return seq, nil, e
		}
	}
}

func TestCosyVoiceRejects(t *testing.T) {
	long := strings.Repeat("好", CosyVoiceMaxText/2+1)
	tests := []struct {
		name    string
		msgs    []any // []byte goes as binary
		started bool  // task-started comes before the failure
		code    string
	}{
		{"binary", []any{[]byte{1, 2}}, false, cvClientError},
		{"continue before run-task", []any{cvCmd("continue-task", "x", "好")}, false, cvClientError},
		{"message before task-started", []any{cvRun("x", nil), cvCmd("continue-task", "x", "好")}, false, cvClientError},
		{"missing task_id", []any{cvRun("", nil)}, false, cvClientError},
		{"wrong action", []any{cvCmd("cancel-task", "x", "")}, false, cvClientError},
		{"unknown model", []any{func() any { m := cvRun("x", nil); m["payload"].(map[string]any)["model"] = "cosyvoice-v9"; return m }()}, false, cvNoModel},
		{"unknown voice", []any{cvRun("x", map[string]any{"voice": "longfoo"})}, false, cvInvalid},
		{"v3 voice on v2", []any{cvRun("x", map[string]any{"voice": "longjiaxin_v3"})}, false, cvInvalid},
		{"mp3", []any{cvRun("x", map[string]any{"format": "mp3"})}, false, cvInvalid},
		{"rate", []any{cvRun("x", map[string]any{"sample_rate": 12000})}, false, cvInvalid},
		{"text too long", []any{cvRun("x", nil), "wait", cvCmd("continue-task", "x", long)}, true, cvInvalid},
		{"wrong task id", []any{cvRun("x", nil), "wait", cvCmd("continue-task", "y", "好")}, true, cvClientError},
		{"after finish", []any{cvRun("x", nil), "wait", cvCmd("finish-task", "x", ""), cvCmd("continue-task", "x", "好")}, true, cvClientError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCV(t, CosyVoiceOptions{})
			c := cvDial(t, s)
			for _, m := range tt.msgs {
				switch m := m.(type) {
				case []byte:
					c.WriteMessage(websocket.BinaryMessage, m)
				case string: // wait for task-started
					cvReadTaskUntil(t, c, "task-started")
				default:
					c.WriteJSON(m)
				}
			}
			seq, _, e := cvReadTaskUntil(t, c, "task-failed")
			if e.Header.Event != "task-failed" || e.Header.ErrorCode != tt.code {
				t.Fatalf("events %v, last %+v; want task-failed %s", seq, e.Header, tt.code)
			}
			if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("after task-failed: %v, want the connection closed", err)
			}
		})
	}
}

func TestCosyVoiceIdleLimit(t *testing.T) {
	s := newCV(t, CosyVoiceOptions{IdleLimit: 100 * time.Millisecond})
	c := cvDial(t, s)
	c.WriteJSON(cvRun("x", nil))
	cvReadTaskUntil(t, c, "task-started")
	start := time.Now()
	_, _, e := cvReadTaskUntil(t, c, "task-failed")
	if e.Header.ErrorCode != cvClientError || e.Header.ErrorMessage != cvTimeoutMsg || time.Since(start) > 2*time.Second {
		t.Errorf("got %+v after %v", e.Header, time.Since(start))
	}
}

func TestCosyVoiceSpeech(t *testing.T) {
	pcm := CosyVoiceSpeech("你好, hi!", 100*time.Millisecond, 2, 16000)
	if len(pcm) != 4*800 {
		t.Fatalf("%d samples, want 4 syllables of 50 ms", len(pcm))
	}
	crossings, peak := 0, 0
	for i, v := range pcm {
		peak = max(peak, int(v), -int(v))
		if i > 0 && (pcm[i-1] < 0) != (v < 0) {
			crossings++
		}
	}
	// 200 Hz fundamental: about 2 crossings per 5 ms period (the third
	// harmonic adds a few near the envelope's quiet ends).
	if crossings < 70 || crossings > 110 || peak < 8500 || peak > 10000 {
		t.Errorf("crossings %d, peak %d", crossings, peak)
	}
	if got := CosyVoiceTextLength("中A文123"); got != 8 {
		t.Errorf("CosyVoiceTextLength = %d, want 8", got)
	}
}
