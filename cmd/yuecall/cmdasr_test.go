package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/asr/asrtest"
)

// espeakWAV writes Cantonese text spoken by espeak-ng (22050 Hz) with a
// second of silence after it, so the VAD closes the utterance.
func espeakWAV(t *testing.T, text string) string {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Fatal("espeak-ng not installed: make deps-test")
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw.wav")
	out := filepath.Join(dir, "speech.wav")
	runCmd(t, "espeak-ng", "-v", "yue", "-s", "150", "-w", raw, text)
	runCmd(t, "sox", raw, out, "pad", "0.3", "1.2")
	return out
}

// TestASRCommandEveryProvider streams one WAV through `yuecall asr -json`
// against each provider's wire-protocol test server and checks the final,
// normalised to HK Traditional.
func TestASRCommandEveryProvider(t *testing.T) {
	wav := espeakWAV(t, "我想查戶口結餘")
	const said = "我想查户口结余" // Simplified, as several engines write it
	const want = "我想查戶口結餘"
	sherpaSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP, Script: asrtest.Scripted(said)})
	defer sherpaSrv.Close()
	funSrv := asrtest.NewFunASRServer(asrtest.FunASROptions{Script: asrtest.FunASRScripted(said)})
	defer funSrv.Close()
	dsSrv := asrtest.NewDashScopeServer(asrtest.DashScopeOptions{Transcripts: []string{said}})
	defer dsSrv.Close()
	oaSrv := asrtest.NewOpenAITranscriptionServer(asrtest.OpenAIOptions{Key: "sk-test", Script: asrtest.OpenAIScripted(said)})
	defer oaSrv.Close()
	azSrv := asrtest.NewAzureSTTServer(asrtest.AzureOptions{Script: asrtest.AzureScripted(said)})
	defer azSrv.Close()

	cases := []struct {
		provider, url, key string
		env                map[string]string
	}{
		{"sherpa", sherpaSrv.URL(), "", nil},
		{"funasr", funSrv.URL(), "", nil},
		{"dashscope", dsSrv.URL(), dsSrv.Key(), nil},
		{"openai", oaSrv.URL(), "sk-test", nil},
		{"azure", azSrv.URL(), asrtest.DefaultAzureKey, nil},
	}
	for _, tc := range cases {
		t.Run(tc.provider, func(t *testing.T) {
			t.Setenv("YUECALL_ASR_KEY", tc.key) // keys by variable, not argv
			t.Setenv("YUECALL_DATA_DIR", t.TempDir())
			var stdout, stderr bytes.Buffer
			code := run([]string{"asr", "-provider", tc.provider, "-url", tc.url, "-fast", "-json", wav}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			finals := 0
			sc := bufio.NewScanner(&stdout)
			for sc.Scan() {
				var l asrLine
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("not JSON: %q: %v", sc.Text(), err)
				}
				if l.Type != "partial" && l.Type != "final" {
					t.Errorf("type %q", l.Type)
				}
				if l.Type == "final" {
					finals++
					if !strings.Contains(l.Normalized, want) {
						t.Errorf("final normalized %q, want %q (text %q)", l.Normalized, want, l.Text)
					}
					if l.EndMs < l.StartMs {
						t.Errorf("end %d before start %d", l.EndMs, l.StartMs)
					}
				}
			}
			if finals != 1 {
				t.Errorf("%d finals, want 1; output:\n%s", finals, stdout.String())
			}
			if tc.key != "" && strings.Contains(stderr.String()+stdout.String(), tc.key) {
				t.Error("the API key appears in the output")
			}
		})
	}
}

func TestASRCommandErrors(t *testing.T) {
	wav := espeakWAV(t, "你好")
	t.Setenv("YUECALL_DATA_DIR", t.TempDir())
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"asr"}, 2, "usage"},
		{[]string{"asr", wav}, 2, "no provider"},
		{[]string{"asr", "-provider", "nope", wav}, 1, "not supported"},
		{[]string{"asr", "-provider", "sherpa", "-url", "ws://127.0.0.1:1", wav}, 1, "asr"},
		{[]string{"asr", "-provider", "sherpa", "-url", "ws://127.0.0.1:1", "/nonexistent.wav"}, 1, "no such file"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(strings.ToLower(stderr.String()), tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, stderr.String(), tc.want)
		}
	}
}
