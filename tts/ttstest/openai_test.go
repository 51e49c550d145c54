package ttstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

func newOpenAI(t *testing.T, opts OpenAISpeechOptions) *OpenAISpeechServer {
	t.Helper()
	s, err := NewOpenAISpeechServer(opts)
	if err != nil {
		t.Fatalf("%v (make deps-test / apt-get install lame)", err)
	}
	t.Cleanup(s.Close)
	return s
}

// postSpeech sends body to the server and returns the status, the error
// JSON's code and param (if any) and the body.
func postSpeech(t *testing.T, s *OpenAISpeechServer, auth, ct, body string) (int, openAIError, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/audio/speech", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Error openAIError }
	if resp.StatusCode != http.StatusOK {
		if err := json.Unmarshal(b, &e); err != nil || e.Error.Message == "" {
			t.Fatalf("HTTP %d body %q is not OpenAI error JSON", resp.StatusCode, b)
		}
	}
	return resp.StatusCode, e.Error, b
}

func TestOpenAIServerRules(t *testing.T) {
	s := newOpenAI(t, OpenAISpeechOptions{ChunkDelay: -1})
	bearer := "Bearer " + s.Key()
	long := strings.Repeat("好", OpenAIMaxInput+1)
	tests := []struct {
		name, auth, ct, body string
		status               int
		code                 string
	}{
		{"ok", bearer, "application/json", `{"model":"tts-1","input":"你好","voice":"coral"}`, 200, ""},
		{"no key", "", "application/json", `{"model":"tts-1","input":"x","voice":"coral"}`, 401, ""},
		{"wrong key", "Bearer sk-nope-nope-nope", "application/json", `{"model":"tts-1","input":"x","voice":"coral"}`, 401, "invalid_api_key"},
		{"form body", bearer, "application/x-www-form-urlencoded", "model=tts-1", 400, ""},
		{"bad json", bearer, "application/json", `{"model":`, 400, ""},
		{"unknown field", bearer, "application/json", `{"model":"tts-1","input":"x","voice":"coral","pitch":2}`, 400, "unknown_parameter"},
		{"no input", bearer, "application/json", `{"model":"tts-1","voice":"coral"}`, 400, ""},
		{"too long", bearer, "application/json", `{"model":"tts-1","input":"` + long + `","voice":"coral"}`, 400, "string_above_max_length"},
		{"voice", bearer, "application/json", `{"model":"tts-1","input":"x","voice":"cantopop"}`, 400, "invalid_value"},
		{"model", bearer, "application/json", `{"model":"tts-2","input":"x","voice":"coral"}`, 404, "model_not_found"},
		{"speed", bearer, "application/json", `{"model":"tts-1","input":"x","voice":"coral","speed":9}`, 400, "invalid_value"},
		{"format", bearer, "application/json", `{"model":"tts-1","input":"x","voice":"coral","response_format":"ogg"}`, 400, "invalid_value"},
		{"speed type", bearer, "application/json", `{"model":"tts-1","input":"x","voice":"coral","speed":"fast"}`, 400, "invalid_type"},
	}
	for _, tc := range tests {
		st, e, _ := postSpeech(t, s, tc.auth, tc.ct, tc.body)
		code := ""
		if e.Code != nil {
			code = *e.Code
		}
		if st != tc.status || code != tc.code {
			t.Errorf("%s: HTTP %d code %q (%s); want %d %q", tc.name, st, code, e.Message, tc.status, tc.code)
		}
	}
	if got := s.Requests()[2]; !strings.Contains(got.Authorization, "sk-nope") {
		t.Errorf("request not recorded: %+v", got)
	}
}

func TestOpenAIServerFormats(t *testing.T) {
	s := newOpenAI(t, OpenAISpeechOptions{ChunkDelay: -1})
	body := func(format string) string {
		return `{"model":"gpt-4o-mini-tts","input":"你好世界","voice":"coral","response_format":"` + format + `"}`
	}
	src := OpenAISpeechPCM("你好世界", 1)
	_, _, wav := postSpeech(t, s, "Bearer "+s.Key(), "application/json", body("wav"))
	pcm, rate, err := audio.ReadWAV(bytes.NewReader(wav))
	if err != nil || rate != OpenAIPCMRate || len(pcm) != len(src) {
		t.Errorf("wav: %d samples at %d Hz, %v", len(pcm), rate, err)
	}
	_, _, raw := postSpeech(t, s, "Bearer "+s.Key(), "application/json", body("pcm"))
	if len(raw) != 2*len(src) {
		t.Errorf("pcm: %d bytes, want %d", len(raw), 2*len(src))
	}
	_, _, mp3 := postSpeech(t, s, "Bearer "+s.Key(), "application/json", body("mp3"))
	if len(mp3) < 1000 || mp3[0] != 0xff || mp3[1]&0xe0 != 0xe0 {
		t.Errorf("mp3: %d bytes starting % x, want an MPEG frame sync", len(mp3), mp3[:min(4, len(mp3))])
	}
	if got := SpeechDuration("你好, world 1!"); got != 8*CharDuration {
		t.Errorf("SpeechDuration %v", got)
	}
	if n := len(Speech(500*time.Millisecond, 8000)); n != 4000 {
		t.Errorf("Speech: %d samples", n)
	}
}

func FuzzDecodeSpeechRequest(f *testing.F) {
	f.Add([]byte(`{"model":"tts-1","input":"你好","voice":"coral","speed":1.5}`))
	f.Add([]byte(`{"model":"tts-1","input":null}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"input":"x"}{}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := decodeSpeechRequest(raw)
		if err == nil {
			if req.Input == nil || req.Model == "" || req.Voice == "" {
				t.Fatalf("accepted %q without required fields", raw)
			}
			_ = validateSpeechRequest(req)
		} else if err.status < 400 || err.text == "" {
			t.Fatalf("error %+v", err)
		}
	})
}
