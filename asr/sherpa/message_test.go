package sherpa

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

func TestParseMessage(t *testing.T) {
	const text = websocket.TextMessage
	tests := []struct {
		name string
		typ  int
		in   string
		want message
		bad  bool
	}{
		{name: "done sentinel", typ: text, in: "Done!", want: message{done: true}},
		{name: "cpp partial", typ: text,
			in:   `{ "text": "我想查询", "tokens": ["我", "想", "查", "询"], "timestamps": [0.00, 0.24, 0.48, 0.72], "ys_probs": [-0.1, -0.2, -0.1, -0.3], "lm_probs": [], "context_scores": [], "segment": 2, "words": [], "start_time": 4.80, "is_final": false, "is_eof": false}`,
			want: message{text: "我想查询", segment: 2, hasSeg: true, start: 4800 * time.Millisecond, end: 5520 * time.Millisecond, hasStart: true}},
		{name: "cpp final", typ: text,
			in:   `{"text":"转人工","tokens":["转","人","工"],"timestamps":[],"ys_probs":[],"lm_probs":[],"context_scores":[],"segment":1,"words":[],"start_time":2.40,"is_final":true,"is_eof":false}`,
			want: message{text: "转人工", segment: 1, hasSeg: true, final: true, start: 2400 * time.Millisecond, end: 2400 * time.Millisecond, hasStart: true}},
		{name: "cpp eof is final", typ: text, in: `{"text":"","segment":0,"start_time":0,"is_final":true,"is_eof":true}`,
			want: message{segment: 0, hasSeg: true, final: true, eof: true, hasStart: true}},
		{name: "old cpp: timestamps as a string", typ: text,
			in:   `{"is_final":false,"segment":0,"start_time":1.00,"text":"你好","timestamps":"[0.00, 0.12]","tokens":["你","好"]}`,
			want: message{text: "你好", hasSeg: true, start: time.Second, end: time.Second, hasStart: true}},
		{name: "cpp -inf log prob", typ: text,
			in:   `{ "text": "喂", "tokens": ["喂"], "timestamps": [0.00], "ys_probs": [nan], "lm_probs": [-inf], "context_scores": [inf], "segment": 0, "words": [], "start_time": 0.00, "is_final": false}`,
			want: message{text: "喂", hasSeg: true, hasStart: true}},
		{name: "inf inside text stays", typ: text, in: `{"text": "inf -inf nan", "segment": 0}`,
			want: message{text: "inf -inf nan", hasSeg: true}},
		{name: "python ascii-escaped", typ: text, in: `{"text": "\u8f6c\u4eba\u5de5", "segment": 3}`,
			want: message{text: "转人工", segment: 3, hasSeg: true}},
		{name: "no segment", typ: text, in: `{"text": "好"}`, want: message{text: "好"}},
		{name: "absurd start_time ignored", typ: text, in: `{"text": "好", "start_time": 1e300}`, want: message{text: "好"}},
		{name: "binary", typ: websocket.BinaryMessage, in: "Done!", bad: true},
		{name: "empty", typ: text, in: "", bad: true},
		{name: "not json", typ: text, in: "Done", bad: true},
		{name: "no text", typ: text, in: `{"segment": 1}`, bad: true},
		{name: "text not a string", typ: text, in: `{"text": 1}`, bad: true},
		{name: "segment not a number", typ: text, in: `{"text": "a", "segment": "1"}`, bad: true},
		{name: "negative segment", typ: text, in: `{"text": "a", "segment": -1}`, bad: true},
		{name: "array", typ: text, in: `["text"]`, bad: true},
		{name: "truncated", typ: text, in: `{"text": "我想`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMessage(tt.typ, []byte(tt.in))
			if tt.bad {
				if !errors.Is(err, asr.ErrProtocol) {
					t.Errorf("err = %v, want ErrProtocol", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		"Done!", "Done", "", "{}", `{"text": "\u8f6c", "segment": 0}`,
		`{ "text": "我想查询", "tokens": ["我"], "timestamps": [0.00, 0.24], "ys_probs": [-inf], "lm_probs": [nan], "context_scores": [], "segment": 2, "words": [], "start_time": 4.80, "is_final": true, "is_eof": false}`,
		`{"timestamps":"[0.00, 0.12]","text":"a","start_time":-1}`, `{"text":"a","start_time":1e308,"timestamps":[1e308]}`,
		`{"text":"\"inf","x":-nan}`, `{"text":"\\","segment":9223372036854775807}`,
	} {
		f.Add(true, []byte(s))
	}
	f.Add(false, []byte{0, 0, 128, 63})
	f.Fuzz(func(t *testing.T, isText bool, data []byte) {
		typ := websocket.BinaryMessage
		if isText {
			typ = websocket.TextMessage
		}
		m, err := parseMessage(typ, data)
		if err != nil {
			if !errors.Is(err, asr.ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		if m.done != (isText && string(data) == "Done!") {
			t.Fatalf("done = %v for %q", m.done, data)
		}
		if m.start < 0 || m.end < m.start || m.segment < 0 || !utf8.ValidString(m.text) {
			t.Fatalf("bad message %+v from %q", m, data)
		}
	})
}

func BenchmarkParseMessage(b *testing.B) {
	msg := []byte(`{ "text": "我想查询户口结余", "tokens": ["我", "想", "查", "询", "户", "口", "结", "余"], "timestamps": [0.00, 0.24, 0.48, 0.72, 0.96, 1.20, 1.44, 1.68], "ys_probs": [-0.1, -0.2, -0.1, -0.3, -0.1, -0.2, -0.1, -0.3], "lm_probs": [], "context_scores": [], "segment": 2, "words": [], "start_time": 4.80, "is_final": false, "is_eof": false}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendFloat32(b *testing.B) {
	frame := make(audio.PCM16, 320)
	buf := make([]byte, 0, 4*320)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendFloat32(buf[:0], frame)
	}
}

func TestAppendFloat32(t *testing.T) {
	got := appendFloat32(nil, audio.PCM16{0, 16384, -32768, 32767})
	want := []byte{0, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0xfe, 0x7f, 0x3f}
	if string(got) != string(want) {
		t.Errorf("appendFloat32 = % x, want % x", got, want)
	}
}
