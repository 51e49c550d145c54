package main

import (
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strings"

	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/azure"
	"github.com/yuecall/yuecall/tts/cache"
	"github.com/yuecall/yuecall/tts/cosyvoice"
	"github.com/yuecall/yuecall/tts/espeak"
	ttsopenai "github.com/yuecall/yuecall/tts/openai"
	"github.com/yuecall/yuecall/tts/spoken"
	ttssynth "github.com/yuecall/yuecall/tts/synthetic"
)

// TTSConfig selects the synthesiser. The shared fields override the
// provider's own section (tts.azure, …) when set.
type TTSConfig struct {
	Provider      string  `yaml:"provider"` // espeak | openai | azure | cosyvoice
	URL           string  `yaml:"url"`
	Key           string  `yaml:"key"`
	Model         string  `yaml:"model"`
	Region        string  `yaml:"region"`
	Voice         string  `yaml:"voice"`          // Cantonese voice
	VoiceEnglish  string  `yaml:"voice_english"`  // for English-only sentences
	VoiceMandarin string  `yaml:"voice_mandarin"` // for Mandarin-speaking callers
	Speed         float64 `yaml:"speed"`          // 1 = the provider's normal pace
	// RateUnit says how interest rates are read: "厘" (2.5% → 二點五厘,
	// the HK banking habit) or "percent" (百分之二點五).
	RateUnit string `yaml:"rate_unit"`
	// MaxChunk is the longest piece of text sent to the synthesiser at once,
	// in characters; longer sentences are split at a comma.
	MaxChunk int `yaml:"max_chunk"`
	// Cache keeps fixed prompts (IVR menu, greetings, disclaimers) on disk.
	Cache     bool             `yaml:"cache"`
	CacheDir  string           `yaml:"cache_dir"` // default <data_dir>/prompts
	Espeak    espeak.Config    `yaml:"espeak"`
	OpenAI    ttsopenai.Config `yaml:"openai"`
	Azure     azure.Config     `yaml:"azure"`
	CosyVoice cosyvoice.Config `yaml:"cosyvoice"`
	Synthetic ttssynth.Config  `yaml:"synthetic"`
}

var ttsProviders = []string{"espeak", "openai", "azure", "cosyvoice", "synthetic"}

func defaultTTSConfig() TTSConfig {
	return TTSConfig{Provider: "espeak", Speed: 1, RateUnit: "厘", MaxChunk: 60, Cache: true,
		Espeak: espeak.DefaultConfig(), OpenAI: ttsopenai.DefaultConfig(), Azure: azure.DefaultConfig(),
		CosyVoice: cosyvoice.DefaultConfig(), Synthetic: ttssynth.DefaultConfig()}
}

func (c TTSConfig) validate() error {
	if c.Speed < 0.5 || c.Speed > 2 {
		return fmt.Errorf("tts: speed %g outside 0.5..2", c.Speed)
	}
	if c.RateUnit != "厘" && c.RateUnit != "percent" {
		return fmt.Errorf("tts: rate_unit %q: want 厘 or percent", c.RateUnit)
	}
	if c.MaxChunk < 10 || c.MaxChunk > 2000 {
		return fmt.Errorf("tts: max_chunk %d outside 10..2000", c.MaxChunk)
	}
	_, _, err := c.build(nil)
	return err
}

// spokenOptions say how written forms are read out, for calls, the prompt
// cache and `yuecall say` alike: SSML breaks between digit groups only for
// the providers that take SSML.
func (c TTSConfig) spokenOptions() spoken.Options {
	return spoken.Options{RateUnit: c.RateUnit, Breaks: c.Provider == "espeak" || c.Provider == "azure"}
}

// voices overrides the provider's voices with the shared settings.
func (c TTSConfig) voices(v tts.Voices) tts.Voices {
	if c.Voice != "" {
		v.Cantonese = c.Voice
	}
	if c.VoiceEnglish != "" {
		v.English = c.VoiceEnglish
	}
	if c.VoiceMandarin != "" {
		v.Mandarin = c.VoiceMandarin
	}
	return v
}

