package asrtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func newDS(t *testing.T, o DashScopeOptions) *DashScopeServer {
	t.Helper()
	s := NewDashScopeServer(o)
	t.Cleanup(s.Close)
	return s
}

func dsDial(t *testing.T, s *DashScopeServer) *websocket.Conn {
	t.Helper()
	h := http.Header{"Authorization": {"bearer " + s.Key()}}
	c, _, err := websocket.DefaultDialer.Dial(s.URL(), h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

// dsRunTask is a run-task for model at rate with extra parameters.
func dsRunTask(id, model string, rate int, extra map[string]any) map[string]any {
	p := map[string]any{"format": "pcm", "sample_rate": rate}
	for k, v := range extra {
		p[k] = v
	}
	return map[string]any{
		"header": map[string]any{"action": "run-task", "task_id": id, "streaming": "duplex"},
		"payload": map[string]any{"task_group": "audio", "task": "asr", "function": "recognition",
			"model": model, "parameters": p, "input": map[string]any{}},
	}
}

func dsFinish(id string) map[string]any {
	return map[string]any{"header": map[string]any{"action": "finish-task", "task_id": id, "streaming": "duplex"},
		"payload": map[string]any{"input": map[string]any{}}}
}

type dsTestEvent struct {
	Header struct {
		TaskID       string `json:"task_id"`
		Event        string `json:"event"`
		ErrorCode    string `json:"error_code"`
		ErrorMessage string `json:"error_message"`
	} `json:"header"`
	Payload struct {
		Output struct {
			Sentence *struct {
				BeginTime   int    `json:"begin_time"`
				EndTime     *int   `json:"end_time"`
				Text        string `json:"text"`
				Heartbeat   bool   `json:"heartbeat"`
				SentenceEnd bool   `json:"sentence_end"`
				Words       []any  `json:"words"`
			} `json:"sentence"`
		} `json:"output"`
		Usage *struct {
			Duration int `json:"duration"`
		} `json:"usage"`
	} `json:"payload"`
}

func dsRead(t *testing.T, c *websocket.Conn) dsTestEvent {
	t.Helper()
	typ, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("frame type %d, want text", typ)
	}
	var e dsTestEvent
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("event %s: %v", data, err)
	}
	return e
}

