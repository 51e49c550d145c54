package openai

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Key = testKey
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error, "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"self-hosted large-v3 yue", func(c *Config) {
			c.BaseURL, c.Model, c.Language, c.Key = "http://10.0.0.5:8000/v1", "Systran/faster-whisper-large-v3", "yue", ""
		}, ""},
		{"gpt-4o zh", func(c *Config) { c.Model = "gpt-4o-transcribe" }, ""},
		{"auto language", func(c *Config) { c.Language = "" }, ""},
		{"whisper-1 yue", func(c *Config) { c.Language = "yue" }, "whisper-1 (large-v2) has no yue token"},
		{"three letters", func(c *Config) { c.Language = "zho" }, `language "zho"`},
		{"locale", func(c *Config) { c.Language = "zh-HK" }, `language "zh-HK"`},
		{"upper case", func(c *Config) { c.Language = "ZH" }, `language "ZH"`},
		{"empty url", func(c *Config) { c.BaseURL = "" }, "base_url is empty"},
		{"ws url", func(c *Config) { c.BaseURL = "ws://127.0.0.1/v1" }, `scheme "ws"`},
		{"no host", func(c *Config) { c.BaseURL = "http:///v1" }, "no host"},
		{"credentials in url", func(c *Config) { c.BaseURL = "https://u:secret@api.example/v1" }, "credentials"},
		{"no model", func(c *Config) { c.Model = " " }, "model is empty"},
		{"rate", func(c *Config) { c.SampleRate = 4000 }, "sample_rate 4000"},
		{"timeout", func(c *Config) { c.Timeout = 0 }, "timeout"},
		{"utterance zero", func(c *Config) { c.MaxUtterance = 0 }, "max_utterance"},
		{"utterance over 25 MB", func(c *Config) { c.MaxUtterance = 20 * time.Minute }, "upload limit"},
		{"threshold", func(c *Config) { c.NoSpeechThreshold = 1.5 }, "no_speech_threshold"},
		{"blank hotword", func(c *Config) { c.Hotwords = []string{"八達通", " "} }, "hotwords[1]"},
		{"long prompt", func(c *Config) { c.Prompt = strings.Repeat("長", MaxPromptRunes+1) }, "prompt with hotwords"},
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
				t.Errorf("Validate = %v, want ErrConfig containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q contains the key", err)
			}
		})
	}
}

// TestNewYueWhisper1: New refuses yue with whisper-1, naming both and the fix.
func TestNewYueWhisper1(t *testing.T) {
	_, err := New(Config{Language: "yue", Key: testKey}, nil)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("New = %v, want ErrConfig", err)
	}
	for _, want := range []string{"yue", "whisper-1", "language zh", "large-v3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	c := Config{Key: testKey}.withDefaults()
	if c.BaseURL != DefaultBaseURL || c.Model != "whisper-1" || c.SampleRate != 16000 ||
		c.Timeout != DefaultTimeout || c.MaxUtterance != DefaultMaxUtterance || c.NoSpeechThreshold != 0.6 {
		t.Errorf("withDefaults = %+v", c)
	}
	if c.Language != "" {
		t.Errorf("Language = %q, want empty kept (auto-detect)", c.Language)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if got := c.maxUtteranceLimit(); got < 13*time.Minute || got > 14*time.Minute {
		t.Errorf("limit at 16 kHz = %v, want about 13.6 min", got)
	}
}

func TestEffectivePrompt(t *testing.T) {
	tests := []struct {
		lang, prompt string
		hot          []string
		want         string
	}{
		{"zh", "", nil, DefaultPrompt},
		{"zh", "", []string{"八達通", " 戶口結餘 "}, DefaultPrompt + "八達通、戶口結餘"},
		{"zh", "銀行熱線", []string{"八達通"}, "銀行熱線。八達通"},
		{"zh", "銀行熱線：", []string{"八達通"}, "銀行熱線：八達通"},
		{"yue", "", nil, ""},
		{"yue", "", []string{"八達通", "強積金"}, "八達通、強積金"},
		{"", "", nil, ""},
		{"en", "Bank hotline", nil, "Bank hotline"},
	}
	for _, tt := range tests {
		c := Config{Language: tt.lang, Prompt: tt.prompt, Hotwords: tt.hot}
		if got := c.EffectivePrompt(); got != tt.want {
			t.Errorf("%+v: EffectivePrompt = %q, want %q", tt, got, tt.want)
		}
	}
}
