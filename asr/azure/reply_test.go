package azure

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
		want asr.Result
		err  error
	}{
		{"detailed", `{"RecognitionStatus":"Success","DisplayText":"你好，我想查詢戶口結餘。","Offset":6600000,"Duration":29000000,"NBest":[{"Confidence":0.91,"Lexical":"你好我想查詢戶口結餘","ITN":"你好我想查詢戶口結餘","MaskedITN":"你好我想查詢戶口結餘","Display":"你好，我想查詢戶口結餘。"}]}`,
			true, asr.Result{Text: "你好，我想查詢戶口結餘。", Final: true, Start: 660 * time.Millisecond, End: 3560 * time.Millisecond}, nil},
		{"detailed without DisplayText", `{"RecognitionStatus":"Success","Offset":"1000000","Duration":"5000000","NBest":[{"Confidence":0.9,"Display":"轉人工。"},{"Display":"轉人公"}]}`,
			true, asr.Result{Text: "轉人工。", Final: true, Start: 100 * time.Millisecond, End: 600 * time.Millisecond}, nil},
		{"simple", `{"RecognitionStatus":"Success","DisplayText":"係。","Offset":0,"Duration":3000000}`,
			true, asr.Result{Text: "係。", Final: true, End: 300 * time.Millisecond}, nil},
		{"huge and negative times", `{"RecognitionStatus":"Success","DisplayText":"x","Offset":-5,"Duration":1e30}`,
			true, asr.Result{Text: "x", Final: true, End: 24 * time.Hour}, nil},
		{"no match", `{"RecognitionStatus":"NoMatch","Offset":1000,"Duration":0}`, false, asr.Result{}, nil},
		{"initial silence", `{"RecognitionStatus":"InitialSilenceTimeout","Offset":0,"Duration":50000000}`, false, asr.Result{}, nil},
		{"babble", `{"RecognitionStatus":"BabbleTimeout"}`, false, asr.Result{}, nil},
		{"all removed", `{"RecognitionStatus":"Success","DisplayText":"","Offset":0,"Duration":0}`, false, asr.Result{}, nil},
		{"error", `{"RecognitionStatus":"Error"}`, false, asr.Result{}, ErrRecognition},
		{"unknown status", `{"RecognitionStatus":"Weird"}`, false, asr.Result{}, asr.ErrProtocol},
		{"no status", `{}`, false, asr.Result{}, asr.ErrProtocol},
		{"bad offset", `{"RecognitionStatus":"Success","DisplayText":"x","Offset":"soon"}`, false, asr.Result{}, asr.ErrProtocol},
		{"not json", `<html>`, false, asr.Result{}, asr.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := parseReply([]byte(tt.body))
			if ok != tt.ok || got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("parseReply = %+v, %v, %v; want %+v, %v, %v", got, ok, err, tt.want, tt.ok, tt.err)
			}
		})
	}
}

func TestStatusErrorFromBody(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   string
	}{
		{401, `{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}`, "azure: HTTP 401 Unauthorized: Access denied due to invalid subscription key."},
		{403, ``, "azure: HTTP 403 Forbidden"},
		{400, "Unsupported\r\nlanguage " + testKey, "azure: HTTP 400 Bad Request: Unsupported language [key]"},
		{502, strings.Repeat("x", 1000), "azure: HTTP 502 Bad Gateway: " + strings.Repeat("x", maxMessage) + "…"},
	}
	for _, tt := range tests {
		if got := statusError(tt.status, []byte(tt.body), testKey).Error(); got != tt.want {
			t.Errorf("statusError(%d, %.30q) = %q, want %q", tt.status, tt.body, got, tt.want)
		}
	}
}

// FuzzParseReply: arbitrary reply bodies never panic, and a result is
// always well formed.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		`{"RecognitionStatus":"Success","DisplayText":"你好。","Offset":6600000,"Duration":29000000,"NBest":[{"Confidence":0.91,"Display":"你好。"}]}`,
		`{"RecognitionStatus":"Success","Offset":"1236645672289","Duration":"1236645672289","NBest":[{"Display":"x"}]}`,
		`{"RecognitionStatus":"NoMatch","Offset":1,"Duration":0}`,
		`{"RecognitionStatus":"Error"}`,
		`{"RecognitionStatus":"Success","DisplayText":"x","Offset":1e400}`,
		`{"RecognitionStatus":"Success","DisplayText":"x","Offset":"NaN"}`,
		`null`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, ok, err := parseReply(data)
		if !ok {
			if res != (asr.Result{}) {
				t.Fatalf("no result but %+v", res)
			}
			return
		}
		if err != nil || !res.Final || res.Text == "" || res.Text != strings.TrimSpace(res.Text) {
			t.Fatalf("bad result %+v, %v", res, err)
		}
		if res.Start < 0 || res.End < res.Start || res.End > 48*time.Hour {
			t.Fatalf("bad times: %+v", res)
		}
	})
}
