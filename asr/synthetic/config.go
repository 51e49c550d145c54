package synthetic

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrConfig wraps every Config.Validate failure.
var ErrConfig = errors.New("synthetic: invalid asr config")

// Config shapes the synthetic recogniser. Durations are taken as given:
// zero is valid and means no delay, no partials or no minimum. Start from
// DefaultConfig.
type Config struct {
	// Latency is the delay from CloseSend to the final result (default 100 ms).
	Latency time.Duration `yaml:"latency"`
	// PartialEvery emits a partial result every this much speech while it
	// flows; zero means no partials (the default).
	PartialEvery time.Duration `yaml:"partial_every"`
	// Transcripts are the final texts, used in turn: the k-th utterance
	// with speech that a Recognizer hears gets Transcripts[k % len]. Empty
	// means DefaultTranscripts.
	Transcripts []string `yaml:"transcripts"`
	// MinVoiced is the least speech an utterance needs for a final result
	// (default 200 ms); shorter ones end with none, as a real recogniser
	// gives nothing for a cough or a click.
	MinVoiced time.Duration `yaml:"min_voiced"`
	// SampleRate is the rate of the audio written to streams (default 16000).
	SampleRate int `yaml:"sample_rate"`
	// VoiceLevel is the level in dBFS from which a 20 ms frame counts as
	// voiced (default -45; zero means the default).
	VoiceLevel float64 `yaml:"voice_level"`
}

// Defaults and limits.
const (
	DefaultLatency    = 100 * time.Millisecond
	DefaultMinVoiced  = 200 * time.Millisecond
	DefaultSampleRate = 16000
	DefaultVoiceLevel = -45.0
	// MaxLatency bounds Latency and PartialEvery.
	MaxLatency = time.Minute
)

// DefaultTranscripts are what callers to a Hong Kong bank most often say.
var DefaultTranscripts = []string{"我想查戶口結餘", "信用卡唔見咗", "分行幾點開門"}

// DefaultConfig returns a recogniser answering 100 ms after the end of
// each utterance of at least 200 ms of speech, without partials.
func DefaultConfig() Config {
	return Config{
		Latency:     DefaultLatency,
		Transcripts: append([]string(nil), DefaultTranscripts...),
		MinVoiced:   DefaultMinVoiced,
		SampleRate:  DefaultSampleRate,
		VoiceLevel:  DefaultVoiceLevel,
	}
}

// withDefaults fills the fields whose zero value means nothing useful:
// SampleRate, Transcripts and VoiceLevel. Durations stay as given.
func (c Config) withDefaults() Config {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultSampleRate
	}
	if len(c.Transcripts) == 0 {
		c.Transcripts = append([]string(nil), DefaultTranscripts...)
	}
	if c.VoiceLevel == 0 {
		c.VoiceLevel = DefaultVoiceLevel
	}
	return c
}

// Validate checks the configuration as given (New fills SampleRate,
// Transcripts and VoiceLevel first when they are zero).
func (c Config) Validate() error {
	switch {
	case c.Latency < 0 || c.Latency > MaxLatency:
		return fmt.Errorf("%w: latency %v outside 0..%v", ErrConfig, c.Latency, MaxLatency)
	case c.PartialEvery < 0 || c.PartialEvery > MaxLatency:
		return fmt.Errorf("%w: partial_every %v outside 0..%v", ErrConfig, c.PartialEvery, MaxLatency)
	case c.MinVoiced < 0 || c.MinVoiced > MaxLatency:
		return fmt.Errorf("%w: min_voiced %v outside 0..%v", ErrConfig, c.MinVoiced, MaxLatency)
	case c.SampleRate < 8000 || c.SampleRate > 48000:
		return fmt.Errorf("%w: sample_rate %d outside 8000..48000", ErrConfig, c.SampleRate)
	case c.VoiceLevel < -90 || c.VoiceLevel >= 0:
		return fmt.Errorf("%w: voice_level %g dBFS outside -90..0", ErrConfig, c.VoiceLevel)
	case len(c.Transcripts) == 0:
		return fmt.Errorf("%w: transcripts is empty", ErrConfig)
	}
	for i, t := range c.Transcripts {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("%w: transcripts[%d] is empty", ErrConfig, i)
		}
		if !utf8.ValidString(t) {
			return fmt.Errorf("%w: transcripts[%d] is not valid UTF-8", ErrConfig, i)
		}
	}
	return nil
}
