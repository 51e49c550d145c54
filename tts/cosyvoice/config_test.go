package cosyvoice

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	c := Config{Key: "k"}.withDefaults()
	if c.URL != DefaultURL || c.Model != "cosyvoice-v2" || c.Voices.Cantonese != "longjiayi_v2" || c.Format != "pcm" ||
		c.SampleRate != 16000 || c.Volume != 50 || c.Rate != 1 || c.Pitch != 1 || c.MaxIdle != 2 {
		t.Errorf("defaults %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	const key = "sk-secret-abcdef"
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no key", func(c *Config) { c.Key = "" }, "key is empty"},
		{"key with newline", func(c *Config) { c.Key = key + "\n" }, "line break"},
		{"http url", func(c *Config) { c.URL = "https://dashscope.aliyuncs.com" }, "scheme"},
		{"no host", func(c *Config) { c.URL = "wss://" }, "no host"},
		{"no model", func(c *Config) { c.Model = "" }, "model is empty"},
		{"v3 voice on v2", func(c *Config) { c.Voices.English = "longjiaxin_v3" }, "cosyvoice-v3"},
		{"v2 voice on v3", func(c *Config) { c.Model = "cosyvoice-v3-flash" }, "cosyvoice-v2"},
		{"mp3", func(c *Config) { c.Format = "mp3" }, "pcm"},
		{"rate", func(c *Config) { c.SampleRate = 11025 }, "sample_rate"},
		{"volume", func(c *Config) { c.Volume = 101 }, "volume"},
		{"speed", func(c *Config) { c.Rate = 3 }, "rate"},
		{"pitch", func(c *Config) { c.Pitch = 0.1 }, "pitch"},
		{"timeout", func(c *Config) { c.ConnectTimeout = -1 }, "connect_timeout"},
		{"max idle", func(c *Config) { c.MaxIdle = -2 }, "max_idle"},
		{"idle timeout", func(c *Config) { c.IdleTimeout = -1 }, "idle_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Key = key
			tt.mod(&c)
			err := c.Validate()
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrConfig mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error contains the key")
			}
		})
	}
}
