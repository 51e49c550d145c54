package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/azure"
	"github.com/yuecall/yuecall/asr/dashscope"
	"github.com/yuecall/yuecall/asr/funasr"
	asropenai "github.com/yuecall/yuecall/asr/openai"
	"github.com/yuecall/yuecall/asr/resilient"
	"github.com/yuecall/yuecall/asr/sherpa"
	asrsynth "github.com/yuecall/yuecall/asr/synthetic"
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
	Synthetic    asrsynth.Config  `yaml:"synthetic"`
}

// asrProviders lists what asr.provider accepts.
var asrProviders = []string{"sherpa", "funasr", "dashscope", "openai", "azure", "synthetic"}

func defaultASRConfig() ASRConfig {
	return ASRConfig{PackHotwords: true, Resilience: resilient.DefaultConfig(), Turn: turn.DefaultPolicy(),
		Sherpa: sherpa.DefaultConfig(), FunASR: funasr.DefaultConfig(), DashScope: dashscope.DefaultConfig(),
		OpenAI: asropenai.DefaultConfig(), Azure: azure.DefaultConfig(), Synthetic: asrsynth.DefaultConfig()}
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
		var dc dashscope.Config
		if dc, err = c.dashscopeConfig(p); err == nil {
			r, err = dashscope.New(dc, log)
		}
	case "openai":
		oc := c.OpenAI
		set(&oc.BaseURL, p.URL)
		set(&oc.Key, p.Key)
		set(&oc.Model, p.Model)
		set(&oc.Language, p.Language)
		rate(&oc.SampleRate)
		oc.Hotwords = fitPrompt(oc, words)
		r, err = asropenai.New(oc, log)
	case "azure":
		ac := c.Azure
		set(&ac.Endpoint, p.URL)
		set(&ac.Key, p.Key)
		set(&ac.Region, p.Region)
		set(&ac.Language, p.Language)
		rate(&ac.SampleRate)
		r, err = azure.New(ac, log)
	case "synthetic": // load tests: a scripted final a fixed latency after each utterance
		sc := c.Synthetic
		rate(&sc.SampleRate)
		r, err = asrsynth.New(sc, log)
	default:
		return nil, fmt.Errorf("asr: provider %q not supported (%s)", p.Provider, strings.Join(asrProviders, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("asr %s: %w (set YUECALL_ASR_URL, YUECALL_ASR_KEY … or the asr.%s section)", p.Provider, err, p.Provider)
	}
	return r, nil
}

// dashscopeConfig is the DashScope section with the shared fields of p.
func (c ASRConfig) dashscopeConfig(p ASRProvider) (dashscope.Config, error) {
	dc := c.DashScope
	for dst, v := range map[*string]string{&dc.URL: p.URL, &dc.Key: p.Key, &dc.Model: p.Model} {
		if v != "" {
			*dst = v
		}
	}
	if p.SampleRate != 0 {
		dc.SampleRate = p.SampleRate
	}
	if p.Language != "" {
		dc.LanguageHints = []string{p.Language}
	}
	return dc, nil
}

// fitPrompt adds the hotwords Whisper's prompt has room for (it keeps only
// its last 224 tokens): the configured ones first, then the pack's.
func fitPrompt(oc asropenai.Config, words []string) []string {
	for _, w := range words {
		next := oc
		next.Hotwords = append(append([]string(nil), oc.Hotwords...), w)
		if utf8.RuneCountInString(next.EffectivePrompt()) > asropenai.MaxPromptRunes {
			continue
		}
		oc = next
	}
	return oc.Hotwords
}

// newRecognizer builds the configured recogniser, wrapped for
// reconnect-and-replay and, when a fallback is set, failover to it (a live
// stream that exhausts its reconnects moves to the fallback with its audio
// replayed). Nil when no provider is configured (keypad only).
func newRecognizer(ctx context.Context, c ASRConfig, hotwords []string, dataDir string, m resilient.Metrics, log *slog.Logger) (asr.Recognizer, error) {
	if c.Provider == "" {
		return nil, nil
	}
	if !c.PackHotwords {
		hotwords = nil
	}
	c = c.withVocabulary(ctx, hotwords, dataDir, log)
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

// withVocabulary passes hotwords through the mechanisms that cannot take
// them per stream: DashScope needs a vocabulary made beforehand; sherpa-onnx
// takes them only server-wide (--hotwords-file); Azure's short-audio REST
// API has no phrase list.
func (c ASRConfig) withVocabulary(ctx context.Context, hotwords []string, dataDir string, log *slog.Logger) ASRConfig {
	words := append(append([]string(nil), c.Hotwords...), hotwords...)
	if len(words) == 0 {
		return c
	}
	for _, p := range []ASRProvider{c.ASRProvider, c.Fallback} {
		switch p.Provider {
		case "dashscope":
			if c.DashScope.VocabularyID != "" {
				continue
			}
			dc, err := c.dashscopeConfig(p)
			if err == nil {
				c.DashScope.VocabularyID, err = dashscopeVocabulary(ctx, dc, words, dataDir, log)
			}
			if err != nil {
				log.Warn("ASR hotwords not applied", "provider", "dashscope", "err", err)
			}
		case "sherpa":
			log.Info("sherpa-onnx takes hotwords only server-wide (--hotwords-file, transducer models)", "words", len(words))
		case "azure":
			log.Info("Azure short-audio recognition has no phrase list: hotwords not applied")
		}
	}
	return c
}