// build makes the synthesiser and the identity its prompt cache is keyed
// by (nil log: only validate).
func (c TTSConfig) build(log *slog.Logger) (tts.Synthesizer, string, error) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	var (
		s   tts.Synthesizer
		id  string
		err error
	)
	switch c.Provider {
	case "espeak":
		ec := c.Espeak
		ec.Voices = c.voices(ec.Voices)
		ec.Speed = int(math.Round(float64(ec.Speed) * c.Speed))
		id = fmt.Sprintf("espeak|%s|%d|%d", ec.Voices.Cantonese, ec.Speed, ec.Pitch)
		if err = ec.Validate(); err == nil && log != nil {
			s, err = espeak.New(ec, log)
		}
	case "openai":
		oc := c.OpenAI
		set(&oc.BaseURL, c.URL)
		set(&oc.Key, c.Key)
		set(&oc.Model, c.Model)
		oc.Voices = c.voices(oc.Voices)
		if c.Speed != 1 {
			oc.Speed = c.Speed
		}
		id = fmt.Sprintf("openai|%s|%s|%s|%g", oc.BaseURL, oc.Model, oc.Voices.Cantonese, oc.Speed)
		if err = oc.Validate(); err == nil && log != nil {
			s, err = ttsopenai.New(oc, log)
		}
	case "azure":
		ac := c.Azure
		set(&ac.Endpoint, c.URL)
		set(&ac.Key, c.Key)
		set(&ac.Region, c.Region)
		ac.Voices = c.voices(ac.Voices)
		if c.Speed != 1 {
			ac.Rate = fmt.Sprintf("%+d%%", int(math.Round((c.Speed-1)*100)))
		}
		id = fmt.Sprintf("azure|%s%s|%s|%s", ac.Region, ac.Endpoint, ac.Voices.Cantonese, ac.Rate)
		if err = ac.Validate(); err == nil && log != nil {
			s, err = azure.New(ac, log)
		}
	case "cosyvoice":
		cc := c.CosyVoice
		set(&cc.URL, c.URL)
		set(&cc.Key, c.Key)
		set(&cc.Model, c.Model)
		cc.Voices = c.voices(cc.Voices)
		cc.Rate *= c.Speed
		id = fmt.Sprintf("cosyvoice|%s|%s|%s|%g", cc.URL, cc.Model, cc.Voices.Cantonese, cc.Rate)
		if err = cc.Validate(); err == nil && log != nil {
			s, err = cosyvoice.New(cc, log)
		}
	case "synthetic": // load tests: speech-like audio of a fixed length after a fixed latency
		sc := c.Synthetic
		id = fmt.Sprintf("synthetic|%v|%v", sc.CharDuration, sc.Level)
		s, err = ttssynth.New(sc, log)
	default:
		return nil, "", fmt.Errorf("tts: provider %q not supported (%s)", c.Provider, strings.Join(ttsProviders, ", "))
	}
	if err != nil {
		return nil, "", fmt.Errorf("tts %s: %w (set YUECALL_TTS_URL, YUECALL_TTS_KEY … or the tts.%s section)", c.Provider, err, c.Provider)
	}
	return s, id, nil
}

// newSynthesizer builds the configured synthesiser, behind the prompt cache
// when enabled. The cache is returned so serve can warm it.
func newSynthesizer(c TTSConfig, dataDir string, log *slog.Logger) (tts.Synthesizer, *cache.Cache, error) {
	s, id, err := c.build(log.With("component", "tts", "provider", c.Provider))
	if err != nil {
		return nil, nil, err
	}
	log.Info("TTS", "provider", c.Provider)
	if !c.Cache {
		return s, nil, nil
	}
	dir := c.CacheDir
	if dir == "" {
		dir = filepath.Join(dataDir, "prompts")
	}
	cc := cache.DefaultConfig()
	cc.Dir, cc.Key = dir, id
	pc, err := cache.New(s, cc, log.With("component", "tts-cache"))
	if err != nil {
		return nil, nil, fmt.Errorf("tts cache: %w", err)
	}
	return pc, pc, nil
}
