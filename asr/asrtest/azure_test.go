package asrtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const azureCT = "audio/wav; codecs=audio/pcm; samplerate=16000"

// azureCall is one raw recognition request.
type azureCall struct {
	query   string // after "?"
	headers map[string]string
	body    []byte
	chunked bool // stream the body with unknown length
}

func (c azureCall) do(t testing.TB, srv *AzureServer) (int, []byte) {
	t.Helper()
	var body io.Reader = bytes.NewReader(c.body)
	if c.chunked {
		body = io.MultiReader(body) // hides the length: chunked
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"?"+c.query, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// wavHeader16 is a streaming WAV header with placeholder sizes.
func wavHeader16(rate, channels int) []byte {
	h := make([]byte, 44)
	le := binary.LittleEndian
	copy(h, "RIFF")
	le.PutUint32(h[4:], 0x7FFFF024)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], 1)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*2*channels))
	le.PutUint16(h[32:], uint16(2*channels))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], 0x7FFFF000)
	return h
}

func TestAzureRejects(t *testing.T) {
	srv := NewAzureSTTServer(AzureOptions{})
	t.Cleanup(srv.Close)
	wav := toneWAV(t, time.Second, 16000, false)
	key := map[string]string{"Ocp-Apim-Subscription-Key": DefaultAzureKey, "Content-Type": azureCT}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range key {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		call   azureCall
		status int
		msg    string
	}{
		{"no auth", azureCall{query: "language=zh-HK", headers: with("Ocp-Apim-Subscription-Key", ""), body: wav}, 403, "missing"},
		{"wrong key", azureCall{query: "language=zh-HK", headers: with("Ocp-Apim-Subscription-Key", "nope"), body: wav}, 401, "invalid subscription key"},
		{"bad token", azureCall{query: "language=zh-HK", headers: map[string]string{"Authorization": "Bearer x.y.z", "Content-Type": azureCT}, body: wav}, 401, "token"},
		{"no language", azureCall{query: "format=detailed", headers: key, body: wav}, 400, "language"},
		{"other language", azureCall{query: "language=yue-HK", headers: key, body: wav}, 400, "Unsupported language"},
		{"bad format", azureCall{query: "language=zh-HK&format=full", headers: key, body: wav}, 400, "format"},
		{"bad profanity", azureCall{query: "language=zh-HK&profanity=x", headers: key, body: wav}, 400, "profanity"},
		{"no content type", azureCall{query: "language=zh-HK", headers: with("Content-Type", ""), body: wav}, 400, "Content-Type"},
		{"8k content type", azureCall{query: "language=zh-HK", headers: with("Content-Type", "audio/wav; codecs=audio/pcm; samplerate=8000"), body: wav}, 400, "Content-Type"},
		{"raw pcm", azureCall{query: "language=zh-HK", headers: key, body: wav[44:]}, 400, "RIFF"},
		{"empty body", azureCall{query: "language=zh-HK", headers: key}, 400, "RIFF"},
		{"8 kHz wav", azureCall{query: "language=zh-HK", headers: key, body: toneWAV(t, time.Second, 8000, false)}, 400, "8000 Hz"},
		{"stereo", azureCall{query: "language=zh-HK", headers: key, body: append(wavHeader16(16000, 2), make([]byte, 6400)...)}, 400, "2 channels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := tt.call.do(t, srv)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(out, &e); err != nil || status != tt.status || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("got %d %s (%v), want %d %q", status, out, err, tt.status, tt.msg)
			}
		})
	}
}

func TestAzureReplies(t *testing.T) {
	srv := NewAzureSTTServer(AzureOptions{})
	t.Cleanup(srv.Close)
	key := map[string]string{"Ocp-Apim-Subscription-Key": DefaultAzureKey, "Content-Type": azureCT}
	speech := append(wavHeader16(16000, 1), toneWAV(t, time.Second, 16000, false)[44:]...)
	tests := []struct {
		name string
		call azureCall
		want string
	}{
		{"detailed chunked", azureCall{query: "language=zh-HK&format=detailed", headers: key, body: speech, chunked: true},
			`{"RecognitionStatus":"Success","Offset":0,"Duration":10000000,"DisplayText":"我想查詢戶口結餘。","NBest":[{"Confidence":0.9,"Lexical":"我想查詢戶口結餘","ITN":"我想查詢戶口結餘","MaskedITN":"我想查詢戶口結餘","Display":"我想查詢戶口結餘。"}]}`},
		{"simple", azureCall{query: "language=zh-HK", headers: key, body: toneWAV(t, time.Second, 16000, false)},
			`{"RecognitionStatus":"Success","Offset":0,"Duration":10000000,"DisplayText":"我想查詢戶口結餘。"}`},
		{"silence", azureCall{query: "language=zh-HK&format=detailed", headers: key, body: toneWAV(t, time.Second, 16000, true), chunked: true},
			`{"RecognitionStatus":"NoMatch","Offset":10000000,"Duration":0}`},
	}
	for i, tt := range tests {
		status, out := tt.call.do(t, srv)
		if status != 200 || string(out) != tt.want {
			t.Errorf("%s: %d %s\nwant %s", tt.name, status, out, tt.want)
		}
		q := srv.Requests()[i]
		if q.Chunked != tt.call.chunked || (q.ContentLength == -1) != tt.call.chunked || q.Samples != 16000 || q.Auth != "key" {
			t.Errorf("%s: record %+v", tt.name, q)
		}
	}
}

// TestAzureLimit: audio past MaxAudio is not recognised and is flagged.
func TestAzureLimit(t *testing.T) {
	srv := NewAzureSTTServer(AzureOptions{MaxAudio: 2 * time.Second})
	t.Cleanup(srv.Close)
	status, _ := azureCall{query: "language=zh-HK", body: toneWAV(t, 3*time.Second, 16000, false),
		headers: map[string]string{"Ocp-Apim-Subscription-Key": DefaultAzureKey, "Content-Type": azureCT}}.do(t, srv)
	if q := srv.Requests()[0]; status != 200 || q.Samples != 2*16000 || !q.OverLimit {
		t.Errorf("%d %+v", status, q)
	}
}

// TestAzureToken: issueToken wants the key; its token then authorises.
func TestAzureToken(t *testing.T) {
	srv := NewAzureSTTServer(AzureOptions{})
	t.Cleanup(srv.Close)
	issue := func(key string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.TokenURL(), nil)
		if key != "" {
			req.Header.Set("Ocp-Apim-Subscription-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := issue(""); status != 401 || !strings.Contains(body, "missing subscription key") {
		t.Errorf("no key: %d %s", status, body)
	}
	if status, body := issue("wrong"); status != 401 || !strings.Contains(body, "invalid subscription key") {
		t.Errorf("wrong key: %d %s", status, body)
	}
	status, tok := issue(DefaultAzureKey)
	if status != 200 || strings.Count(tok, ".") != 2 {
		t.Fatalf("token: %d %q", status, tok)
	}
	call := azureCall{query: "language=zh-HK", body: toneWAV(t, time.Second, 16000, false),
		headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": azureCT}}
	if status, out := call.do(t, srv); status != 200 {
		t.Errorf("with token: %d %s", status, out)
	}
	srv.RevokeTokens()
	if status, _ := call.do(t, srv); status != 401 {
		t.Errorf("revoked token: %d", status)
	}
	if n := srv.TokenRequests(); n != 3 {
		t.Errorf("TokenRequests = %d, want 3", n)
	}
	if q := srv.Requests(); q[0].Auth != "bearer" || !q[0].AuthOK || q[1].AuthOK {
		t.Errorf("records %+v", q)
	}
}
