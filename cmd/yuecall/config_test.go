package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsValid(t *testing.T) {
	c, err := LoadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.NATS.Listen != "127.0.0.1:4222" || c.SIP.Addr != "127.0.0.1:5060" || c.HTTP.Addr != "127.0.0.1:8080" ||
		c.TTS.Provider != "espeak" || c.TTS.Espeak.Voice != "yue" || c.ASR.Provider != "" || !c.NATS.JetStream {
		t.Errorf("defaults: %+v", c)
	}
}

func TestEnvOverridesYAML(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "y.yaml")
	os.WriteFile(path, []byte("sip:\n  addr: 127.0.0.1:5070\nhttp:\n  addr: 127.0.0.1:9000\nshutdown_timeout: 10s\n"), 0o600)
	c, err := LoadConfig(path, envOf(map[string]string{"YUECALL_HTTP_ADDR": "127.0.0.1:9100",
		"YUECALL_ASR_PROVIDER": "sherpa", "YUECALL_ASR_URL": "ws://127.0.0.1:6006", "YUECALL_SIP_TRANSPORTS": "udp"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SIP.Addr != "127.0.0.1:5070" || c.HTTP.Addr != "127.0.0.1:9100" || c.ShutdownTimeout != 10*time.Second ||
		c.ASR.URL != "ws://127.0.0.1:6006" || len(c.SIP.Transports) != 1 {
		t.Errorf("got %+v", c)
	}
}

func TestBadConfigClearErrors(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "u.yaml")
	os.WriteFile(unknown, []byte("sip:\n  adress: 127.0.0.1:5060\n"), 0o600)
	cases := []struct {
		path string
		env  map[string]string
		want string
	}{
		{unknown, nil, "adress"},
		{filepath.Join(dir, "missing.yaml"), nil, "no such file"},
		{"", map[string]string{"YUECALL_ASR_PROVIDER": "sherpa"}, "YUECALL_ASR_URL"},
		{"", map[string]string{"YUECALL_ASR_PROVIDER": "whisper"}, "not supported"},
		{"", map[string]string{"YUECALL_RTP_PORT_MIN": "abc"}, "YUECALL_RTP_PORT_MIN"},
		{"", map[string]string{"YUECALL_SIP_ADDR": "localhost"}, "sip: addr"},
		{"", map[string]string{"YUECALL_TTS_SPEED": "5"}, "speed"},
		{"", map[string]string{"YUECALL_LOG_LEVEL": "loud"}, "log_level"},
		{"", map[string]string{"YUECALL_SHUTDOWN_TIMEOUT": "soon"}, "YUECALL_SHUTDOWN_TIMEOUT"},
	}
	for _, c := range cases {
		_, err := LoadConfig(c.path, envOf(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: err %v, want it to mention %q", c.path, c.env, err, c.want)
		}
	}
}

// TestREADMEDocumentsEveryVariable keeps the README's table in step with envVars.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range envVars {
		if !strings.Contains(string(b), "`"+v.Name+"`") || !strings.Contains(string(b), "`"+v.Key+"`") {
			t.Errorf("README lacks %s / %s", v.Name, v.Key)
		}
	}
}

func TestRunUsage(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"bogus"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("bogus: %d %q", code, errb.String())
	}
	if code := run([]string{"config", "env"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "YUECALL_SIP_ADDR") {
		t.Errorf("config env: %d", code)
	}
}
