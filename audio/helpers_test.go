package audio

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sine returns n samples of a sine of peak amplitude amp (fraction of full
// scale) at freq Hz.
func sine(n, rate int, freq, amp float64) PCM16 {
	out := make(PCM16, n)
	NewToneGenerator(rate, amp, freq).Read(out)
	return out
}

// noise returns n samples of white Gaussian noise at levelDBFS RMS.
func noise(n int, levelDBFS float64, seed uint64) PCM16 {
	out := make(PCM16, n)
	NewNoiseGenerator(levelDBFS, seed).Read(out)
	return out
}

// speech returns n samples of the speech-like test signal at levelDBFS.
func speech(n, rate int, levelDBFS float64, seed uint64) PCM16 {
	out := make(PCM16, n)
	NewSpeechLikeGenerator(rate, levelDBFS, seed).Read(out)
	return out
}

// speechFrame returns one 20 ms frame of speech-like signal for benchmarks.
func speechFrame(rate int) PCM16 {
	return speech(SamplesPerFrame(rate), rate, -20, 1)
}

// mix adds b into a (saturating) and returns a.
func mix(a, b PCM16) PCM16 {
	for i := range min(len(a), len(b)) {
		a[i] = sat16(float64(a[i]) + float64(b[i]))
	}
	return a
}

// concat joins signals.
func concat(parts ...PCM16) PCM16 {
	var out PCM16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// sineFit fits a·cos + b·sin + dc at freq to s by least squares and returns
// the fitted peak amplitude (fraction of full scale) and the ratio in dB of
// the fitted tone's power to the residual's (SINAD).
func sineFit(s PCM16, rate int, freq float64) (amp, sinadDB float64) {
	w := 2 * math.Pi * freq / float64(rate)
	// Normal equations for [cos, sin, 1].
	var m [3][3]float64
	var v [3]float64
	for i, x := range s {
		c, sn := math.Cos(w*float64(i)), math.Sin(w*float64(i))
		basis := [3]float64{c, sn, 1}
		for r := range 3 {
			v[r] += basis[r] * float64(x)
			for k := range 3 {
				m[r][k] += basis[r] * basis[k]
			}
		}
	}
	coef := solve3(m, v)
	var res, tone float64
	for i, x := range s {
		c, sn := math.Cos(w*float64(i)), math.Sin(w*float64(i))
		f := coef[0]*c + coef[1]*sn
		tone += f * f
		d := float64(x) - f - coef[2]
		res += d * d
	}
	amp = math.Hypot(coef[0], coef[1]) / 32768
	if res == 0 {
		return amp, 200
	}
	return amp, 10 * math.Log10(tone/res)
}

// solve3 solves a 3×3 linear system by Cramer's rule.
func solve3(m [3][3]float64, v [3]float64) [3]float64 {
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
			a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
			a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	var out [3]float64
	for c := range 3 {
		a := m
		for r := range 3 {
			a[r][c] = v[r]
		}
		out[c] = det(a) / d
	}
	return out
}

// db converts an amplitude ratio to decibels.
func db(ratio float64) float64 { return 20 * math.Log10(ratio) }

// randomChunks splits n into chunk sizes drawn from sizes, or random ones
// when sizes is empty.
func randomChunks(n int, rng *rand.Rand, sizes ...int) []int {
	var out []int
	for n > 0 {
		c := 1 + rng.IntN(700)
		if len(sizes) > 0 {
			c = sizes[len(out)%len(sizes)]
		}
		c = min(c, n)
		out = append(out, c)
		n -= c
	}
	return out
}

func TestSineFitHelper(t *testing.T) {
	amp, sinad := sineFit(sine(8000, 8000, 1000, 0.5), 8000, 1000)
	if math.Abs(db(amp/0.5)) > 0.01 || sinad < 80 {
		t.Fatalf("sineFit on a clean sine: amp %.4f sinad %.1f dB", amp, sinad)
	}
	s := mix(sine(8000, 8000, 1000, 0.5), noise(8000, -30, 1))
	_, sinad = sineFit(s, 8000, 1000)
	// Tone power -9 dBFS (peak 0.5), noise -30 dBFS: about 21 dB.
	if sinad < 19 || sinad > 23 {
		t.Fatalf("sineFit SINAD with noise = %.1f dB, want about 21", sinad)
	}
}
