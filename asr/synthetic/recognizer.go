package synthetic

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// partialChar is how much speech one character of a partial transcript
// stands for: about a Cantonese syllable.
const partialChar = 200 * time.Millisecond

// Recognizer opens synthetic per-utterance streams. It is safe for
// concurrent use; streams share nothing but its counters.
type Recognizer struct {
	cfg Config
	log *slog.Logger

	frameLen     int     // samples per window (20 ms)
	voicePower   float64 // mean square from which a window is voiced
	coef         *coefs  // DTMF Goertzel coefficients at the rate
	minVoiced    int64   // samples of speech a final needs
	partialEvery int64   // samples of speech between partials, 0 for none
	charSamples  int64   // samples of speech per partial character
	runeEnds     [][]int // byte offset after each rune, per transcript

	next  atomic.Uint64 // utterances with speech so far: picks the transcript
	stats counters
}

var _ asr.Recognizer = (*Recognizer)(nil)

// counters are the Recognizer's running totals.
type counters struct {
	streams, active, finals, empty, partials, dropped atomic.Uint64
}

// Stats are a Recognizer's totals since New.
type Stats struct {
	Streams         uint64 // streams opened
	Active          uint64 // streams not yet ended
	Finals          uint64 // final results sent
	Empty           uint64 // utterances ended without a final (too little speech)
	Partials        uint64 // partial results sent
	PartialsDropped uint64 // partials dropped because Results was full
}

// New checks cfg (SampleRate, Transcripts and VoiceLevel take their
// defaults when zero) and returns a Recognizer. A nil log discards.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Transcripts = append([]string(nil), cfg.Transcripts...)
	r := &Recognizer{
		cfg:          cfg,
		log:          log.With("asr", "synthetic"),
		frameLen:     audio.SamplesPerFrame(cfg.SampleRate),
		voicePower:   levelPower(cfg.VoiceLevel),
		coef:         dtmfCoefs(cfg.SampleRate),
		minVoiced:    samples(cfg.MinVoiced, cfg.SampleRate),
		partialEvery: samples(cfg.PartialEvery, cfg.SampleRate),
		charSamples:  samples(partialChar, cfg.SampleRate),
		runeEnds:     make([][]int, len(cfg.Transcripts)),
	}
	for i, t := range cfg.Transcripts {
		for j, c := range t {
			r.runeEnds[i] = append(r.runeEnds[i], j+utf8.RuneLen(c))
		}
	}
	return r, nil
}

func samples(d time.Duration, rate int) int64 {
	return int64(d) * int64(rate) / int64(time.Second)
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// Stats returns the Recognizer's totals.
func (r *Recognizer) Stats() Stats {
	return Stats{
		Streams:         r.stats.streams.Load(),
		Active:          r.stats.active.Load(),
		Finals:          r.stats.finals.Load(),
		Empty:           r.stats.empty.Load(),
		Partials:        r.stats.partials.Load(),
		PartialsDropped: r.stats.dropped.Load(),
	}
}

// NewStream returns a stream; see Open. It fails only when ctx has ended.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.Open(ctx), nil
}

// Open starts a stream for one utterance. It starts no goroutine; the
// stream ends when ctx ends.
func (r *Recognizer) Open(ctx context.Context) *Stream {
	return openStream(ctx, r)
}

// pick returns the index of the transcript for the next utterance with speech.
func (r *Recognizer) pick() int {
	return int((r.next.Add(1) - 1) % uint64(len(r.cfg.Transcripts)))
}

// partialText is the start of transcript i that speech samples stand for:
// one character per partialChar, at least one, never the whole text
// unless it has a single character.
func (r *Recognizer) partialText(i int, speech int64) string {
	ends := r.runeEnds[i]
	k := int(speech / max(r.charSamples, 1))
	k = max(min(k, len(ends)-1), 1)
	return r.cfg.Transcripts[i][:ends[k-1]]
}
