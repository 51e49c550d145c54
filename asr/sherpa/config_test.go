package sherpa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.URL = "ws://127.0.0.1:6006"
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error, "" for valid
	}{
		{"valid ws", func(*Config) {}, ""},
		{"valid wss with path", func(c *Config) { c.URL = "wss://asr.example.hk:443/yue" }, ""},
		{"8 kHz", func(c *Config) { c.SampleRate = 8000 }, ""},
		{"empty url", func(c *Config) { c.URL = "" }, "url is empty"},
		{"http scheme", func(c *Config) { c.URL = "http://127.0.0.1:6006" }, `scheme "http"`},
		{"no scheme", func(c *Config) { c.URL = "127.0.0.1:6006" }, "want ws://host:port"},
		{"no host", func(c *Config) { c.URL = "ws://:6006" }, "no host"},
		{"bad url", func(c *Config) { c.URL = "ws://[::1" }, "url"},
		{"zero rate", func(c *Config) { c.SampleRate = 0 }, "sample_rate 0"},
		{"rate too high", func(c *Config) { c.SampleRate = 96000 }, "sample_rate 96000"},
		{"negative rate", func(c *Config) { c.SampleRate = -16000 }, "sample_rate"},
		{"zero timeout", func(c *Config) { c.ConnectTimeout = 0 }, "connect_timeout"},
		{"zero buffer", func(c *Config) { c.SendBuffer = 0 }, "send_buffer"},
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
	r, err := New(Config{URL: "ws://127.0.0.1:6006"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Config()
	if got.SampleRate != 16000 || got.ConnectTimeout != 3*time.Second || got.SendBuffer != 250 {
		t.Errorf("effective config %+v", got)
	}
	if _, err := New(Config{URL: "tcp://x"}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New with bad URL = %v", err)
	}
	if _, err := New(Config{URL: "ws://x", SampleRate: 1}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New with bad rate = %v", err)
	}
}
