package dashscope

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Errors of this provider. Malformed frames wrap asr.ErrProtocol.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("dashscope: invalid config")
	// ErrConnect means the stream could not start: the websocket could not
	// be opened (refused, timed out, or the handshake got an HTTP error such
	// as 401 for a bad key), or task-started did not come in time.
	ErrConnect = errors.New("dashscope: connect failed")
	// ErrConnection means an open stream lost its connection: a read or
	// write failed, or the server closed it before task-finished.
	ErrConnection = errors.New("dashscope: connection lost")
	// ErrTaskFailed is wrapped by every *TaskError (the server's task-failed event).
	ErrTaskFailed = errors.New("dashscope: task failed")
	// ErrVocabulary wraps CreateVocabulary failures.
	ErrVocabulary = errors.New("dashscope: vocabulary")
)

// Models this package knows the rules of. Other names are passed through.
const (
	ModelParaformerV2   = "paraformer-realtime-v2"    // any rate; language_hints
	ModelParaformer8kV2 = "paraformer-realtime-8k-v2" // 8000 Hz only; Chinese; no language_hints
	ModelFunASR         = "fun-asr-realtime"          // 16000 Hz only; zh (Cantonese included), en, ja
)

// Endpoints. Paraformer is served in Beijing only; fun-asr-realtime also in
// Singapore (dashscope-intl) for data residency outside the mainland.
const (
	DefaultURL     = "wss://dashscope.aliyuncs.com/api-ws/v1/inference"
	IntlURL        = "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference"
	customizePath  = "/api/v1/services/audio/asr/customization"
	inferencePath  = "/api-ws/v1/inference"
	maxSilenceMin  = 200 * time.Millisecond
	maxSilenceMax  = 6 * time.Second
	defaultTimeout = 5 * time.Second
)

// Config configures the DashScope realtime recogniser.
type Config struct {
	// URL is the inference websocket endpoint (default DefaultURL; IntlURL
	// for Singapore).
	URL string `yaml:"url"`
	// Key is the API key, sent as "Authorization: bearer <key>". It is never
	// logged nor put in errors.
	Key string `yaml:"key"`
	// Workspace, if set, goes in the X-DashScope-WorkSpace header.
	Workspace string `yaml:"workspace"`
	// Model is the recognition model (default paraformer-realtime-v2).
	Model string `yaml:"model"`
	// SampleRate of the PCM16 the caller writes (default 16000; 8000 for
	// the 8k model, which accepts nothing else; fun-asr-realtime takes
	// 16000 only).
	SampleRate int `yaml:"sample_rate"`
	// LanguageHints (default ["yue"]; none for fun-asr-realtime, which
	// detects Cantonese as a Chinese dialect, nor for the 8k model, which
	// takes no hints).
	LanguageHints []string `yaml:"language_hints"`
	// VocabularyID is a hotword vocabulary made by CreateVocabulary for the same model.
	VocabularyID string `yaml:"vocabulary_id"`
	// MaxSentenceSilence is the VAD silence that ends a sentence, 200 ms..6 s
	// (zero: the server's default).
	MaxSentenceSilence time.Duration `yaml:"max_sentence_silence"`
	// Heartbeat keeps a task alive through long silence (the caller must
	// keep writing silent audio); the server's heartbeat results are skipped.
	Heartbeat bool `yaml:"heartbeat"`
	// ConnectTimeout bounds the connect, the handshake and the wait for
	// task-started (default 5 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// CustomizationURL is the hotword HTTP API (default: derived from URL,
	// https://<host>/api/v1/services/audio/asr/customization).
	CustomizationURL string `yaml:"customization_url"`
	// SendBuffer is how many written frames may wait for the socket before
	// new ones are dropped (default 250: 5 s of 20 ms frames).
	SendBuffer int `yaml:"send_buffer"`
}

// DefaultSendBuffer is the default Config.SendBuffer.
const DefaultSendBuffer = 250

// DefaultConfig returns the defaults for paraformer-realtime-v2; Key must
// be set. SampleRate and LanguageHints are left zero because their
// defaults depend on the model: New fills them (16000 and ["yue"] for
// paraformer-realtime-v2), so a config that only changes the model stays valid.
func DefaultConfig() Config {
	return Config{
		URL:            DefaultURL,
		Model:          ModelParaformerV2,
		ConnectTimeout: defaultTimeout,
		SendBuffer:     DefaultSendBuffer,
	}
}

