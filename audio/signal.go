package audio

import (
	"math"
	"math/rand/v2"
)

// Deterministic test signals. Tests across yuecall use them to drive the VAD,
// the DTMF detector and the media chain without recorded audio.

// NoiseGenerator produces white Gaussian noise at a fixed RMS level.
type NoiseGenerator struct {
	rng *rand.Rand
	std float64
}

// NewNoiseGenerator returns a generator of white noise whose RMS is
// levelDBFS (re full scale 32768); the same seed gives the same noise.
func NewNoiseGenerator(levelDBFS float64, seed uint64) *NoiseGenerator {
	return &NoiseGenerator{
		rng: rand.New(rand.NewPCG(seed, 0x9E3779B97F4A7C15)),
		std: 32768 * math.Pow(10, levelDBFS/20),
	}
}

// Read fills dst with noise.
func (g *NoiseGenerator) Read(dst PCM16) {
	for i := range dst {
		dst[i] = sat16(g.rng.NormFloat64() * g.std)
	}
}

// SpeechLikeGenerator produces a deterministic signal with the coarse
// features of voiced speech: a harmonic series whose pitch wanders between
// about 90 and 260 Hz, two formant peaks that move every syllable, and a
// 4 Hz syllable envelope that dips 14 dB between syllables. Its envelope is
// at a peak at the first sample and every 250 ms after it.
type SpeechLikeGenerator struct {
	rate     int
	rng      *rand.Rand
	gain     float64 // scales the unit-power harmonic mix to the level
	n        int     // samples produced
	f0       float64 // base pitch of the talker
	phase    float64 // fundamental phase, radians
	f1, f2   float64 // current formant centres, Hz
	nextSyll int     // sample at which the formants move next
	amps     [40]float64
}

// speechSyllable is the syllable period of SpeechLikeGenerator.
const speechSyllable = 0.25

// NewSpeechLikeGenerator returns a generator at rate whose long-term RMS is
// about levelDBFS; the same seed gives the same signal.
func NewSpeechLikeGenerator(rate int, levelDBFS float64, seed uint64) *SpeechLikeGenerator {
	g := &SpeechLikeGenerator{
		rate: max(rate, 1),
		rng:  rand.New(rand.NewPCG(seed, 0x5DEECE66D)),
	}
	g.f0 = 110 + 90*g.rng.Float64()
	// Mean square of the envelope 0.6+0.4cos is 0.6²+0.4²/2 = 0.44; the
	// harmonic amplitudes are normalised to unit power per sample.
	g.gain = 32768 * math.Pow(10, levelDBFS/20) / math.Sqrt(0.44)
	return g
}

// Read fills dst with the next samples of the signal.
func (g *SpeechLikeGenerator) Read(dst PCM16) {
	rate := float64(g.rate)
	for i := range dst {
		if g.n >= g.nextSyll {
			g.newSyllable()
		}
		t := float64(g.n) / rate
		pitch := g.f0 * (1 + 0.25*math.Sin(2*math.Pi*0.7*t) + 0.08*math.Sin(2*math.Pi*3.1*t))
		g.phase = math.Mod(g.phase+2*math.Pi*pitch/rate, 2*math.Pi)
		env := 0.6 + 0.4*math.Cos(2*math.Pi*t/speechSyllable)
		// sin(kφ) by the Chebyshev recurrence from sin φ and cos φ.
		sin1, cos1 := math.Sincos(g.phase)
		prev, cur := 0.0, sin1
		var v float64
		for k, a := range g.amps {
			if a == 0 || float64(k+1)*pitch >= rate/2 {
				break
			}
			v += a * cur
			prev, cur = cur, 2*cos1*cur-prev
		}
		dst[i] = sat16(g.gain * env * v)
		g.n++
	}
}

// newSyllable moves the formants and recomputes the harmonic amplitudes for
// the base pitch, normalised to unit mean power.
func (g *SpeechLikeGenerator) newSyllable() {
	g.f1 = 300 + 500*g.rng.Float64()
	g.f2 = 900 + 1400*g.rng.Float64()
	g.nextSyll = g.n + int(speechSyllable*float64(g.rate))
	limit := min(3600, float64(g.rate)/2)
	power := 0.0
	for k := range g.amps {
		f := float64(k+1) * g.f0
		if f >= limit {
			g.amps[k] = 0
			continue
		}
		tilt := 1 / math.Sqrt(float64(k+1))
		form := 1 + 3*math.Exp(-sq((f-g.f1)/120)) + 2*math.Exp(-sq((f-g.f2)/200))
		g.amps[k] = tilt * form
		power += g.amps[k] * g.amps[k] / 2
	}
	if power > 0 {
		for k := range g.amps {
			g.amps[k] /= math.Sqrt(power)
		}
	}
}

func sq(x float64) float64 { return x * x }

// sat16 rounds v to the nearest sample value, saturating at full scale.
func sat16(v float64) int16 {
	if v >= math.MaxInt16 {
		return math.MaxInt16
	}
	if v <= math.MinInt16 {
		return math.MinInt16
	}
	return int16(math.Round(v))
}