// pcm16 is n samples of a 0.5-amplitude 440 Hz sine at rate, PCM16 LE.
func pcm16(n, rate int) []byte {
	b := make([]byte, 0, 2*n)
	for i := range n {
		v := int16(0.5 * 32767 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func TestDashScopeHandshakeAuth(t *testing.T) {
	s := newDS(t, DashScopeOptions{})
	for _, h := range []http.Header{nil, {"Authorization": {"bearer wrong"}}, {"Authorization": {s.Key()}}} {
		_, resp, err := websocket.DefaultDialer.Dial(s.URL(), h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("header %v: err %v resp %v, want HTTP 401", h, err, resp)
		}
		var body struct{ Code string }
		json.NewDecoder(resp.Body).Decode(&body)
		if body.Code != "InvalidApiKey" {
			t.Errorf("401 body code %q, want InvalidApiKey", body.Code)
		}
	}
	if s.Refused() != 3 || s.Conns() != 0 {
		t.Errorf("refused %d conns %d, want 3 and 0", s.Refused(), s.Conns())
	}
}

// TestDashScopeTaskAndReuse runs two tasks on one connection and checks the
// wire format: replace-not-append partials, usage only on finals.
func TestDashScopeTaskAndReuse(t *testing.T) {
	s := newDS(t, DashScopeOptions{Transcripts: []string{"转人工", "好"}, Trailing: 200 * time.Millisecond})
	c := dsDial(t, s)
	for i, id := range []string{"task-a", "task-b"} {
		c.WriteJSON(dsRunTask(id, "paraformer-realtime-v2", 16000, map[string]any{"language_hints": []string{"yue"}}))
		if e := dsRead(t, c); e.Header.Event != "task-started" || e.Header.TaskID != id {
			t.Fatalf("task %d: got %+v, want task-started", i, e.Header)
		}
		c.WriteMessage(websocket.BinaryMessage, pcm16(16000, 16000)) // 1 s: all three chars + trailing
		var texts []string
		for {
			e := dsRead(t, c)
			sn := e.Payload.Output.Sentence
			if e.Header.Event != "result-generated" || sn == nil {
				t.Fatalf("got %+v", e.Header)
			}
			if (e.Payload.Usage != nil) != sn.SentenceEnd || (sn.EndTime != nil) != sn.SentenceEnd {
				t.Errorf("usage %v end_time %v on sentence_end=%v", e.Payload.Usage, sn.EndTime, sn.SentenceEnd)
			}
			texts = append(texts, sn.Text)
			if sn.SentenceEnd {
				break
			}
		}
		want := map[int]string{0: "转|转人|转人工|转人工", 1: "好|好"}[i]
		if got := strings.Join(texts, "|"); got != want {
			t.Errorf("task %d results %q, want %q", i, got, want)
		}
		c.WriteJSON(dsFinish(id))
		if e := dsRead(t, c); e.Header.Event != "task-finished" {
			t.Fatalf("after finish-task: %+v", e.Header)
		}
	}
	recs := waitDS(t, s, 2)
	if recs[1].Conn != 0 || !recs[1].Finished || recs[0].Transcript != "转人工" || recs[0].Duration() != time.Second {
		t.Errorf("records %+v", recs)
	}
	if s.Conns() != 1 {
		t.Errorf("conns %d, want 1 (reused)", s.Conns())
	}
}

func TestDashScopeRejects(t *testing.T) {
	good := func(id string) map[string]any { return dsRunTask(id, "paraformer-realtime-v2", 16000, nil) }
	tests := []struct {
		name string
		msgs []any // []byte is sent as binary
		code string
	}{
		{"audio before run-task", []any{pcm16(160, 16000)}, dsClientError},
		{"audio before task-started", []any{good("t1"), pcm16(160, 16000)}, dsClientError},
		{"missing task_id", []any{good("")}, dsClientError},
		{"wrong action", []any{map[string]any{"header": map[string]any{"action": "continue-task", "task_id": "t1"}}}, dsClientError},
		{"not json", []any{"{nope"}, dsClientError},
		{"unknown model", []any{dsRunTask("t1", "paraformer-x", 16000, nil)}, dsNoModel},
		{"8k model at 16k", []any{dsRunTask("t1", "paraformer-realtime-8k-v2", 16000, nil)}, dsInvalid},
		{"fun-asr at 8k", []any{dsRunTask("t1", "fun-asr-realtime", 8000, nil)}, dsInvalid},
		{"bad language", []any{dsRunTask("t1", "fun-asr-realtime", 16000, map[string]any{"language_hints": []string{"yue"}})}, dsInvalid},
		{"unknown vocabulary", []any{dsRunTask("t1", "paraformer-realtime-v2", 16000, map[string]any{"vocabulary_id": "vocab-x-1"})}, dsInvalid},
		{"silence out of range", []any{dsRunTask("t1", "paraformer-realtime-v2", 16000, map[string]any{"max_sentence_silence": 100})}, dsInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDS(t, DashScopeOptions{})
			c := dsDial(t, s)
			for _, m := range tt.msgs {
				switch m := m.(type) {
				case []byte:
					c.WriteMessage(websocket.BinaryMessage, m)
				case string:
					c.WriteMessage(websocket.TextMessage, []byte(m))
				default:
					c.WriteJSON(m)
				}
			}
			e := dsRead(t, c)
			if e.Header.Event != "task-failed" || e.Header.ErrorCode != tt.code || e.Header.ErrorMessage == "" {
				t.Errorf("got %+v, want task-failed %s", e.Header, tt.code)
			}
			if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("after task-failed: %v, want the connection closed", err)
			}
			if f := s.Failures(); len(f) != 1 || f[0].Code != tt.code {
				t.Errorf("failures %+v", f)
			}
		})
	}
}

func TestDashScopeHeartbeat(t *testing.T) {
	s := newDS(t, DashScopeOptions{Transcripts: []string{"好"}, Trailing: 200 * time.Millisecond, HeartbeatEvery: 500 * time.Millisecond})
	c := dsDial(t, s)
	c.WriteJSON(dsRunTask("hb", "paraformer-realtime-v2", 16000, map[string]any{"heartbeat": true}))
	dsRead(t, c)
	c.WriteMessage(websocket.BinaryMessage, pcm16(3*16000, 16000))
	beats := 0
	for beats < 2 {
		e := dsRead(t, c)
		if sn := e.Payload.Output.Sentence; sn.Heartbeat {
			beats++
			if sn.Text != "" || sn.SentenceEnd || e.Payload.Usage != nil {
				t.Errorf("heartbeat result %+v", sn)
			}
		}
	}
}

func TestDashScopeVocabulary(t *testing.T) {
	s := newDS(t, DashScopeOptions{})
	post := func(key string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, s.CustomizationURL(), bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	create := func(prefix, target string, words ...string) map[string]any {
		var items []map[string]any
		for _, w := range words {
			items = append(items, map[string]any{"text": w, "weight": 4, "lang": "zh"})
		}
		return map[string]any{"model": "speech-biasing", "input": map[string]any{
			"action": "create_vocabulary", "target_model": target, "prefix": prefix, "vocabulary": items}}
	}
	if code, _ := post("bad", create("bank", "paraformer-realtime-v2", "戶口")); code != http.StatusUnauthorized {
		t.Errorf("bad key: HTTP %d, want 401", code)
	}
	for _, body := range []any{
		create("Bank", "paraformer-realtime-v2", "戶口"),
		create("bank", "paraformer-x", "戶口"),
		create("bank", "paraformer-realtime-v2", "一二三四五六七八九十一二三四五六"),
		create("bank", "paraformer-realtime-v2"),
	} {
		if code, out := post(s.Key(), body); code != http.StatusBadRequest || out["code"] != "InvalidParameter" {
			t.Errorf("%v: HTTP %d %v, want 400 InvalidParameter", body, code, out)
		}
	}
	code, out := post(s.Key(), create("bank", "paraformer-realtime-8k-v2", "戶口結餘", "信用卡"))
	id, _ := out["output"].(map[string]any)["vocabulary_id"].(string)
	if code != http.StatusOK || !strings.HasPrefix(id, "vocab-bank-") {
		t.Fatalf("create: HTTP %d %v", code, out)
	}
	if v := s.Vocabularies(); len(v) != 1 || len(v[0].Items) != 2 || v[0].TargetModel != "paraformer-realtime-8k-v2" {
		t.Errorf("vocabularies %+v", v)
	}
	// A vocabulary only works with its target model.
	c := dsDial(t, s)
	c.WriteJSON(dsRunTask("v1", "paraformer-realtime-v2", 16000, map[string]any{"vocabulary_id": id}))
	if e := dsRead(t, c); e.Header.ErrorCode != dsInvalid {
		t.Errorf("vocabulary of another model: %+v", e.Header)
	}
}

func waitDS(t *testing.T, s *DashScopeServer, n int) []DashScopeTask {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := s.WaitTasks(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
