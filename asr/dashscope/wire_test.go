package dashscope

import (
	"encoding/json"
	"errors"
	ds "github.com/yuecall/yuecall/internal/dashscope"
	"reflect"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

func TestParseEvent(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		typ  int
		data string
		want event
		bad  bool
	}{
		{"started", websocket.TextMessage, eventJSON("t", "task-started", `{}`), event{name: ds.EvTaskStarted, taskID: "t"}, false},
		{"partial", websocket.TextMessage, eventJSON("t", "result-generated", sentenceJSON("我想", 170, nil, false, false)),
			event{name: ds.EvResultGenerated, taskID: "t", sentence: sentence{text: "我想", begin: 170 * ms}}, false},
		{"final", websocket.TextMessage, eventJSON("t", "result-generated", sentenceJSON("我想。", 170, 920, true, false)),
			event{name: ds.EvResultGenerated, taskID: "t", billed: 2,
				sentence: sentence{text: "我想。", begin: 170 * ms, end: 920 * ms, hasEnd: true, final: true}}, false},
		{"final by end_time only", websocket.TextMessage,
			eventJSON("t", "result-generated", `{"output":{"sentence":{"begin_time":0,"end_time":500,"text":"好"}}}`),
			event{name: ds.EvResultGenerated, taskID: "t", sentence: sentence{text: "好", end: 500 * ms, hasEnd: true, final: true}}, false},
		{"heartbeat", websocket.TextMessage, eventJSON("t", "result-generated", sentenceJSON("", 0, nil, false, true)),
			event{name: ds.EvResultGenerated, taskID: "t", sentence: sentence{heartbeat: true}}, false},
		{"heartbeat with text is a result", websocket.TextMessage, eventJSON("t", "result-generated", sentenceJSON("好", 0, nil, false, true)),
			event{name: ds.EvResultGenerated, taskID: "t", sentence: sentence{text: "好"}}, false},
		{"negative and huge times ignored", websocket.TextMessage,
			eventJSON("t", "result-generated", `{"output":{"sentence":{"begin_time":-5,"end_time":1e300,"text":"x","sentence_end":false}}}`),
			event{name: ds.EvResultGenerated, taskID: "t", sentence: sentence{text: "x"}}, false},
		{"failed", websocket.TextMessage, `{"header":{"task_id":"t","event":"task-failed","error_code":"CLIENT_ERROR","error_message":"m"},"payload":{}}`,
			event{name: ds.EvTaskFailed, taskID: "t", code: "CLIENT_ERROR", message: "m"}, false},
		{"binary", websocket.BinaryMessage, "{}", event{}, true},
		{"not json", websocket.TextMessage, "Done!", event{}, true},
		{"no event", websocket.TextMessage, `{"header":{"task_id":"t"}}`, event{}, true},
		{"no sentence", websocket.TextMessage, eventJSON("t", "result-generated", `{"output":{}}`), event{}, true},
		{"no text", websocket.TextMessage, eventJSON("t", "result-generated", `{"output":{"sentence":{"begin_time":1}}}`), event{}, true},
		{"text not a string", websocket.TextMessage, eventJSON("t", "result-generated", `{"output":{"sentence":{"text":1}}}`), event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEvent(tt.typ, []byte(tt.data))
			if tt.bad {
				if !errors.Is(err, asr.ErrProtocol) {
					t.Errorf("err = %v, want ErrProtocol", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseEvent = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add(eventJSON("t", "result-generated", sentenceJSON("我想查询", 170, 920, true, false)))
	f.Add(eventJSON("t", "result-generated", sentenceJSON("", 0, nil, false, true)))
	f.Add(`{"header":{"task_id":"t","event":"task-failed","error_code":"X","error_message":"y"},"payload":{}}`)
	f.Add(`{"header":{"event":"result-generated"},"payload":{"output":{"sentence":{"begin_time":1e309,"text":""}}}}`)
	f.Add(`{"payload":null}`)
	f.Fuzz(func(t *testing.T, data string) {
		e, err := parseEvent(websocket.TextMessage, []byte(data))
		if err != nil {
			if !errors.Is(err, asr.ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		if e.name == "" || e.sentence.begin < 0 || e.sentence.end < 0 || e.sentence.hasEnd && e.sentence.end < e.sentence.begin {
			t.Fatalf("bad event %+v from %q", e, data)
		}
	})
}

// TestRunTaskJSON pins the documented run-task shape.
func TestRunTaskJSON(t *testing.T) {
	cfg := Config{Key: "k"}.withDefaults()
	cfg.VocabularyID = "vocab-bank-1"
	cfg.MaxSentenceSilence = 800 * time.Millisecond
	cfg.Heartbeat = true
	var got map[string]any
	if err := json.Unmarshal(cfg.runTaskJSON("id-1"), &got); err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	json.Unmarshal([]byte(`{"header":{"action":"run-task","task_id":"id-1","streaming":"duplex"},
		"payload":{"task_group":"audio","task":"asr","function":"recognition","model":"paraformer-realtime-v2",
		"parameters":{"format":"pcm","sample_rate":16000,"language_hints":["yue"],"vocabulary_id":"vocab-bank-1",
		"max_sentence_silence":800,"heartbeat":true},"input":{}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run-task =\n%v\nwant\n%v", got, want)
	}
	json.Unmarshal(ds.FinishTaskJSON("id-1"), &got)
	json.Unmarshal([]byte(`{"header":{"action":"finish-task","task_id":"id-1","streaming":"duplex"},"payload":{"input":{}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("finish-task = %v, want %v", got, want)
	}
}

func TestAppendPCM16(t *testing.T) {
	got := audio.AppendPCM16LE(nil, audio.PCM16{1, -1, 32767, -32768})
	want := []byte{1, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0x80}
	if string(got) != string(want) {
		t.Errorf("appendPCM16 = %v, want %v", got, want)
	}
}

func BenchmarkParseEvent(b *testing.B) {
	data := []byte(eventJSON("2bf83b9a-baeb-4fda-8d9a-0123456789ab", "result-generated", sentenceJSON("我想查询户口结余", 170, nil, false, false)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseEvent(websocket.TextMessage, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPCM16(b *testing.B) {
	pcm := frames(1, 16000)[0]
	buf := make([]byte, 0, 2*len(pcm))
	b.ReportAllocs()
	for b.Loop() {
		buf = audio.AppendPCM16LE(buf[:0], pcm)
	}
}
