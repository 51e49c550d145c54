package audio

import (
	"math"
	"slices"
	"testing"
)

func TestSignalGenerators(t *testing.T) {
	for _, rate := range []int{8000, 16000, 22050} {
		for _, level := range []float64{-40, -20, -10} {
			s := speech(10*rate, rate, level, 1)
			if got := DBFS(s); math.Abs(got-level) > 1.5 {
				t.Errorf("speech at %d Hz, %g dBFS: measured %.2f", rate, level, got)
			}
			n := noise(rate, level, 1)
			if got := DBFS(n); math.Abs(got-level) > 0.2 {
				t.Errorf("noise at %g dBFS: measured %.2f", level, got)
			}
		}
	}
	if !slices.Equal(speech(1000, 8000, -20, 3), speech(1000, 8000, -20, 3)) {
		t.Error("speech is not deterministic for a seed")
	}
	if slices.Equal(speech(1000, 8000, -20, 3), speech(1000, 8000, -20, 4)) {
		t.Error("different seeds gave the same speech")
	}
	if slices.Equal(noise(1000, -20, 3), noise(1000, -20, 4)) {
		t.Error("different seeds gave the same noise")
	}
	// Voiced speech: most power below 1 kHz, nothing above 3.6 kHz.
	s := speech(4*16000, 16000, -20, 5)
	if r := ToneRatio(s, 16000, 5000); r > 1e-4 {
		t.Errorf("speech has %.2g of its power at 5 kHz", r)
	}
	// The envelope dips between syllables, every 250 ms.
	frame := SamplesPerFrame(8000)
	s = speech(8000, 8000, -20, 6)
	peak, dip := DBFS(s[:frame]), DBFS(s[1000-frame/2:1000+frame/2])
	if peak-dip < 8 {
		t.Errorf("syllable peak %.1f dBFS, dip %.1f dBFS: envelope too flat", peak, dip)
	}
}