// withDefaults fills zero fields; rate and hints depend on the model.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.URL == "" {
		c.URL = d.URL
	}
	if c.Model == "" {
		c.Model = d.Model
	}
	if c.SampleRate == 0 {
		c.SampleRate = 16000
		if is8k(c.Model) {
			c.SampleRate = 8000
		}
	}
	if c.LanguageHints == nil && !is8k(c.Model) && !isFunASR(c.Model) {
		c.LanguageHints = []string{"yue"}
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = d.SendBuffer
	}
	return c
}

func is8k(model string) bool     { return strings.Contains(model, "8k") }
func isFunASR(model string) bool { return strings.HasPrefix(model, "fun-asr") }

// Languages the models accept in language_hints.
var (
	paraformerLangs = []string{"zh", "en", "ja", "yue", "ko", "de", "fr", "ru"}
	funASRLangs     = []string{"zh", "en", "ja"}
)

// Validate checks the configuration as given (New fills zero fields first).
// Messages never include the key.
func (c Config) Validate() error {
	if err := checkURL(c.URL, "url", "ws", "wss"); err != nil {
		return err
	}
	if c.CustomizationURL != "" {
		if err := checkURL(c.CustomizationURL, "customization_url", "http", "https"); err != nil {
			return err
		}
	}
	if strings.TrimSpace(c.Key) == "" {
		return fmt.Errorf("%w: key is empty", ErrConfig)
	}
	if strings.ContainsAny(c.Key, "\r\n") || strings.ContainsAny(c.Workspace, "\r\n") {
		return fmt.Errorf("%w: key or workspace contains a line break", ErrConfig)
	}
	if c.Model == "" {
		return fmt.Errorf("%w: model is empty", ErrConfig)
	}
	if err := c.checkRateAndHints(); err != nil {
		return err
	}
	if c.MaxSentenceSilence != 0 && (c.MaxSentenceSilence < maxSilenceMin || c.MaxSentenceSilence > maxSilenceMax) {
		return fmt.Errorf("%w: max_sentence_silence %v outside %v..%v", ErrConfig, c.MaxSentenceSilence, maxSilenceMin, maxSilenceMax)
	}
	if c.ConnectTimeout <= 0 {
		return fmt.Errorf("%w: connect_timeout %v must be positive", ErrConfig, c.ConnectTimeout)
	}
	if c.SendBuffer < 1 {
		return fmt.Errorf("%w: send_buffer %d must be at least 1", ErrConfig, c.SendBuffer)
	}
	return nil
}

func (c Config) checkRateAndHints() error {
	if is8k(c.Model) && c.SampleRate != 8000 {
		return fmt.Errorf("%w: model %s takes sample_rate 8000, not %d", ErrConfig, c.Model, c.SampleRate)
	}
	if isFunASR(c.Model) && c.SampleRate != 16000 {
		return fmt.Errorf("%w: model %s takes sample_rate 16000, not %d", ErrConfig, c.Model, c.SampleRate)
	}
	if c.SampleRate < 8000 || c.SampleRate > 48000 {
		return fmt.Errorf("%w: sample_rate %d outside 8000..48000", ErrConfig, c.SampleRate)
	}
	if is8k(c.Model) && len(c.LanguageHints) > 0 {
		return fmt.Errorf("%w: model %s takes no language_hints (Chinese only)", ErrConfig, c.Model)
	}
	langs := paraformerLangs
	if isFunASR(c.Model) {
		langs = funASRLangs
	}
	for _, l := range c.LanguageHints {
		if !slices.Contains(langs, l) {
			return fmt.Errorf("%w: language hint %q not accepted by %s (want one of %s)", ErrConfig, l, c.Model, strings.Join(langs, ", "))
		}
	}
	return nil
}

func checkURL(raw, field string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %s %q: %w", ErrConfig, field, raw, err)
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Errorf("%w: %s %q: scheme %q, want %s", ErrConfig, field, raw, u.Scheme, strings.Join(schemes, " or "))
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %s %q has no host", ErrConfig, field, raw)
	}
	return nil
}

// customizationURL is the hotword API address: CustomizationURL, or the
// inference URL's host over http(s).
func (c Config) customizationURL() string {
	if c.CustomizationURL != "" {
		return c.CustomizationURL
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	if u.Scheme == "ws" {
		u.Scheme = "http"
	} else {
		u.Scheme = "https"
	}
	u.Path, u.RawQuery = customizePath, ""
	return u.String()
}
