package cosyvoice

import (
	"encoding/json"
	"errors"
	ds "github.com/yuecall/yuecall/internal/dashscope"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuecall/yuecall/audio"
)

func TestTextLength(t *testing.T) {
	// The documented examples.
	for text, want := range map[string]int{"你好": 4, "中A文123": 8, "中文。": 5, "中 文。": 6, "": 0, "漢字かな": 6} {
		if got := TextLength(text); got != want {
			t.Errorf("TextLength(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	long := strings.Repeat("a", maxChunkChars+5)
	tests := []struct {
		name   string
		text   string
		pieces int
	}{
		{"short", "你好。", 1},
		{"exactly the limit", strings.Repeat("好", maxChunkChars/2), 1},
		{"one over", strings.Repeat("好", maxChunkChars/2+1), 2},
		{"ascii, no breaks", long, 2},
		{"sentences", strings.Repeat("我想查詢戶口結餘。", 3000), 3},
		{"the total limit", strings.Repeat("a", maxTotalChars), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitText(tt.text)
			if err != nil || len(got) != tt.pieces || strings.Join(got, "") != tt.text {
				t.Fatalf("%d pieces, %v; want %d that join to the text", len(got), err, tt.pieces)
			}
			for _, p := range got {
				if TextLength(p) > maxChunkChars || p == "" || !utf8.ValidString(p) {
					t.Errorf("piece of %d characters", TextLength(p))
				}
			}
			if tt.name == "sentences" && !strings.HasSuffix(got[0], "。") {
				t.Errorf("first piece ends %q, want a cut after 。", got[0][len(got[0])-6:])
			}
		})
	}
	if _, err := splitText(strings.Repeat("好", maxTotalChars/2+1)); !errors.Is(err, ErrTextTooLong) {
		t.Errorf("over the total: %v, want ErrTextTooLong", err)
	}
}

func TestRunTaskJSON(t *testing.T) {
	cfg := DefaultConfig()
	var got, want map[string]any
	json.Unmarshal(cfg.runTaskJSON("id-1", "longjiayi_v2", 8000), &got)
	json.Unmarshal([]byte(`{"header":{"action":"run-task","task_id":"id-1","streaming":"duplex"},
		"payload":{"task_group":"audio","task":"tts","function":"SpeechSynthesizer","model":"cosyvoice-v2",
		"parameters":{"text_type":"PlainText","voice":"longjiayi_v2","format":"pcm","sample_rate":8000,
		"volume":50,"rate":1,"pitch":1},"input":{}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run-task =\n%v\nwant\n%v", got, want)
	}
	json.Unmarshal(continueTaskJSON("id-1", "你好"), &got)
	json.Unmarshal([]byte(`{"header":{"action":"continue-task","task_id":"id-1","streaming":"duplex"},"payload":{"input":{"text":"你好"}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("continue-task = %v", got)
	}
	json.Unmarshal(ds.FinishTaskJSON("id-1"), &got)
	json.Unmarshal([]byte(`{"header":{"action":"finish-task","task_id":"id-1","streaming":"duplex"},"payload":{"input":{}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("finish-task = %v", got)
	}
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		data string
		want event
		bad  bool
	}{
		{eventJSON("t", "task-started", `{}`), event{name: ds.EvTaskStarted, taskID: "t"}, false},
		{eventJSON("t", "result-generated", `{"output":{"type":"sentence-end"},"usage":{"characters":12}}`),
			event{name: ds.EvResultGenerated, taskID: "t", characters: 12}, false},
		{`{"header":{"task_id":"t","event":"task-failed","error_code":"CLIENT_ERROR","error_message":"m"},"payload":{}}`,
			event{name: ds.EvTaskFailed, taskID: "t", code: "CLIENT_ERROR", message: "m"}, false},
		{eventJSON("t", "task-finished", `{"usage":{"characters":-3}}`), event{name: ds.EvTaskFinished, taskID: "t"}, false},
		{`{"header":{}}`, event{}, true},
		{`[1]`, event{}, true},
		{eventJSON("t", "result-generated", `{"usage":{"characters":"12"}}`), event{}, true},
	}
	for _, tt := range tests {
		got, err := parseEvent([]byte(tt.data))
		if tt.bad != (err != nil) || !tt.bad && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseEvent(%s) = %+v, %v", tt.data, got, err)
		}
		if err != nil && !errors.Is(err, ErrProtocol) {
			t.Errorf("error %v does not wrap ErrProtocol", err)
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add(eventJSON("t", "result-generated", `{"output":{"type":"sentence-end"},"usage":{"characters":12}}`))
	f.Add(`{"header":{"task_id":"t","event":"task-failed","error_code":"X","error_message":"y"},"payload":{}}`)
	f.Add(`{"header":{"event":"task-finished"},"payload":{"usage":null}}`)
	f.Fuzz(func(t *testing.T, data string) {
		e, err := parseEvent([]byte(data))
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		if e.name == "" || e.characters < 0 {
			t.Fatalf("bad event %+v", e)
		}
	})
}

func FuzzSplitText(f *testing.F) {
	f.Add("你好，我想幫你查詢戶口結餘。")
	f.Add(strings.Repeat("a。", 100))
	f.Fuzz(func(t *testing.T, text string) {
		pieces, err := splitText(text)
		if err != nil {
			return
		}
		if strings.Join(pieces, "") != strings.ToValidUTF8(text, "\uFFFD") {
			t.Fatalf("pieces do not join to the text")
		}
		for _, p := range pieces {
			if p == "" || TextLength(p) > maxChunkChars {
				t.Fatalf("bad piece %q", p)
			}
		}
	})
}

func BenchmarkRead(b *testing.B) {
	st := &Stream{frames: make(chan []byte, 1)}
	frame := make([]byte, 3200) // 100 ms at 16 kHz
	buf := make(audio.PCM16, 320)
	b.ReportAllocs()
	for b.Loop() {
		st.frames <- frame
		for range 5 {
			if n, err := st.Read(buf); n != 320 || err != nil {
				b.Fatal(n, err)
			}
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	data := []byte(eventJSON("2bf83b9a-baeb-4fda-8d9a-0123456789ab", "result-generated",
		`{"output":{"sentence":{"index":0,"words":[]},"type":"sentence-synthesis"}}`))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseEvent(data); err != nil {
			b.Fatal(err)
		}
	}
}
