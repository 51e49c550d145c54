package dashscope

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultsPerModel(t *testing.T) {
	tests := []struct {
		model string
		rate  int
		hints []string
	}{
		{"", 16000, []string{"yue"}},
		{"paraformer-realtime-v1", 16000, []string{"yue"}},
		{ModelParaformerV2, 16000, []string{"yue"}},
		{ModelParaformer8kV2, 8000, nil},
		{ModelFunASR, 16000, nil},
	}
	for _, tt := range tests {
		d := DefaultConfig()
		d.Key = "k"
		if tt.model != "" {
			d.Model = tt.model // as a YAML overlay on DefaultConfig would
		}
		c := d.withDefaults()
		if c.SampleRate != tt.rate || !slices.Equal(c.LanguageHints, tt.hints) || c.URL != DefaultURL {
			t.Errorf("model %q: rate %d hints %v url %s", tt.model, c.SampleRate, c.LanguageHints, c.URL)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("model %q: defaults do not validate: %v", tt.model, err)
		}
	}
}

func TestValidate(t *testing.T) {
	const key = "sk-secret-abcdef"
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no key", func(c *Config) { c.Key = " " }, "key is empty"},
		{"key with newline", func(c *Config) { c.Key = key + "\r\nX: y" }, "line break"},
		{"http url", func(c *Config) { c.URL = "https://dashscope.aliyuncs.com" }, "scheme"},
		{"no host", func(c *Config) { c.URL = "wss:///api-ws/v1/inference" }, "no host"},
		{"bad customization url", func(c *Config) { c.CustomizationURL = "ws://x" }, "customization_url"},
		{"8k at 16k", func(c *Config) { c.Model = ModelParaformer8kV2 }, "8000"},
		{"8k with hints", func(c *Config) { c.Model, c.SampleRate = ModelParaformer8kV2, 8000 }, "no language_hints"},
		{"fun-asr at 8k", func(c *Config) { c.Model, c.SampleRate, c.LanguageHints = ModelFunASR, 8000, nil }, "16000"},
		{"fun-asr yue hint", func(c *Config) { c.Model = ModelFunASR }, `"yue" not accepted`},
		{"unknown hint", func(c *Config) { c.LanguageHints = []string{"zh-HK"} }, "not accepted"},
		{"rate", func(c *Config) { c.SampleRate = 4000 }, "sample_rate"},
		{"silence", func(c *Config) { c.MaxSentenceSilence = 100 * time.Millisecond }, "max_sentence_silence"},
		{"timeout", func(c *Config) { c.ConnectTimeout = -1 }, "connect_timeout"},
		{"buffer", func(c *Config) { c.SendBuffer = -1 }, "send_buffer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Key: key}.withDefaults()
			tt.mod(&c)
			err := c.Validate()
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrConfig mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q contains the key", err)
			}
		})
	}
}

func TestCustomizationURL(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{URL: DefaultURL}, "https://dashscope.aliyuncs.com/api/v1/services/audio/asr/customization"},
		{Config{URL: IntlURL}, "https://dashscope-intl.aliyuncs.com/api/v1/services/audio/asr/customization"},
		{Config{URL: "ws://127.0.0.1:9/api-ws/v1/inference?x=1"}, "http://127.0.0.1:9/api/v1/services/audio/asr/customization"},
		{Config{URL: DefaultURL, CustomizationURL: "https://proxy.example/c"}, "https://proxy.example/c"},
	}
	for _, tt := range tests {
		if got := tt.cfg.customizationURL(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.cfg.URL, got, tt.want)
		}
	}
}
