package synthetic

import (
	"math"
	"sync"

	"github.com/yuecall/yuecall/audio"
)

// The waveform is one second of five syllables of syllableLen each: voiced
// for voicedLen under a half-sine envelope, then silent. Each syllable has
// its own pitch, a multiple of 5 Hz so that every harmonic completes whole
// cycles in a syllable, and harmonics of falling amplitude up to
// maxHarmonic or 0.45 of the rate.
const (
	syllableLen = 0.2  // seconds
	voicedLen   = 0.15 // seconds
	maxHarmonic = 8
	// maxCachedRates bounds the per-rate cache; beyond it one rate is
	// forgotten to make room.
	maxCachedRates = 16
)

// syllablePitch is the pitch of each syllable in Hz: a Cantonese-like
// wander between tones.
var syllablePitch = [...]float64{120, 150, 135, 165, 110}

// waveCache holds one period of the waveform per sample rate.
type waveCache struct {
	level float64 // dBFS

	mu    sync.Mutex
	waves map[int]audio.PCM16
}

// get returns the period at rate, making it on first use. The slice is
// shared and must not be written.
func (c *waveCache) get(rate int) audio.PCM16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.waves[rate]; ok {
		return w
	}
	if c.waves == nil {
		c.waves = make(map[int]audio.PCM16)
	}
	if len(c.waves) >= maxCachedRates {
		for r := range c.waves {
			delete(c.waves, r)
			break
		}
	}
	w := makeWave(rate, c.level)
	c.waves[rate] = w
	return w
}

// makeWave returns one period (len(syllablePitch) syllables) at rate whose
// RMS is level dBFS.
func makeWave(rate int, level float64) audio.PCM16 {
	n := len(syllablePitch) * int(math.Round(syllableLen*float64(rate)))
	v := make([]float64, n)
	syl := n / len(syllablePitch)
	voiced := int(voicedLen * float64(rate))
	power := 0.0
	for i := range v {
		k, t := i/syl, i%syl
		if t >= voiced {
			continue
		}
		env := math.Sin(math.Pi * float64(t) / float64(voiced))
		v[i] = env * harmonics(syllablePitch[k], float64(t)/float64(rate), float64(rate))
		power += v[i] * v[i]
	}
	gain := 32768 * math.Pow(10, level/20) / math.Sqrt(power/float64(n))
	out := make(audio.PCM16, n)
	for i, x := range v {
		out[i] = sat16(gain * x)
	}
	return out
}

// harmonics is the harmonic series of f0 at time t, amplitude 1/h for the
// h-th harmonic, up to maxHarmonic or 0.45 of rate.
func harmonics(f0, t, rate float64) float64 {
	var s float64
	for h := 1; h <= maxHarmonic && float64(h)*f0 < 0.45*rate; h++ {
		s += math.Sin(2*math.Pi*float64(h)*f0*t) / float64(h)
	}
	return s
}

// sat16 rounds v to the nearest sample, saturating at full scale.
func sat16(v float64) int16 {
	return int16(max(min(math.Round(v), math.MaxInt16), math.MinInt16))
}
