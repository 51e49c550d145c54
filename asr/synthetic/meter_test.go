package synthetic

import (
	"math"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// windows runs the meter over pcm window by window at rate and counts the
// voiced windows and those of them it takes for DTMF.
func windows(pcm audio.PCM16, rate int) (voiced, dtmf int) {
	coef := dtmfCoefs(rate)
	thr := levelPower(DefaultVoiceLevel)
	fl := audio.SamplesPerFrame(rate)
	var m meter
	for ; len(pcm) >= fl; pcm = pcm[fl:] {
		m.reset(true)
		m.add(pcm[:fl], coef, fl, thr)
		if m.voiced(thr) {
			voiced++
			if m.dtmf(coef) {
				dtmf++
			}
		}
	}
	return voiced, dtmf
}

// dualTone is a key press whose two tones are off their nominal
// frequencies by the factor dev, as some phones send them.
func dualTone(rate int, digit rune, dev float64, n int) audio.PCM16 {
	lo, hi, _ := audio.DTMFFrequencies(digit)
	out := make(audio.PCM16, n)
	for i := range out {
		t := float64(i) / float64(rate)
		v := math.Sin(2*math.Pi*lo*dev*t) + 0.8*math.Sin(2*math.Pi*hi*dev*t+1)
		out[i] = int16(3000 * v)
	}
	return out
}

func TestMeterTellsKeysFromSpeech(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		for seed := range uint64(6) {
			var pcm audio.PCM16
			for _, f := range speech(4e9, rate, seed) {
				pcm = append(pcm, f...)
			}
			voiced, dtmf := windows(pcm, rate)
			if voiced < 190 || dtmf > voiced/50 {
				t.Errorf("%d Hz speech seed %d: %d voiced windows of 200, %d taken for DTMF", rate, seed, voiced, dtmf)
			}
		}
		for _, digit := range "0123456789*#ABCD" {
			for _, dev := range []float64{0.985, 1, 1.015} {
				voiced, dtmf := windows(dualTone(rate, digit, dev, rate/5), rate)
				if voiced != 10 || dtmf != 10 {
					t.Errorf("%d Hz key %c ×%.3f: %d of %d voiced windows taken for DTMF", rate, digit, dev, dtmf, voiced)
				}
			}
		}
	}
}
