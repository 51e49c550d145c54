package cosyvoice

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yuecall/yuecall/tts"
)

// Errors of this provider.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("cosyvoice: invalid config")
	// ErrConnect means synthesis could not start: the websocket could not
	// be opened (refused, timed out, or the handshake got an HTTP error
	// such as 401 for a bad key), or task-started did not come in time.
	ErrConnect = errors.New("cosyvoice: connect failed")
	// ErrConnection means the connection failed or closed mid-synthesis.
	ErrConnection = errors.New("cosyvoice: connection lost")
	// ErrProtocol means the server sent frames this client cannot read.
	ErrProtocol = errors.New("cosyvoice: protocol error")
	// ErrTaskFailed is wrapped by every *TaskError (the task-failed event).
	ErrTaskFailed = errors.New("cosyvoice: task failed")
	// ErrTextTooLong means the text is over the 200,000 weighted
	// characters a task accepts.
	ErrTextTooLong = errors.New("cosyvoice: text too long")
	// ErrSampleRate means a rate the service cannot produce was asked for.
	ErrSampleRate = errors.New("cosyvoice: unsupported sample rate")
	// ErrClosed is returned by Read after Close.
	ErrClosed = errors.New("cosyvoice: stream closed")
)

// Defaults and limits.
const (
	DefaultURL   = "wss://dashscope.aliyuncs.com/api-ws/v1/inference"
	IntlURL      = "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference"
	DefaultModel = "cosyvoice-v2"
	// DefaultVoice is a Cantonese female voice of cosyvoice-v2 (知性粤语女).
	DefaultVoice       = "longjiayi_v2"
	DefaultSampleRate  = 16000
	DefaultMaxIdle     = 2
	DefaultIdleTimeout = 30 * time.Second // the service drops a connection idle for 60 s
	defaultTimeout     = 5 * time.Second
)

// SampleRates the service produces.
var SampleRates = []int{8000, 16000, 22050, 24000, 44100, 48000}

