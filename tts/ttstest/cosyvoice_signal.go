package ttstest

import (
	"math"
	"time"
	"unicode"

	"github.com/yuecall/yuecall/audio"
)

// The CosyVoice double "speaks" each letter, digit or Chinese character of
// the text as a syllable: CosyVoiceSyllableHz plus its third harmonic under
// a raised-cosine envelope (peak CosyVoiceLevel of full scale), lasting
// CosyVoiceOptions.CharDuration divided by the rate parameter; punctuation
// and spaces are silent. So the audio is speech-like in rhythm, its length
// is proportional to the text, and tests can find the pitch to check the
// sample rate.
const (
	CosyVoiceSyllableHz = 200.0
	CosyVoiceLevel      = 0.4
)

// CosyVoiceSpoken counts the characters the double speaks in text.
func CosyVoiceSpoken(text string) int {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return n
}

// CosyVoiceDuration is how long the double speaks text with charDur per
// character at speed (the run-task "rate", 0.5..2).
func CosyVoiceDuration(text string, charDur time.Duration, speed float64) time.Duration {
	if speed <= 0 {
		speed = 1
	}
	return time.Duration(float64(CosyVoiceSpoken(text)) * float64(charDur) / speed)
}

// CosyVoiceSpeech is the audio the double sends for text at rate.
func CosyVoiceSpeech(text string, charDur time.Duration, speed float64, rate int) audio.PCM16 {
	syl := int(CosyVoiceDuration("x", charDur, speed) * time.Duration(rate) / time.Second)
	out := make(audio.PCM16, 0, CosyVoiceSpoken(text)*syl)
	for range CosyVoiceSpoken(text) {
		for i := range syl {
			env := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(syl))
			t := float64(len(out)) / float64(rate)
			v := 0.8*math.Sin(2*math.Pi*CosyVoiceSyllableHz*t) + 0.2*math.Sin(2*math.Pi*3*CosyVoiceSyllableHz*t)
			out = append(out, int16(math.Round(CosyVoiceLevel*env*v*32767)))
		}
	}
	return out
}
