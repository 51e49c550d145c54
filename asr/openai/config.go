package openai

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors of this provider. A malformed reply wraps asr.ErrProtocol; an HTTP
// error status is a *StatusError, which wraps ErrStatus.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("openai: invalid config")
	// ErrRequest means the request did not get an answer: refused, cut,
	// or no reply within Config.Timeout.
	ErrRequest = errors.New("openai: transcription request failed")
	// ErrStatus means the server answered with an HTTP error status.
	ErrStatus = errors.New("openai: transcription refused")
)

// Config configures the OpenAI-compatible transcription client.
type Config struct {
	// BaseURL is the API root the route /audio/transcriptions hangs off
	// (default https://api.openai.com/v1; a self-hosted server's /v1).
	BaseURL string `yaml:"base_url"`
	// Key is the bearer token; self-hosted servers may need none.
	Key string `yaml:"key"`
	// Model is whisper-1 (default), gpt-4o-transcribe, gpt-4o-mini-transcribe,
	// or the name a self-hosted server gives its large-v3 weights.
	Model string `yaml:"model"`
	// Language is an ISO-639-1 code, "yue" (large-v3 and later only), or
	// empty to let the model detect it. Default "zh": whisper-1 has no yue.
	Language string `yaml:"language"`
	// Prompt steers vocabulary and script. Empty with Language "zh" means
	// DefaultPrompt, so that whisper-1 writes Traditional Cantonese.
	Prompt string `yaml:"prompt"`
	// Hotwords are appended to the prompt, joined with "、".
	Hotwords []string `yaml:"hotwords"`
	// SampleRate is the rate of the audio written to streams (default 16000).
	SampleRate int `yaml:"sample_rate"`
	// Timeout bounds one request, upload to reply (default 30 s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxUtterance is the most audio one stream buffers; later frames are
	// dropped and counted (default 60 s; at most what fits in MaxFileBytes).
	MaxUtterance time.Duration `yaml:"max_utterance"`
	// NoSpeechThreshold drops verbose_json segments whose no_speech_prob is
	// above it: Whisper's hallucinations on silence (default 0.6).
	NoSpeechThreshold float64 `yaml:"no_speech_threshold"`
}

// Defaults and limits.
const (
	DefaultBaseURL           = "https://api.openai.com/v1"
	DefaultModel             = "whisper-1"
	DefaultLanguage          = "zh"
	DefaultSampleRate        = 16000
	DefaultTimeout           = 30 * time.Second
	DefaultMaxUtterance      = 60 * time.Second
	DefaultNoSpeechThreshold = 0.6
	// DefaultPrompt steers whisper-1 (language zh) to Hong Kong Traditional
	// characters and colloquial Cantonese.
	DefaultPrompt = "以下係香港廣東話客服對話："
	// MaxFileBytes is the API's upload limit (25 MB, enforced as 25 MiB).
	MaxFileBytes = 25 << 20
	// MaxPromptRunes bounds the prompt: Whisper keeps only its last 224
	// tokens, which would silently cut the steering sentence.
	MaxPromptRunes = 200
	// formOverhead is room left in MaxFileBytes for the other form fields.
	formOverhead = 64 << 10
)

// DefaultConfig returns the defaults for the OpenAI API with whisper-1; Key
// is left empty.
func DefaultConfig() Config {
	return Config{
		BaseURL:           DefaultBaseURL,
		Model:             DefaultModel,
		Language:          DefaultLanguage,
		SampleRate:        DefaultSampleRate,
		Timeout:           DefaultTimeout,
		MaxUtterance:      DefaultMaxUtterance,
		NoSpeechThreshold: DefaultNoSpeechThreshold,
	}
}

// withDefaults fills zero fields from DefaultConfig. Language is kept as
// given: empty asks the model to detect it.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.BaseURL == "" {
		c.BaseURL = d.BaseURL
	}
	if c.Model == "" {
		c.Model = d.Model
	}
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	if c.MaxUtterance == 0 {
		c.MaxUtterance = d.MaxUtterance
	}
	if c.NoSpeechThreshold == 0 {
		c.NoSpeechThreshold = d.NoSpeechThreshold
	}
	return c
}

