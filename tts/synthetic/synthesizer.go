package synthetic

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/yuecall/yuecall/tts"
)

// Synthesizer makes synthetic speech streams. It is safe for concurrent use.
type Synthesizer struct {
	cfg   Config
	log   *slog.Logger
	waves waveCache

	streams atomic.Uint64
	audio   atomic.Int64 // time.Duration of audio promised
}

var (
	_ tts.Synthesizer     = (*Synthesizer)(nil)
	_ tts.RateSynthesizer = (*Synthesizer)(nil)
)

// Stats are a Synthesizer's totals since New.
type Stats struct {
	Streams uint64        // streams started
	Audio   time.Duration // audio those streams hold, read or not
}

// New checks cfg (zero fields but Latency take their defaults) and returns
// a Synthesizer. A nil log discards.
func New(cfg Config, log *slog.Logger) (*Synthesizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Synthesizer{cfg: cfg, log: log.With("tts", "synthetic")}
	s.waves.level = cfg.Level
	s.waves.get(cfg.SampleRate)
	return s, nil
}

// Config returns the effective configuration.
func (s *Synthesizer) Config() Config { return s.cfg }

// Stats returns the Synthesizer's totals.
func (s *Synthesizer) Stats() Stats {
	return Stats{Streams: s.streams.Load(), Audio: time.Duration(s.audio.Load())}
}

// Synthesize speaks text at Config.SampleRate; see SynthesizeRate.
func (s *Synthesizer) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	return s.SynthesizeRate(ctx, text, s.cfg.SampleRate)
}

// SynthesizeRate returns a stream of Duration(text) of speech-like audio at
// rate, whose first Read waits until Config.Latency after this call. Text
// with no letter, digit or CJK character is tts.ErrEmptyText.
func (s *Synthesizer) SynthesizeRate(ctx context.Context, text string, rate int) (tts.Stream, error) {
	if rate < MinSampleRate || rate > MaxSampleRate {
		return nil, fmt.Errorf("%w: %d Hz, want %d..%d", ErrSampleRate, rate, MinSampleRate, MaxSampleRate)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.Duration(text)
	if d == 0 {
		return nil, tts.ErrEmptyText
	}
	s.streams.Add(1)
	s.audio.Add(int64(d))
	return newStream(ctx, s.waves.get(rate), rate, d, time.Now().Add(s.cfg.Latency)), nil
}

// Duration is how long the audio for text lasts: Config.CharDuration per
// Han, kana or Hangul character, Config.LetterDuration per other letter or
// digit, nothing for spaces and punctuation, at most Config.MaxDuration.
func (s *Synthesizer) Duration(text string) time.Duration {
	var d time.Duration
	for _, r := range strings.TrimSpace(text) {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			d += s.cfg.CharDuration
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			d += s.cfg.LetterDuration
		default:
			continue
		}
		if d >= s.cfg.MaxDuration {
			return s.cfg.MaxDuration
		}
	}
	return d
}
