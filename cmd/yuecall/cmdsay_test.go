package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts/ttstest"
)

var sayLine = regexp.MustCompile(`sentences=(\d+) duration=(\S+) first_audio=(\S+) total=(\S+) rate=(\d+)`)

// TestSayCommandEveryProvider synthesises one reply through `yuecall say`
// with espeak-ng for real and each cloud provider's wire-protocol test
// server, and checks the WAV and the printed figures.
func TestSayCommandEveryProvider(t *testing.T) {
	oa, err := ttstest.NewOpenAISpeechServer(ttstest.OpenAISpeechOptions{})
	if err != nil {
		t.Fatalf("OpenAI speech test server: %v (make deps-test installs lame)", err)
	}
	defer oa.Close()
	az := ttstest.NewAzureTTSServer(ttstest.AzureTTSOptions{})
	defer az.Close()
	cv := ttstest.NewCosyVoiceServer(ttstest.CosyVoiceOptions{})
	defer cv.Close()
	const text = "你好，你嘅戶口結餘係HK$3,500。請問仲有咩可以幫到你？"
	for _, tc := range []struct{ provider, url, key string }{
		{"espeak", "", ""},
		{"openai", oa.URL(), oa.Key()},
		{"azure", az.URL(), az.Key()},
		{"cosyvoice", cv.URL(), cv.Key()},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			t.Setenv("YUECALL_TTS_KEY", tc.key)
			t.Setenv("YUECALL_DATA_DIR", t.TempDir())
			out := filepath.Join(t.TempDir(), "say.wav")
			args := []string{"say", "-provider", tc.provider, "-out", out}
			if tc.url != "" {
				args = append(args, "-url", tc.url)
			}
			var stdout, stderr bytes.Buffer
			if code := run(append(args, text), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			m := sayLine.FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("output %q", stdout.String())
			}
			if n, _ := strconv.Atoi(m[1]); n != 2 {
				t.Errorf("%s sentences, want 2", m[1])
			}
			first, _ := time.ParseDuration(m[3])
			total, _ := time.ParseDuration(m[4])
			if first <= 0 || first > total {
				t.Errorf("first audio %v, total %v", first, total)
			}
			t.Logf("%s: %s", tc.provider, strings.TrimSpace(stdout.String()))
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pcm, rate, err := audio.ReadWAV(f)
			if err != nil {
				t.Fatal(err)
			}
			if d := audio.Duration(len(pcm), rate); d < time.Second {
				t.Errorf("%v of audio for two sentences", d)
			}
			if audio.DBFS(pcm) < -40 {
				t.Errorf("audio level %.1f dBFS: silent", audio.DBFS(pcm))
			}
			if tc.key != "" && strings.Contains(stdout.String()+stderr.String(), tc.key) {
				t.Error("the key appears in the output")
			}
		})
	}
}

// The amount reaches the provider as a Hong Kong agent would say it.
func TestSaySpeaksWrittenFormsAloud(t *testing.T) {
	az := ttstest.NewAzureTTSServer(ttstest.AzureTTSOptions{})
	defer az.Close()
	t.Setenv("YUECALL_TTS_KEY", az.Key())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"say", "-provider", "azure", "-url", az.URL(), "你嘅結餘係HK$3,500，電話91234567。"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var body string
	for _, r := range az.Requests() {
		body += r.Body
	}
	for _, want := range []string{"三千五百蚊", "九一二三"} {
		if !strings.Contains(body, want) {
			t.Errorf("SSML lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "3,500") {
		t.Errorf("the written amount reached the voice: %s", body)
	}
}

func TestSayCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"say"}, 2, "usage"},
		{[]string{"say", "-provider", "nope", "hi"}, 1, "not supported"},
		{[]string{"say", "-provider", "azure", "hi"}, 1, "tts azure"},
		{[]string{"say", "-provider", "openai", "-url", "http://127.0.0.1:1/v1", "你好"}, 1, "tts"},
	} {
		t.Setenv("YUECALL_TTS_KEY", "k")
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, stderr.String(), tc.want)
		}
	}
}
