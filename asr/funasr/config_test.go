package funasr

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := DefaultConfig()
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error, "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"ws", func(c *Config) { c.URL = "ws://10.0.0.5:10095/" }, ""},
		{"online 8k hotwords", func(c *Config) {
			c.Mode, c.SampleRate, c.Hotwords, c.SVSLang = ModeOnline, 8000, []string{"戶口結餘", "HKID"}, "yue"
		}, ""},
		{"offline, skip verify", func(c *Config) { c.Mode, c.InsecureSkipVerify = ModeOffline, true }, ""},
		{"chunk [0,1,0]/1", func(c *Config) { c.ChunkSize, c.ChunkInterval = [3]int{0, 1, 0}, 1 }, ""},
		{"empty url", func(c *Config) { c.URL = "" }, "url is empty"},
		{"http scheme", func(c *Config) { c.URL = "https://127.0.0.1:10095" }, `scheme "https"`},
		{"no host", func(c *Config) { c.URL = "wss://:10095" }, "no host"},
		{"bad url", func(c *Config) { c.URL = "wss://[::1" }, "url"},
		{"mode", func(c *Config) { c.Mode = "2-pass" }, `mode "2-pass"`},
		{"rate 48k", func(c *Config) { c.SampleRate = 48000 }, "sample_rate 48000, want 8000 or 16000"},
		{"zero middle chunk", func(c *Config) { c.ChunkSize = [3]int{5, 0, 5} }, "middle entry must not be 0"},
		{"negative chunk", func(c *Config) { c.ChunkSize = [3]int{-1, 10, 5} }, "negative"},
		{"zero interval", func(c *Config) { c.ChunkInterval = 0 }, "chunk_interval 0"},
		{"tiny frames", func(c *Config) { c.ChunkInterval = 100 }, "6ms audio frames"},
		{"huge frames", func(c *Config) { c.ChunkSize, c.ChunkInterval = [3]int{0, 40, 0}, 1 }, "2.4s audio frames"},
		{"weight", func(c *Config) { c.HotwordWeight = 0 }, "hotword_weight 0"},
		{"weight high", func(c *Config) { c.HotwordWeight = 101 }, "hotword_weight 101"},
		{"empty hotword", func(c *Config) { c.Hotwords = []string{"a", ""} }, "hotwords[1] is empty"},
		{"hotword with space", func(c *Config) { c.Hotwords = []string{"信用 卡"} }, "space"},
		{"repeated hotword", func(c *Config) { c.Hotwords = []string{"卡", "咭", "卡"} }, "hotwords[2]"},
		{"svs lang", func(c *Config) { c.SVSLang = "cantonese" }, `svs_lang "cantonese"`},
		{"timeout", func(c *Config) { c.ConnectTimeout = 0 }, "connect_timeout"},
		{"wav name", func(c *Config) { c.WavName = "" }, "wav_name"},
		{"wav name control", func(c *Config) { c.WavName = "a\nb" }, "wav_name"},
		{"send buffer", func(c *Config) { c.SendBuffer = 0 }, "send_buffer"},
		{"tls options on ws", func(c *Config) { c.URL, c.InsecureSkipVerify = "ws://h:1/", true }, "need a wss:// url"},
		{"ca and skip", func(c *Config) { c.CAFile, c.InsecureSkipVerify = notPEM, true }, "not both"},
		{"missing ca", func(c *Config) { c.CAFile = filepath.Join(dir, "nope.pem") }, "ca_file"},
		{"ca not pem", func(c *Config) { c.CAFile = notPEM }, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want ErrConfig mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewFillsDefaults(t *testing.T) {
	r, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Config()
	want := DefaultConfig()
	want.ITN, want.SVSITN = false, false // booleans cannot be defaulted
	if got.URL != want.URL || got.Mode != want.Mode || got.SampleRate != 16000 || got.ChunkSize != [3]int{5, 10, 5} ||
		got.ChunkInterval != 10 || got.HotwordWeight != 20 || got.ConnectTimeout != 3*time.Second ||
		got.WavName != "yuecall" || got.SendBuffer != 250 {
		t.Errorf("effective config %+v", got)
	}
	if got.frameBytes() != 1920 || got.frameDuration() != 60*time.Millisecond {
		t.Errorf("frame %d bytes, %v", got.frameBytes(), got.frameDuration())
	}
	if _, err := New(Config{Mode: "streaming"}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New with a bad mode = %v", err)
	}
}

// TestYAML: the config reads from YAML; chunk_size must have 3 entries.
func TestYAML(t *testing.T) {
	src := "url: wss://asr.internal:10095/\nmode: 2pass\nsample_rate: 8000\nchunk_size: [8, 8, 4]\n" +
		"hotwords: [戶口結餘, 信用卡]\nsvs_lang: yue\nca_file: /etc/funasr/ca.pem\nconnect_timeout: 2s\n"
	c := DefaultConfig()
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if c.ChunkSize != [3]int{8, 8, 4} || c.SampleRate != 8000 || len(c.Hotwords) != 2 || c.CAFile == "" ||
		c.ConnectTimeout != 2*time.Second || !c.ITN {
		t.Errorf("decoded %+v", c)
	}
	if err := yaml.Unmarshal([]byte("chunk_size: [5, 10]\n"), &c); err == nil || !strings.Contains(err.Error(), "3 elements") {
		t.Errorf("two entries: %v", err)
	}
}

// TestConfigJSON: the first message, with hotwords as a JSON object
// serialised into a string.
func TestConfigJSON(t *testing.T) {
	c := DefaultConfig()
	c.SampleRate = 8000
	c.Hotwords = []string{"戶口結餘", "<VIP>"}
	c.SVSLang = "yue"
	got := string(c.configJSON("call-1"))
	want := `{"mode":"2pass","wav_name":"call-1","wav_format":"pcm","audio_fs":8000,"is_speaking":true,` +
		`"chunk_size":[5,10,5],"chunk_interval":10,"encoder_chunk_look_back":4,"decoder_chunk_look_back":0,` +
		`"hotwords":"{\"<VIP>\":20,\"戶口結餘\":20}","itn":true,"svs_lang":"yue","svs_itn":true}`
	if got != want {
		t.Errorf("config\n got %s\nwant %s", got, want)
	}
	var m struct{ Hotwords string }
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	var hw map[string]int
	if err := json.Unmarshal([]byte(m.Hotwords), &hw); err != nil || hw["<VIP>"] != 20 || hw["戶口結餘"] != 20 {
		t.Errorf("hotwords %q -> %v, %v", m.Hotwords, hw, err)
	}
	c.Hotwords, c.SVSLang = nil, ""
	if got := string(c.configJSON("x")); strings.Contains(got, "hotwords") || strings.Contains(got, "svs_lang") {
		t.Errorf("empty fields sent: %s", got)
	}
}
