package funasr

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

func TestParseResult(t *testing.T) {
	const text = websocket.TextMessage
	ms := time.Millisecond
	tests := []struct {
		name string
		typ  int
		in   string
		want result
		bad  string // substring of the error
	}{
		{name: "2pass online", typ: text,
			in:   `{"mode":"2pass-online","wav_name":"call-123","text":"我想","is_final":false,"slice_type":1,"index":0,"timestamp":""}`,
			want: result{kind: kindOnline, text: "我想", hasIndex: true}},
		{name: "2pass offline with times", typ: text,
			in:   `{"mode":"2pass-offline","text":"我想查詢戶口結餘。","is_final":false,"slice_type":2,"index":3,"start_time":1200,"end_time":3400,"timestamp":"[[1200,1380]]"}`,
			want: result{kind: kindOffline, text: "我想查詢戶口結餘。", index: 3, hasIndex: true, start: 1200 * ms, end: 3400 * ms, hasTimes: true}},
		{name: "C++ server fields only", typ: text,
			in:   `{"is_final":false,"mode":"2pass-offline","text":"轉人工","wav_name":"w"}`,
			want: result{kind: kindOffline, text: "轉人工"}},
		{name: "python server online", typ: text, in: `{"mode": "online", "text": "\u8f6c", "wav_name": "w", "is_final": false}`,
			want: result{kind: kindOnline, text: "转"}},
		{name: "offline file mode", typ: text, in: `{"mode":"offline","text":"好","is_final":true,"stamp_sents":[]}`,
			want: result{kind: kindOffline, text: "好", final: true}},
		{name: "SenseVoice tags stripped", typ: text,
			in:   `{"mode":"2pass-offline","text":"<|yue|><|NEUTRAL|><|Speech|><|withitn|>唔該。","is_final":true}`,
			want: result{kind: kindOffline, text: "唔該。", final: true}},
		{name: "empty end", typ: text, in: `{"is_final":true,"text":"","wav_name":"w"}`,
			want: result{kind: kindNone, final: true}},
		{name: "server error", typ: text,
			in:   `{"is_final":true,"text":"ERROR. Real-time transcription service ONLY SUPPORT PCM stream.","wav_name":"w"}`,
			want: result{kind: kindError, text: "ERROR. Real-time transcription service ONLY SUPPORT PCM stream.", final: true}},
		{name: "ill-typed metadata ignored", typ: text, in: `{"mode":"2pass-offline","text":"a","index":"1","start_time":-5,"end_time":1}`,
			want: result{kind: kindOffline, text: "a"}},
		{name: "end before start ignored", typ: text, in: `{"mode":"2pass-offline","text":"a","start_time":500,"end_time":100}`,
			want: result{kind: kindOffline, text: "a"}},
		{name: "fractional index ignored", typ: text, in: `{"mode":"2pass-offline","text":"a","index":1.5}`,
			want: result{kind: kindOffline, text: "a"}},
		{name: "absurd time ignored", typ: text, in: `{"mode":"2pass-offline","text":"a","start_time":0,"end_time":1e300}`,
			want: result{kind: kindOffline, text: "a"}},
		{name: "binary", typ: websocket.BinaryMessage, in: `{"text":""}`, bad: "frame type"},
		{name: "empty", typ: text, in: "", bad: "not a JSON object"},
		{name: "array", typ: text, in: `["text"]`, bad: "not a JSON object"},
		{name: "truncated", typ: text, in: `{"mode":"2pass-online","text":"我`, bad: "unexpected end"},
		{name: "no text", typ: text, in: `{"mode":"2pass-online","is_final":false}`, bad: "no text field"},
		{name: "text not a string", typ: text, in: `{"mode":"2pass-online","text":5}`, bad: "cannot unmarshal"},
		{name: "is_final not a bool", typ: text, in: `{"mode":"2pass-online","text":"a","is_final":"true"}`, bad: "cannot unmarshal"},
		{name: "unknown mode", typ: text, in: `{"mode":"3pass","text":"a"}`, bad: `unknown mode "3pass"`},
		{name: "text without mode", typ: text, in: `{"text":"hello"}`, bad: "without a mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResult(tt.typ, []byte(tt.in))
			if tt.bad != "" {
				if !errors.Is(err, asr.ErrProtocol) || !strings.Contains(err.Error(), tt.bad) {
					t.Errorf("err = %v, want ErrProtocol mentioning %q", err, tt.bad)
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

func TestStripTags(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"我想查詢戶口結餘。":                         "我想查詢戶口結餘。",
		"<|yue|><|NEUTRAL|><|Speech|>你好":    "你好",
		"<|zh|><|HAPPY|><|BGM|><|woitn|>好呀": "好呀",
		"前<|en|>後":                          "前後",
		"<|nospeech|><|Event_UNK|>":         "",
		"a < b | c > d":                     "a < b | c > d",
		"<|unclosed 你好":                     "<|unclosed 你好",
		"<||>x":                             "x",
		"<|>|>x":                            "x",
		"<<|x|>|yue|>好":                     "好", // removing one tag makes another
		"<|a<|b|>c|>d":                      "d",
		"|><|yue|>":                         "|>",
	} {
		if got := stripTags(in); got != want {
			t.Errorf("stripTags(%q) = %q, want %q", in, got, want)
		}
	}
}

// hasTag reports whether s still holds a complete <|…|> tag.
func hasTag(s string) bool {
	i := strings.Index(s, "<|")
	return i >= 0 && strings.Contains(s[i+2:], "|>")
}

func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		`{"mode":"2pass-online","wav_name":"call-123","text":"我想","is_final":false,"slice_type":1,"index":0,"timestamp":""}`,
		`{"mode":"2pass-offline","text":"<|yue|><|NEUTRAL|><|Speech|>我想查詢。","is_final":false,"index":0,"start_time":1200,"end_time":3400}`,
		`{"is_final":true,"text":"ERROR. Real-time transcription service ONLY SUPPORT PCM stream.","wav_name":"w"}`,
		`{"is_final":true,"text":""}`, `{"mode":"offline","text":"<<|a|>|b|>"}`, `{}`, ``, `[]`, `null`,
		`{"mode":"online","text":"a","index":9223372036854775807,"start_time":1e308,"end_time":-0}`,
	} {
		f.Add(true, []byte(s))
	}
	f.Add(false, []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, isText bool, data []byte) {
		typ := websocket.BinaryMessage
		if isText {
			typ = websocket.TextMessage
		}
		r, err := parseResult(typ, data)
		if err != nil {
			if !errors.Is(err, asr.ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		if !isText || !utf8.ValidString(r.text) || r.index < 0 || r.start < 0 || r.end < r.start {
			t.Fatalf("bad result %+v from %q", r, data)
		}
		if r.kind == kindError && !strings.HasPrefix(r.text, "ERROR") {
			t.Fatalf("kind %d for %q", r.kind, r.text)
		}
		if r.kind != kindError && hasTag(r.text) {
			t.Fatalf("tag left in %q", r.text)
		}
	})
}

func FuzzStripTags(f *testing.F) {
	for _, s := range []string{"<|yue|>你好", "<<|x|>|y|>", "<|", "|>", "<||>", "<|>|>", "a<|b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := stripTags(s)
		if hasTag(got) || len(got) > len(s) || utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("stripTags(%q) = %q", s, got)
		}
		if !strings.Contains(s, "<|") && got != s {
			t.Fatalf("stripTags changed tag-free %q to %q", s, got)
		}
	})
}

func BenchmarkParseResult(b *testing.B) {
	msg := []byte(`{"end_time":3400,"index":0,"is_final":false,"mode":"2pass-offline","slice_type":2,"start_time":1200,"text":"<|yue|><|NEUTRAL|><|Speech|><|withitn|>我想查詢戶口結餘。","timestamp":"[[1200,1380],[1380,1560]]","wav_name":"call-123"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseResult(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPCM16(b *testing.B) {
	frame := make(audio.PCM16, 320)
	buf := make([]byte, 0, 2*320)
	b.ReportAllocs()
	for b.Loop() {
		buf = audio.AppendPCM16LE(buf[:0], frame)
	}
}

func TestAppendPCM16(t *testing.T) {
	got := audio.AppendPCM16LE(nil, audio.PCM16{0, 1, -1, 32767, -32768})
	want := []byte{0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0x80}
	if string(got) != string(want) {
		t.Errorf("appendPCM16 = % x, want % x", got, want)
	}
}