// Config configures the CosyVoice synthesiser.
type Config struct {
	// URL is the inference websocket endpoint (default DefaultURL; IntlURL
	// for Singapore).
	URL string `yaml:"url"`
	// Key is the API key, sent as "Authorization: bearer <key>". It is never
	// logged nor put in errors.
	Key string `yaml:"key"`
	// Workspace, if set, goes in the X-DashScope-WorkSpace header.
	Workspace string `yaml:"workspace"`
	// Model (default cosyvoice-v2). Voices named *_v3 need a cosyvoice-v3* model.
	Model string `yaml:"model"`
	// Voices per language (default Cantonese longjiayi_v2; empty entries
	// fall back to the Cantonese voice).
	Voices tts.Voices `yaml:"voices"`
	// Format of the audio; only "pcm" (PCM16), which tts.Stream carries.
	Format string `yaml:"format"`
	// SampleRate of Synthesize's audio (default 16000); SynthesizeRate asks
	// for another.
	SampleRate int `yaml:"sample_rate"`
	// Volume 1..100 (default 50).
	Volume int `yaml:"volume"`
	// Rate is the speaking speed, 0.5..2 (default 1).
	Rate float64 `yaml:"rate"`
	// Pitch multiplier, 0.5..2 (default 1).
	Pitch float64 `yaml:"pitch"`
	// ConnectTimeout bounds the connect, the handshake and the wait for
	// task-started (default 5 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// MaxIdle is how many finished connections are kept for reuse
	// (default 2; -1 keeps none).
	MaxIdle int `yaml:"max_idle"`
	// IdleTimeout is how long a kept connection may wait for reuse (default 30 s).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// DefaultConfig returns the Cantonese defaults; Key must be set.
func DefaultConfig() Config {
	return Config{
		URL:            DefaultURL,
		Model:          DefaultModel,
		Voices:         tts.Voices{Cantonese: DefaultVoice},
		Format:         "pcm",
		SampleRate:     DefaultSampleRate,
		Volume:         50,
		Rate:           1,
		Pitch:          1,
		ConnectTimeout: defaultTimeout,
		MaxIdle:        DefaultMaxIdle,
		IdleTimeout:    DefaultIdleTimeout,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(cond bool, f func()) {
		if cond {
			f()
		}
	}
	set(c.URL == "", func() { c.URL = d.URL })
	set(c.Model == "", func() { c.Model = d.Model })
	set(c.Voices.Cantonese == "", func() { c.Voices.Cantonese = d.Voices.Cantonese })
	set(c.Format == "", func() { c.Format = d.Format })
	set(c.SampleRate == 0, func() { c.SampleRate = d.SampleRate })
	set(c.Volume == 0, func() { c.Volume = d.Volume })
	set(c.Rate == 0, func() { c.Rate = d.Rate })
	set(c.Pitch == 0, func() { c.Pitch = d.Pitch })
	set(c.ConnectTimeout == 0, func() { c.ConnectTimeout = d.ConnectTimeout })
	set(c.MaxIdle == 0, func() { c.MaxIdle = d.MaxIdle })
	set(c.IdleTimeout == 0, func() { c.IdleTimeout = d.IdleTimeout })
	return c
}

// Validate checks the configuration as given (New fills zero fields
// first). Messages never include the key.
func (c Config) Validate() error {
	if err := c.checkEndpoint(); err != nil {
		return err
	}
	if c.Model == "" {
		return fmt.Errorf("%w: model is empty", ErrConfig)
	}
	for _, v := range []string{c.Voices.Cantonese, c.Voices.English, c.Voices.Mandarin} {
		if err := checkVoice(c.Model, v); err != nil {
			return err
		}
	}
	switch {
	case c.Format != "pcm":
		return fmt.Errorf("%w: format %q: only pcm is streamed as PCM16", ErrConfig, c.Format)
	case !slices.Contains(SampleRates, c.SampleRate):
		return fmt.Errorf("%w: sample_rate %d, want one of %v", ErrConfig, c.SampleRate, SampleRates)
	case c.Volume < 1 || c.Volume > 100:
		return fmt.Errorf("%w: volume %d outside 1..100", ErrConfig, c.Volume)
	case c.Rate < 0.5 || c.Rate > 2:
		return fmt.Errorf("%w: rate %g outside 0.5..2", ErrConfig, c.Rate)
	case c.Pitch < 0.5 || c.Pitch > 2:
		return fmt.Errorf("%w: pitch %g outside 0.5..2", ErrConfig, c.Pitch)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("%w: connect_timeout %v must be positive", ErrConfig, c.ConnectTimeout)
	case c.MaxIdle < -1:
		return fmt.Errorf("%w: max_idle %d: want -1 (none) or more", ErrConfig, c.MaxIdle)
	case c.IdleTimeout <= 0:
		return fmt.Errorf("%w: idle_timeout %v must be positive", ErrConfig, c.IdleTimeout)
	}
	return nil
}

func (c Config) checkEndpoint() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return fmt.Errorf("%w: url %q: %w", ErrConfig, c.URL, err)
	case u.Scheme != "ws" && u.Scheme != "wss":
		return fmt.Errorf("%w: url %q: scheme %q, want ws or wss", ErrConfig, c.URL, u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%w: url %q has no host", ErrConfig, c.URL)
	case strings.TrimSpace(c.Key) == "":
		return fmt.Errorf("%w: key is empty", ErrConfig)
	case strings.ContainsAny(c.Key+c.Workspace, "\r\n"):
		return fmt.Errorf("%w: key or workspace contains a line break", ErrConfig)
	}
	return nil
}

// checkVoice rejects a versioned voice on a model of another generation
// (longjiayi_v2 needs cosyvoice-v2; *_v3 voices need cosyvoice-v3*).
func checkVoice(model, voice string) error {
	for _, gen := range []string{"v2", "v3"} {
		if strings.HasSuffix(voice, "_"+gen) && !strings.HasPrefix(model, "cosyvoice-"+gen) {
			return fmt.Errorf("%w: voice %s needs a cosyvoice-%s model, not %s", ErrConfig, voice, gen, model)
		}
	}
	return nil
}
