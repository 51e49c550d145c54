package audio

import "time"

// FrameDuration is the length of one audio frame on every yuecall path.
const FrameDuration = 20 * time.Millisecond

// Common sample rates.
const (
	Rate8k  = 8000
	Rate16k = 16000
	Rate48k = 48000
)

// PCM16 is signed 16-bit mono linear PCM, one int16 per sample.
type PCM16 []int16

// SamplesPerFrame returns how many samples one FrameDuration holds at rate.
func SamplesPerFrame(rate int) int { return rate * int(FrameDuration/time.Millisecond) / 1000 }

// Duration returns how long n samples last at rate.
func Duration(n, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second / time.Duration(rate)
}

// Writer consumes PCM at a fixed sample rate. Writers are chained synchronously
// on the hot path: a processor wraps the next Writer. WriteSample must not keep
// the slice after it returns.
type Writer interface {
	SampleRate() int
	WriteSample(s PCM16) error
}

// WriterFunc adapts a function to a Writer at a fixed rate.
type WriterFunc struct {
	Rate int
	Fn   func(PCM16) error
}

// SampleRate returns the rate the function expects.
func (f WriterFunc) SampleRate() int { return f.Rate }

// WriteSample calls the function.
func (f WriterFunc) WriteSample(s PCM16) error { return f.Fn(s) }

// Discard is a Writer that drops everything at the given rate.
type Discard int

// SampleRate returns the rate.
func (d Discard) SampleRate() int { return int(d) }

// WriteSample drops s.
func (Discard) WriteSample(PCM16) error { return nil }

var (
	_ Writer = WriterFunc{}
	_ Writer = Discard(0)
)
