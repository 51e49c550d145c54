package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/azure"
	"github.com/yuecall/yuecall/asr/dashscope"
	"github.com/yuecall/yuecall/asr/funasr"
	asropenai "github.com/yuecall/yuecall/asr/openai"
	"github.com/yuecall/yuecall/asr/resilient"
	"github.com/yuecall/yuecall/asr/sherpa"
	"github.com/yuecall/yuecall/asr/turn"
)

// ASRProvider is the part of an ASR setting that every provider shares.
// Non-empty fields override the provider's own section (asr.funasr, …), so
// `YUECALL_ASR_URL` works whatever the provider.
type ASRProvider struct {
	Provider   string   `yaml:"provider"` // "" (none) | sherpa | funasr | dashscope | openai | azure
	URL        string   `yaml:"url"`
	Key        string   `yaml:"key"`
	Model      string   `yaml:"model"`
	Language   string   `yaml:"language"`
	Region     string   `yaml:"region"`
	SampleRate int      `yaml:"sample_rate"`
	Hotwords   []string `yaml:"hotwords"`
}

// ASRConfig selects the speech recogniser, its fallback, its resilience
// and Cantonese turn-taking.
type ASRConfig struct {
	ASRProvider `yaml:",inline"`
	// PackHotwords adds the knowledge pack's vocabulary to Hotwords.
	PackHotwords bool             `yaml:"pack_hotwords"`
	Fallback     ASRProvider      `yaml:"fallback"`
	Resilience   resilient.Config `yaml:"resilience"`
	Turn         turn.Policy      `yaml:"turn"`
	Sherpa       sherpa.Config    `yaml:"sherpa"`
	FunASR       funasr.Config    `yaml:"funasr"`
	DashScope    dashscope.Config `yaml:"dashscope"`
	OpenAI       asropenai.Config `yaml:"openai"`
	Azure        azure.Config     `yaml:"azure"`
}

// asrProviders lists what asr.provider accepts.
var asrProviders = []string{"sherpa", "funasr", "dashscope", "openai", "azure"}

func defaultASRConfig() ASRConfig {
	return ASRConfig{PackHotwords: true, Resilience: resilient.DefaultConfig(), Turn: turn.DefaultPolicy(),
		Sherpa: sherpa.DefaultConfig(), FunASR: funasr.DefaultConfig(), DashScope: dashscope.DefaultConfig(),
		OpenAI: asropenai.DefaultConfig(), Azure: azure.DefaultConfig()}
}

// validate checks the selected providers' settings, never printing a key.
func (c ASRConfig) validate(hotwords []string) error {
	var errs []error
	for _, p := range []ASRProvider{c.ASRProvider, c.Fallback} {
		if p.Provider == "" {
			continue
		}
		if _, err := c.build(p, hotwords, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Provider == "" && c.Fallback.Provider != "" {
		errs = append(errs, errors.New("asr: fallback set without a primary provider"))
	}
	if err := c.Turn.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("asr.turn: %w", err))
	}
	if err := c.Resilience.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("asr.resilience: %w", err))
	}
	return errors.Join(errs...)
}

// build makes one provider's recogniser; making one does no I/O, so
// validate builds and drops it (nil log).
func (c ASRConfig) build(p ASRProvider, hotwords []string, log *slog.Logger) (asr.Recognizer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	words := append(append([]string(nil), p.Hotwords...), hotwords...)
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	rate := func(dst *int) {
		if p.SampleRate != 0 {
			*dst = p.SampleRate
		}
	}
	var (
		r   asr.Recognizer
		err error
	)
	switch p.Provider {
	case "sherpa":
		sc := c.Sherpa
		set(&sc.URL, p.URL)
		rate(&sc.SampleRate)
		r, err = sherpa.New(sc, log)
	case "funasr":
		fc := c.FunASR
		set(&fc.URL, p.URL)
		rate(&fc.SampleRate)
		fc.Hotwords = append(fc.Hotwords, words...)
		r, err = funasr.New(fc, log)
	case "dashscope":
		dc := c.DashScope
		set(&dc.URL, p.URL)
		set(&dc.Key, p.Key)
		set(&dc.Model, p.Model)
		rate(&dc.SampleRate)
		if p.Language != "" {
			dc.LanguageHints = []string{p.Language}
		}
		r, err = dashscope.New(dc, log)
	case "openai":
		oc := c.OpenAI
		set(&oc.BaseURL, p.URL)
		set(&oc.Key, p.Key)
		set(&oc.Model, p.Model)
		set(&oc.Language, p.Language)
		rate(&oc.SampleRate)
		oc.Hotwords = append(oc.Hotwords, words...)
		r, err = asropenai.New(oc, log)
	case "azure":
		ac := c.Azure
		set(&ac.Endpoint, p.URL)
		set(&ac.Key, p.Key)
		set(&ac.Region, p.Region)
		set(&ac.Language, p.Language)
		rate(&ac.SampleRate)
		r, err = azure.New(ac, log)
	default:
		return nil, fmt.Errorf("asr: provider %q not supported (%s)", p.Provider, strings.Join(asrProviders, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("asr %s: %w (set YUECALL_ASR_URL, YUECALL_ASR_KEY … or the asr.%s section)", p.Provider, err, p.Provider)
	}
	return r, nil
}

// newRecognizer builds the configured recogniser, wrapped for
// reconnect-and-replay and, when a fallback is set, failover to it (a live
// stream that exhausts its reconnects moves to the fallback with its audio
// replayed). Nil when no provider is configured (keypad only).
func newRecognizer(c ASRConfig, hotwords []string, m resilient.Metrics, log *slog.Logger) (asr.Recognizer, error) {
	if c.Provider == "" {
		return nil, nil
	}
	if !c.PackHotwords {
		hotwords = nil
	}
	primary, err := c.build(c.ASRProvider, hotwords, log.With("component", "asr", "provider", c.Provider))
	if err != nil {
		return nil, err
	}
	rc := c.Resilience
	rc.Name = c.Provider
	log.Info("ASR", "provider", c.Provider, "hotwords", len(hotwords)+len(c.Hotwords))
	if c.Fallback.Provider == "" {
		return resilient.New(primary, rc, m, log), nil
	}
	secondary, err := c.build(c.Fallback, hotwords, log.With("component", "asr", "provider", c.Fallback.Provider))
	if err != nil {
		return nil, err
	}
	log.Info("ASR fallback", "provider", c.Fallback.Provider)
	return resilient.New(resilient.Fallback(log,
		resilient.Named{Name: c.Provider, Recognizer: primary},
		resilient.Named{Name: c.Fallback.Provider, Recognizer: secondary}), rc, m, log), nil
}

// asrRate is the sample rate the session resamples caller audio to.
func (c ASRConfig) rate() int {
	if c.SampleRate != 0 {
		return c.SampleRate
	}
	return 16000
}

var _ = time.Second
