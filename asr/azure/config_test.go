package azure

import (
	"errors"
	"strings"
	"testing"
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
		{"endpoint", func(c *Config) { c.Region, c.Endpoint = "", "https://my-speech.cognitiveservices.azure.com" }, ""},
		{"token", func(c *Config) {
			c.UseToken, c.TokenURL = true, "https://eastasia.api.cognitive.microsoft.com/sts/v1.0/issueToken"
		}, ""},
		{"simple raw", func(c *Config) { c.Format, c.Profanity = "simple", "raw" }, ""},
		{"no key", func(c *Config) { c.Key = "" }, "key is empty"},
		{"bad region", func(c *Config) { c.Region = "East Asia" }, `region "East Asia"`},
		{"no region", func(c *Config) { c.Region = "" }, `region ""`},
		{"endpoint scheme", func(c *Config) { c.Endpoint = "wss://eastasia.stt.speech.microsoft.com" }, `scheme "wss"`},
		{"endpoint query", func(c *Config) { c.Endpoint = "https://h.example/x?language=en-US" }, "query"},
		{"endpoint no host", func(c *Config) { c.Endpoint = "https:///x" }, "no host"},
		{"token url", func(c *Config) { c.TokenURL = "ftp://h/t" }, "token_url"},
		{"language", func(c *Config) { c.Language = "cantonese" }, `language "cantonese"`},
		{"format", func(c *Config) { c.Format = "verbose" }, `format "verbose"`},
		{"profanity", func(c *Config) { c.Profanity = "censored" }, `profanity "censored"`},
		{"8 kHz", func(c *Config) { c.SampleRate = 8000 }, "16000 Hz PCM only"},
		{"timeout", func(c *Config) { c.Timeout = -1 }, "timeout"},
		{"connect timeout", func(c *Config) { c.ConnectTimeout = 0 }, "connect_timeout"},
		{"buffer", func(c *Config) { c.SendBuffer = 0 }, "send_buffer"},
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

func TestURLs(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*Config)
		recog, tok string
	}{
		{"region", func(*Config) {},
			"https://eastasia.stt.speech.microsoft.com/speech/recognition/conversation/cognitiveservices/v1?format=detailed&language=zh-HK",
			"https://eastasia.api.cognitive.microsoft.com/sts/v1.0/issueToken"},
		{"endpoint host", func(c *Config) {
			c.Endpoint, c.Profanity, c.Format = "https://my.cognitiveservices.azure.com/", "raw", "simple"
		},
			"https://my.cognitiveservices.azure.com/speech/recognition/conversation/cognitiveservices/v1?format=simple&language=zh-HK&profanity=raw",
			"https://my.cognitiveservices.azure.com/sts/v1.0/issueToken"},
		{"endpoint path", func(c *Config) { c.Endpoint, c.TokenURL = "http://127.0.0.1:9/custom/v1", "http://127.0.0.1:8/tok" },
			"http://127.0.0.1:9/custom/v1?format=detailed&language=zh-HK", "http://127.0.0.1:8/tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Key = testKey
			tt.mod(&c)
			c = c.withDefaults()
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.recognitionURL(); got != tt.recog {
				t.Errorf("recognitionURL = %q, want %q", got, tt.recog)
			}
			if got := c.tokenURL(); got != tt.tok {
				t.Errorf("tokenURL = %q, want %q", got, tt.tok)
			}
		})
	}
}
