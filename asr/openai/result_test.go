package openai

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/asr"
)

func decode(t testing.TB, body string) goopenai.AudioResponse {
	t.Helper()
	var r goopenai.AudioResponse
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&r); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return r
}

func TestResultFrom(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
		want asr.Result
	}{
		{"verbose", `{"task":"transcribe","language":"cantonese","duration":2.9,"text":"你好，我想查詢戶口結餘","segments":[{"id":0,"start":0.0,"end":2.9,"text":"你好，我想查詢戶口結餘","no_speech_prob":0.01}]}`,
			true, asr.Result{Text: "你好，我想查詢戶口結餘", Final: true, End: 2900 * time.Millisecond}},
		{"json only", `{"text":" 轉人工 "}`, true, asr.Result{Text: "轉人工", Final: true, End: time.Second}},
		{"json with duration", `{"text":"好","duration":0.5}`, true, asr.Result{Text: "好", Final: true, End: 500 * time.Millisecond}},
		{"empty", `{"text":""}`, false, asr.Result{}},
		{"threshold is exclusive", `{"segments":[{"text":"係","start":0.1,"end":0.4,"no_speech_prob":0.6}]}`,
			true, asr.Result{Text: "係", Final: true, Start: 100 * time.Millisecond, End: 400 * time.Millisecond}},
		{"end before start", `{"segments":[{"text":"係","start":2,"end":1}]}`,
			true, asr.Result{Text: "係", Final: true, Start: 2 * time.Second, End: 2 * time.Second}},
		{"negative and huge", `{"segments":[{"text":"a","start":-5,"end":1e300}]}`,
			true, asr.Result{Text: "a", Final: true, End: maxOffset}},
		{"english", `{"segments":[{"text":" I want"},{"text":" to pay"},{"text":"。"}]}`,
			true, asr.Result{Text: "I want to pay。", Final: true}},
		{"segments all silent, text kept out", `{"text":"多謝收看","segments":[{"text":"多謝收看","no_speech_prob":0.9}]}`, false, asr.Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := resultFrom(decode(t, tt.body), 0.6, time.Second)
			if ok != tt.ok || got != tt.want {
				t.Errorf("resultFrom = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Incorrect API key provided: sk-abc*****************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.",
			"Incorrect API key provided: [key]. You can find your API key at https://platform.openai.com/account/api-keys."},
		{"token " + testKey + " refused", "token [key] refused"},
		{"masked abcd****wxyz here", "masked [key] here"},
		{"line1\nline2\x00", "line1 line2"},
		{strings.Repeat("錯", 400), strings.Repeat("錯", maxMessage) + "…"},
		{"bad \xff byte", "bad ? byte"},
	}
	for _, tt := range tests {
		if got := redact(tt.in, testKey); got != tt.want {
			t.Errorf("redact(%.40q) = %.60q, want %.60q", tt.in, got, tt.want)
		}
	}
}

func TestStatusErrorText(t *testing.T) {
	tests := []struct {
		e    StatusError
		want string
	}{
		{StatusError{StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded", Message: "slow down"}, "openai: HTTP 429 (rate_limit_exceeded): slow down"},
		{StatusError{StatusCode: 500, Type: "server_error"}, "openai: HTTP 500 (server_error)"},
		{StatusError{StatusCode: 404}, "openai: HTTP 404"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// FuzzReply feeds arbitrary reply bodies through go-openai's decoding and
// resultFrom: never a panic, and a result is always well formed.
func FuzzReply(f *testing.F) {
	for _, s := range []string{
		`{"task":"transcribe","language":"cantonese","duration":2.9,"text":"你好","segments":[{"id":0,"start":0.0,"end":2.9,"text":"你好","no_speech_prob":0.01}]}`,
		`{"text":"轉人工"}`,
		`{"segments":[{"text":" I"},{"text":"多謝收看","no_speech_prob":0.9}]}`,
		`{"segments":[{"text":"a","start":-1e308,"end":1e308}]}`,
		`{"duration":-3,"text":"x"}`,
		`{"segments":null}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp goopenai.AudioResponse
		if json.NewDecoder(bytes.NewReader(data)).Decode(&resp) != nil {
			return
		}
		res, ok := resultFrom(resp, DefaultNoSpeechThreshold, 3*time.Second)
		if !ok {
			if res != (asr.Result{}) {
				t.Fatalf("no result but %+v", res)
			}
			return
		}
		if !res.Final || res.Text == "" || res.Text != strings.TrimSpace(res.Text) {
			t.Fatalf("bad text/final: %+v", res)
		}
		if res.Start < 0 || res.End < res.Start || res.End > maxOffset {
			t.Fatalf("bad times: %+v", res)
		}
		if utf8.ValidString(string(data)) && !utf8.ValidString(res.Text) {
			t.Fatalf("invalid UTF-8 from valid input: %q", res.Text)
		}
	})
}