// Validate checks the configuration as given (New fills zero fields from
// DefaultConfig first). Messages never include the key.
func (c Config) Validate() error {
	if err := c.validateURL(); err != nil {
		return err
	}
	if strings.TrimSpace(c.Model) == "" {
		return fmt.Errorf("%w: model is empty (want whisper-1, gpt-4o-transcribe, or the server's model)", ErrConfig)
	}
	if err := c.validateLanguage(); err != nil {
		return err
	}
	if c.SampleRate < 8000 || c.SampleRate > 48000 {
		return fmt.Errorf("%w: sample_rate %d outside 8000..48000", ErrConfig, c.SampleRate)
	}
	if c.Timeout <= 0 {
		return fmt.Errorf("%w: timeout %v must be positive", ErrConfig, c.Timeout)
	}
	if max := c.maxUtteranceLimit(); c.MaxUtterance <= 0 || c.MaxUtterance > max {
		return fmt.Errorf("%w: max_utterance %v outside (0, %v] (the %d-byte upload limit at %d Hz)",
			ErrConfig, c.MaxUtterance, max, MaxFileBytes, c.SampleRate)
	}
	if c.NoSpeechThreshold <= 0 || c.NoSpeechThreshold > 1 {
		return fmt.Errorf("%w: no_speech_threshold %g outside (0, 1]", ErrConfig, c.NoSpeechThreshold)
	}
	for i, w := range c.Hotwords {
		if strings.TrimSpace(w) == "" {
			return fmt.Errorf("%w: hotwords[%d] is empty", ErrConfig, i)
		}
	}
	if n := utf8.RuneCountInString(c.EffectivePrompt()); n > MaxPromptRunes {
		return fmt.Errorf("%w: prompt with hotwords is %d characters, more than %d (Whisper keeps only the last 224 tokens)",
			ErrConfig, n, MaxPromptRunes)
	}
	return nil
}

func (c Config) validateURL() error {
	if c.BaseURL == "" {
		return fmt.Errorf("%w: base_url is empty (want %s or a server's /v1)", ErrConfig, DefaultBaseURL)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return fmt.Errorf("%w: base_url %q: %w", ErrConfig, c.BaseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: base_url %q: scheme %q, want http or https", ErrConfig, c.BaseURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: base_url %q has no host", ErrConfig, c.BaseURL)
	}
	if u.User != nil {
		return fmt.Errorf("%w: base_url must not carry credentials (use key)", ErrConfig)
	}
	return nil
}

// validateLanguage accepts "", an ISO-639-1 code, or yue for models that
// have the token.
func (c Config) validateLanguage() error {
	switch {
	case c.Language == "":
		return nil
	case c.Language == "yue":
		if c.Model == DefaultModel {
			return fmt.Errorf("%w: language yue needs Whisper large-v3 or later; whisper-1 (large-v2) has no yue token: "+
				"use language zh (with the default Traditional Cantonese prompt) or a large-v3 server", ErrConfig)
		}
		return nil
	case len(c.Language) == 2 && isLower(c.Language):
		return nil
	}
	return fmt.Errorf("%w: language %q: want an ISO-639-1 code such as zh, or yue on a large-v3 server", ErrConfig, c.Language)
}

func isLower(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// maxUtteranceLimit is the longest utterance whose WAV fits the upload limit.
func (c Config) maxUtteranceLimit() time.Duration {
	if c.SampleRate <= 0 {
		return 0
	}
	samples := (MaxFileBytes - formOverhead - wavHeaderBytes) / 2
	return time.Duration(samples) * time.Second / time.Duration(c.SampleRate)
}

// maxSamples is how many samples a stream buffers at most.
func (c Config) maxSamples() int {
	return int(c.MaxUtterance * time.Duration(c.SampleRate) / time.Second)
}

// EffectivePrompt is the prompt sent: Prompt (DefaultPrompt when it is empty
// and Language is zh) with the hotwords appended.
func (c Config) EffectivePrompt() string {
	p := strings.TrimSpace(c.Prompt)
	if p == "" && c.Language == "zh" {
		p = DefaultPrompt
	}
	words := make([]string, 0, len(c.Hotwords))
	for _, w := range c.Hotwords {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return p
	}
	list := strings.Join(words, "、")
	if p == "" {
		return list
	}
	if last, _ := utf8.DecodeLastRuneInString(p); !unicode.IsPunct(last) && !unicode.IsSpace(last) {
		p += "。"
	}
	return p + list
}
