package synthetic

import (
	"errors"
	"fmt"
	"time"
)

// Errors of this provider.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("synthetic: invalid tts config")
	// ErrSampleRate is returned by SynthesizeRate for a rate outside
	// MinSampleRate..MaxSampleRate.
	ErrSampleRate = errors.New("synthetic: unsupported sample rate")
	// ErrClosed is returned by Read after Close.
	ErrClosed = errors.New("synthetic: stream closed")
)

// Config shapes the synthetic synthesiser. Latency is taken as given (zero
// means audio at once); the other fields take their defaults when zero.
type Config struct {
	// Latency is the time from the request to the first audio (default 50 ms).
	Latency time.Duration `yaml:"latency"`
	// CharDuration is the audio per CJK character (default 150 ms).
	CharDuration time.Duration `yaml:"char_duration"`
	// LetterDuration is the audio per Latin letter or digit (default 60 ms).
	// Spaces and punctuation add nothing.
	LetterDuration time.Duration `yaml:"letter_duration"`
	// MaxDuration caps the audio of one text (default 30 s).
	MaxDuration time.Duration `yaml:"max_duration"`
	// SampleRate is the rate of Synthesize (default 8000, the phone rate);
	// SynthesizeRate makes any rate in MinSampleRate..MaxSampleRate.
	SampleRate int `yaml:"sample_rate"`
	// Level is the long-term RMS level of the audio in dBFS (default -20).
	Level float64 `yaml:"level"`
}

// Defaults and limits.
const (
	DefaultLatency        = 50 * time.Millisecond
	DefaultCharDuration   = 150 * time.Millisecond
	DefaultLetterDuration = 60 * time.Millisecond
	DefaultMaxDuration    = 30 * time.Second
	DefaultSampleRate     = 8000
	DefaultLevel          = -20.0
	MinSampleRate         = 8000
	MaxSampleRate         = 48000
	// MaxLatency bounds Latency, CharDuration and LetterDuration.
	MaxLatency = time.Minute
	// MaxMaxDuration bounds MaxDuration.
	MaxMaxDuration = 10 * time.Minute
)

// DefaultConfig returns a synthesiser answering in 50 ms at the phone rate.
func DefaultConfig() Config {
	return Config{
		Latency:        DefaultLatency,
		CharDuration:   DefaultCharDuration,
		LetterDuration: DefaultLetterDuration,
		MaxDuration:    DefaultMaxDuration,
		SampleRate:     DefaultSampleRate,
		Level:          DefaultLevel,
	}
}

// withDefaults fills every zero field but Latency.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.CharDuration == 0 {
		c.CharDuration = d.CharDuration
	}
	if c.LetterDuration == 0 {
		c.LetterDuration = d.LetterDuration
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = d.MaxDuration
	}
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.Level == 0 {
		c.Level = d.Level
	}
	return c
}

// Validate checks the configuration as given (New fills zero fields but
// Latency first).
func (c Config) Validate() error {
	switch {
	case c.Latency < 0 || c.Latency > MaxLatency:
		return fmt.Errorf("%w: latency %v outside 0..%v", ErrConfig, c.Latency, MaxLatency)
	case c.CharDuration <= 0 || c.CharDuration > MaxLatency:
		return fmt.Errorf("%w: char_duration %v outside (0, %v]", ErrConfig, c.CharDuration, MaxLatency)
	case c.LetterDuration <= 0 || c.LetterDuration > MaxLatency:
		return fmt.Errorf("%w: letter_duration %v outside (0, %v]", ErrConfig, c.LetterDuration, MaxLatency)
	case c.MaxDuration <= 0 || c.MaxDuration > MaxMaxDuration:
		return fmt.Errorf("%w: max_duration %v outside (0, %v]", ErrConfig, c.MaxDuration, MaxMaxDuration)
	case c.SampleRate < MinSampleRate || c.SampleRate > MaxSampleRate:
		return fmt.Errorf("%w: sample_rate %d outside %d..%d", ErrConfig, c.SampleRate, MinSampleRate, MaxSampleRate)
	case c.Level < -60 || c.Level > -6:
		return fmt.Errorf("%w: level %g dBFS outside -60..-6", ErrConfig, c.Level)
	}
	return nil
}
