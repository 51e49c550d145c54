package asrtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

const openaiTestKey = "sk-test-0123456789abcdefghijklmnopqrstuv"

// toneWAV is a WAV file of d of 440 Hz at amplitude 0.3, or silence if silent.
func toneWAV(t testing.TB, d time.Duration, rate int, silent bool) []byte {
	t.Helper()
	pcm := make(audio.PCM16, int(d*time.Duration(rate)/time.Second))
	if !silent {
		for i := range pcm {
			pcm[i] = int16(0.3 * 32767 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		}
	}
	var b bytes.Buffer
	if err := audio.WriteWAV(&b, pcm, rate); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// form is a multipart request body.
type form struct {
	fields   [][2]string
	fileName string
	file     []byte
}

func (f form) encode(t testing.TB) (body []byte, ctype string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if f.file != nil {
		w, err := mw.CreateFormFile("file", f.fileName)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.file)
	}
	for _, kv := range f.fields {
		mw.WriteField(kv[0], kv[1])
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// postOpenAI sends body to the server's transcription route and returns
// the status and body.
func postOpenAI(t testing.TB, url, auth, ctype string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

type openaiErrorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// TestOpenAIRejects: the server refuses wrong clients with the API's statuses and codes.
func TestOpenAIRejects(t *testing.T) {
	srv := NewOpenAITranscriptionServer(OpenAIOptions{Key: openaiTestKey, Models: []string{"whisper-1", "gpt-4o-transcribe"}})
	t.Cleanup(srv.Close)
	url := srv.URL() + "/audio/transcriptions"
	wav := toneWAV(t, time.Second, 16000, false)
	bearer := "Bearer " + openaiTestKey
	ok := func(extra ...[2]string) form {
		return form{fields: append([][2]string{{"model", "whisper-1"}}, extra...), fileName: "utterance.wav", file: wav}
	}
	tests := []struct {
		name   string
		auth   string
		form   form
		ctype  string // overrides the multipart content type
		status int
		code   string
		msg    string
	}{
		{"no key", "", ok(), "", 401, "", "You didn't provide an API key"},
		{"wrong key", "Bearer sk-wrong-abcdefghij1234", ok(), "", 401, "invalid_api_key", "Incorrect API key provided: sk-" + strings.Repeat("*", 16) + "1234."},
		{"basic auth", "Basic dTpw", ok(), "", 401, "invalid_api_key", "Incorrect API key"},
		{"not multipart", bearer, ok(), "application/json", 400, "", "expected multipart/form-data"},
		{"no model", bearer, form{fileName: "a.wav", file: wav}, "", 400, "", "you must provide a model parameter"},
		{"unknown model", bearer, form{fields: [][2]string{{"model", "whisper-9"}}, fileName: "a.wav", file: wav}, "", 404, "model_not_found", "whisper-9"},
		{"bad format", bearer, ok([2]string{"response_format", "xml"}), "", 400, "invalid_value", "Invalid value: 'xml'"},
		{"gpt-4o verbose", bearer, form{fields: [][2]string{{"model", "gpt-4o-transcribe"}, {"response_format", "verbose_json"}}, fileName: "a.wav", file: wav},
			"", 400, "unsupported_value", "not compatible with model 'gpt-4o-transcribe'"},
		{"whisper-1 yue", bearer, ok([2]string{"language", "yue"}), "", 400, "invalid_language_format", "Invalid language 'yue'"},
		{"locale", bearer, ok([2]string{"language", "zh-HK"}), "", 400, "invalid_language_format", "ISO-639-1"},
		{"no file", bearer, form{fields: [][2]string{{"model", "whisper-1"}}}, "", 400, "missing_required_parameter", "'file'"},
		{"txt file", bearer, form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "a.txt", file: wav}, "", 400, "invalid_value", "Invalid file format"},
		{"no extension", bearer, form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "utterance", file: wav}, "", 400, "invalid_value", "Invalid file format"},
		{"raw pcm as wav", bearer, form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "a.wav", file: wav[44:]}, "", 400, "invalid_value", "corrupted"},
		{"too short", bearer, form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "a.wav", file: toneWAV(t, 50*time.Millisecond, 16000, false)},
			"", 400, "audio_too_short", "Minimum audio length is 0.1 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ctype := tt.form.encode(t)
			if tt.ctype != "" {
				ctype = tt.ctype
			}
			status, out := postOpenAI(t, url, tt.auth, ctype, body)
			var e openaiErrorBody
			if err := json.Unmarshal(out, &e); err != nil {
				t.Fatalf("body %q: %v", out, err)
			}
			code := ""
			if e.Error.Code != nil {
				code = *e.Error.Code
			}
			if status != tt.status || code != tt.code || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("got %d %q %q, want %d %q %q", status, code, e.Error.Message, tt.status, tt.code, tt.msg)
			}
			if strings.Contains(string(out), openaiTestKey) {
				t.Errorf("reply shows the key")
			}
		})
	}
	if status, _ := postOpenAI(t, srv.URL()+"/audio/translations", "", "text/plain", nil); status != 404 {
		t.Errorf("other route: %d, want 404", status)
	}
}

