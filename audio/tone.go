package audio

import (
	"errors"
	"fmt"
	"math"
)

// ErrDTMFDigit reports a rune that is not a DTMF key.
var ErrDTMFDigit = errors.New("audio: not a DTMF digit")

// ToneGenerator produces the sum of one or more sine tones, phase-continuous
// across Read calls.
type ToneGenerator struct {
	amp   float64   // peak of each component, in sample units
	phase []float64 // radians, in [0, 2π)
	inc   []float64 // radians per sample
}

// NewToneGenerator returns a generator of the given frequencies at rate.
// amplitude is the peak of each component as a fraction of full scale (0..1);
// with several components the sum saturates at full scale if it exceeds it.
func NewToneGenerator(rate int, amplitude float64, freqs ...float64) *ToneGenerator {
	g := &ToneGenerator{
		amp:   amplitude * 32767,
		phase: make([]float64, len(freqs)),
		inc:   make([]float64, len(freqs)),
	}
	if rate > 0 {
		for i, f := range freqs {
			g.inc[i] = 2 * math.Pi * f / float64(rate)
		}
	}
	return g
}

// Read fills dst with the next samples of the tone.
func (g *ToneGenerator) Read(dst PCM16) {
	for i := range dst {
		var v float64
		for k, p := range g.phase {
			v += math.Sin(p)
			p += g.inc[k]
			if p >= 2*math.Pi {
				p -= 2 * math.Pi
			}
			g.phase[k] = p
		}
		dst[i] = sat16(g.amp * v)
	}
}

// Goertzel returns the power of the component at freq in s, normalised so
// that a sine of peak amplitude A (as a fraction of full scale) filling s
// gives A²/2, its mean power. It evaluates the DFT at exactly freq, not at
// the nearest bin, so the result is exact when s holds a whole number of
// cycles and within a leakage term of order 1/(cycles in s) otherwise.
func Goertzel(s PCM16, rate int, freq float64) float64 {
	if len(s) == 0 || rate <= 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range s {
		s1, s2 = float64(x)+c*s1-s2, s1
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	n := float64(len(s)) * 32768
	return 2 * p / (n * n)
}

// meanPower returns the mean square of s as a fraction of full-scale power.
func meanPower(s PCM16) float64 {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, x := range s {
		v := float64(x)
		sum += v * v
	}
	return sum / float64(len(s)) / (32768 * 32768)
}

// ToneRatio returns the share (0..1) of the power of s that lies in the
// component at freq: about 1 for a clean tone filling s, about q for a tone
// present over a fraction q of s with silence elsewhere, and near 0 when the
// tone is absent.
func ToneRatio(s PCM16, rate int, freq float64) float64 {
	total := meanPower(s)
	if total == 0 {
		return 0
	}
	return min(Goertzel(s, rate, freq)/total, 1)
}

// FindToneMinRatio is the ToneRatio above which FindTone reports a tone.
const FindToneMinRatio = 0.5

// FindTone reports whether a tone at freq carries at least FindToneMinRatio
// of the power of s and s is louder than -60 dBFS. Tests use it to assert
// that a beep or a test tone made it through a chain of writers.
func FindTone(s PCM16, rate int, freq float64) bool {
	return DBFS(s) > -60 && ToneRatio(s, rate, freq) >= FindToneMinRatio
}

// DTMF frequencies (ITU-T Q.23): rows are the low group, columns the high.
var (
	dtmfRows = [4]float64{697, 770, 852, 941}
	dtmfCols = [4]float64{1209, 1336, 1477, 1633}
	dtmfKeys = [4][4]rune{
		{'1', '2', '3', 'A'},
		{'4', '5', '6', 'B'},
		{'7', '8', '9', 'C'},
		{'*', '0', '#', 'D'},
	}
)

// DTMFFrequencies returns the low (row) and high (column) frequencies of a
// DTMF key: '0'-'9', '*', '#' and 'A'-'D' (lower case accepted).
func DTMFFrequencies(digit rune) (low, high float64, ok bool) {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for r, row := range dtmfKeys {
		for c, k := range row {
			if k == digit {
				return dtmfRows[r], dtmfCols[c], true
			}
		}
	}
	return 0, 0, false
}

// GenerateDTMF fills all of dst with the dual tone of digit at rate (the
// length of dst sets the duration) and returns dst. amplitude is the peak of
// each of the two tones as a fraction of full scale; keep it at or below 0.5
// to avoid clipping. Amplitude 0.1 puts each tone at -20 dB re full scale.
func GenerateDTMF(dst PCM16, rate int, digit rune, amplitude float64) (PCM16, error) {
	low, high, ok := DTMFFrequencies(digit)
	if !ok {
		return dst, fmt.Errorf("%w: %q", ErrDTMFDigit, digit)
	}
	if rate <= 0 {
		return dst, fmt.Errorf("%w: %d Hz", ErrRate, rate)
	}
	var g ToneGenerator
	var phase, inc [2]float64
	g.amp, g.phase, g.inc = amplitude*32767, phase[:], inc[:]
	inc[0] = 2 * math.Pi * low / float64(rate)
	inc[1] = 2 * math.Pi * high / float64(rate)
	g.Read(dst)
	return dst, nil
}