// TestOpenAITooLarge: a body over MaxBytes is refused with 413.
func TestOpenAITooLarge(t *testing.T) {
	srv := NewOpenAITranscriptionServer(OpenAIOptions{MaxBytes: 64 << 10})
	t.Cleanup(srv.Close)
	body, ctype := form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "a.wav", file: make([]byte, 64<<10)}.encode(t)
	status, out := postOpenAI(t, srv.URL()+"/audio/transcriptions", "", ctype, body)
	if status != 413 || !strings.Contains(string(out), "Maximum content size limit (65536) exceeded") {
		t.Errorf("status %d %s, want 413", status, out)
	}
}

// TestOpenAIFormats: the transcript in every response_format, and the record.
func TestOpenAIFormats(t *testing.T) {
	srv := NewOpenAITranscriptionServer(OpenAIOptions{
		Models: []string{"whisper-1"}, YueModels: []string{"large-v3"},
		Script: OpenAIScripted("你好，" + SegmentSep + "我想查詢"),
	})
	t.Cleanup(srv.Close)
	url := srv.URL() + "/audio/transcriptions"
	wav := toneWAV(t, 2*time.Second, 16000, false)
	tests := []struct {
		format, model, lang string
		want                string
	}{
		{"", "whisper-1", "zh", `{"text":"你好，我想查詢"}`},
		{"json", "large-v3", "yue", `{"text":"你好，我想查詢"}`},
		{"text", "whisper-1", "", "你好，我想查詢\n"},
		{"srt", "whisper-1", "zh", "1\n00:00:00,000 --> 00:00:01,000\n你好，\n\n2\n00:00:01,000 --> 00:00:02,000\n我想查詢\n\n"},
		{"vtt", "whisper-1", "zh", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n你好，\n\n00:00:01.000 --> 00:00:02.000\n我想查詢\n\n"},
		{"verbose_json", "large-v3", "yue", `{"task":"transcribe","language":"cantonese","duration":2,"text":"你好，我想查詢","segments":[` +
			`{"id":0,"seek":0,"start":0,"end":1,"text":"你好，","tokens":[50365,50366,50367],"temperature":0,"avg_logprob":-0.25,"compression_ratio":1.1,"no_speech_prob":0.02},` +
			`{"id":1,"seek":0,"start":1,"end":2,"text":"我想查詢","tokens":[50365,50366,50367,50368],"temperature":0,"avg_logprob":-0.25,"compression_ratio":1.1,"no_speech_prob":0.02}]}`},
	}
	for i, tt := range tests {
		fields := [][2]string{{"model", tt.model}, {"prompt", "以下係香港廣東話對話："}}
		if tt.format != "" {
			fields = append(fields, [2]string{"response_format", tt.format})
		}
		if tt.lang != "" {
			fields = append(fields, [2]string{"language", tt.lang})
		}
		body, ctype := form{fields: fields, fileName: "utterance.wav", file: wav}.encode(t)
		status, out := postOpenAI(t, url, "", ctype, body)
		if status != 200 || string(out) != tt.want {
			t.Errorf("%s/%s: %d %s\nwant %s", tt.model, tt.format, status, out, tt.want)
		}
		q := srv.Requests()[i]
		if q.Model != tt.model || q.Language != tt.lang || q.Prompt != "以下係香港廣東話對話：" || q.ResponseFormat != tt.format ||
			q.FileName != "utterance.wav" || q.SampleRate != 16000 || q.Channels != 1 || q.Samples != 32000 || q.Text != "你好，我想查詢" {
			t.Errorf("record %+v", q)
		}
	}
}

// TestOpenAISilence: silent audio gets Whisper's hallucination with a high
// no_speech_prob; a slow reply is cut short by a client that gives up.
func TestOpenAISilence(t *testing.T) {
	srv := NewOpenAITranscriptionServer(OpenAIOptions{})
	t.Cleanup(srv.Close)
	body, ctype := form{fields: [][2]string{{"model", "whisper-1"}, {"response_format", "verbose_json"}},
		fileName: "a.wav", file: toneWAV(t, time.Second, 8000, true)}.encode(t)
	status, out := postOpenAI(t, srv.URL()+"/audio/transcriptions", "", ctype, body)
	var v struct {
		Segments []struct {
			Text         string  `json:"text"`
			NoSpeechProb float64 `json:"no_speech_prob"`
		} `json:"segments"`
	}
	if err := json.Unmarshal(out, &v); err != nil || status != 200 || len(v.Segments) != 1 ||
		v.Segments[0].Text != Hallucination || v.Segments[0].NoSpeechProb <= 0.6 {
		t.Errorf("%d %s (%v)", status, out, err)
	}
	if q := srv.Requests()[0]; q.SampleRate != 8000 || q.Samples != 8000 || q.RMS != 0 {
		t.Errorf("record %+v", q)
	}
}

// TestOpenAIDelayCancel: a client giving up during the Delay is recorded.
func TestOpenAIDelayCancel(t *testing.T) {
	srv := NewOpenAITranscriptionServer(OpenAIOptions{Script: func(int, []int16, int) OpenAIReply {
		return OpenAIReply{Delay: 10 * time.Second}
	}})
	t.Cleanup(srv.Close)
	body, ctype := form{fields: [][2]string{{"model", "whisper-1"}}, fileName: "a.wav", file: toneWAV(t, time.Second, 16000, false)}.encode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/audio/transcriptions", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("answered despite the delay")
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	reqs, err := srv.WaitRequests(wctx, 1)
	if err != nil || !reqs[0].Canceled {
		t.Errorf("%+v, %v", reqs, err)
	}
}
