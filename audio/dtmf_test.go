package audio

import (
	"fmt"
	"math"
	"testing"
	"time"
)

const allDTMF = "123A456B789C*0#D"

// dtmfSignal builds a test signal from segments: a digit rune plays that key
// for the duration, 0 is a pause. Each tone has peak amp per component.
type seg struct {
	key rune
	dur time.Duration
}

func dtmfSignal(t testing.TB, rate int, amp float64, segs ...seg) PCM16 {
	t.Helper()
	var out PCM16
	for _, s := range segs {
		buf := make(PCM16, int(s.dur.Seconds()*float64(rate)))
		if s.key != 0 {
			if _, err := GenerateDTMF(buf, rate, s.key, amp); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, buf...)
	}
	return out
}

// detect feeds s to a new detector in 20 ms frames and returns the keys.
func detect(s PCM16, rate int) string {
	d := NewDTMFDetector(rate)
	var got []rune
	n := SamplesPerFrame(rate)
	for len(s) > 0 {
		k := min(n, len(s))
		if r, ok := d.Process(s[:k]); ok {
			got = append(got, r)
		}
		s = s[k:]
	}
	for {
		r, ok := d.Process(nil)
		if !ok {
			break
		}
		got = append(got, r)
	}
	return string(got)
}

func TestDTMFAllDigits(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, dur := range []time.Duration{40, 60, 100} {
			for _, snr := range []float64{math.Inf(1), 15} {
				dur := dur * time.Millisecond
				name := fmt.Sprintf("%dHz_%v_snr%g", rate, dur, snr)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					for i, key := range allDTMF {
						// Lead-ins of odd lengths so tones start off the hop grid.
						lead := time.Duration(37+7*i) * time.Millisecond
						s := dtmfSignal(t, rate, 0.1, seg{0, lead}, seg{key, dur}, seg{0, 100 * time.Millisecond})
						if !math.IsInf(snr, 1) {
							// Each tone has power 0.1²/2, the pair -20 dBFS.
							mix(s, noise(len(s), -20-snr, uint64(i)))
						}
						if got := detect(s, rate); got != string(key) {
							t.Errorf("key %q: detected %q", key, got)
						}
					}
				})
			}
		}
	}
}

func TestDTMFPresses(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name  string
		amp   float64
		segs  []seg
		want  string
		noise float64 // dBFS of added white noise, 0 for none
	}{
		{"same key twice, 40 ms gap", 0.1, []seg{{0, ms(50)}, {'5', ms(60)}, {0, ms(40)}, {'5', ms(60)}, {0, ms(60)}}, "55", 0},
		{"same key twice, 40 ms gap in noise", 0.1, []seg{{0, ms(50)}, {'5', ms(60)}, {0, ms(40)}, {'5', ms(60)}, {0, ms(60)}}, "55", -35},
		{"same key twice, 20 ms gap", 0.1, []seg{{0, ms(50)}, {'5', ms(60)}, {0, ms(20)}, {'5', ms(60)}, {0, ms(60)}}, "5", 0},
		{"same key twice, 100 ms gap", 0.1, []seg{{'#', ms(100)}, {0, ms(100)}, {'#', ms(100)}, {0, ms(60)}}, "##", 0},
		{"long press", 0.1, []seg{{0, ms(33)}, {'7', ms(2000)}, {0, ms(100)}}, "7", 0},
		{"long press with 20 ms dropout", 0.1, []seg{{'7', ms(300)}, {0, ms(20)}, {'7', ms(300)}}, "7", 0},
		{"key change without gap", 0.1, []seg{{'1', ms(80)}, {'2', ms(80)}, {0, ms(50)}}, "12", 0},
		{"20 ms blip", 0.1, []seg{{0, ms(41)}, {'3', ms(20)}, {0, ms(100)}}, "", 0},
		{"25 ms blip", 0.1, []seg{{0, ms(43)}, {'3', ms(25)}, {0, ms(100)}}, "", 0},
		{"quiet keys", 0.005, []seg{{'3', ms(100)}, {0, ms(100)}}, "", 0},
		{"loud keys", 0.45, []seg{{'3', ms(100)}, {0, ms(100)}}, "3", 0},
		{"all keys, 50 ms each", 0.1, interleave(allDTMF, ms(50), ms(50)), allDTMF, 0},
	}
	for _, tc := range tests {
		for _, rate := range []int{8000, 16000} {
			s := dtmfSignal(t, rate, tc.amp, tc.segs...)
			if tc.noise != 0 {
				mix(s, noise(len(s), tc.noise, 11))
			}
			if got := detect(s, rate); got != tc.want {
				t.Errorf("%s at %d Hz: detected %q, want %q", tc.name, rate, got, tc.want)
			}
		}
	}
}

func interleave(keys string, on, off time.Duration) []seg {
	var out []seg
	for _, k := range keys {
		out = append(out, seg{k, on}, seg{0, off})
	}
	return out
}

// TestDTMFTwistAndTolerance checks the level difference between the two
// tones (twist) and small frequency deviations.
func TestDTMFTwistAndTolerance(t *testing.T) {
	tests := []struct {
		name          string
		rowAmp, colDB float64 // column level relative to the row, dB
		dev           float64 // relative frequency deviation of both tones
		want          string
	}{
		{"equal", 0.1, 0, 0, "8"},
		{"column 6 dB up", 0.1, 6, 0, "8"},
		{"column 6 dB down", 0.1, -6, 0, "8"},
		{"column 12 dB up", 0.05, 12, 0, ""},
		{"column 12 dB down", 0.1, -12, 0, ""},
		{"1.5% high", 0.1, 0, 0.015, "8"},
		{"1.5% low", 0.1, 0, -0.015, "8"},
		{"4% high", 0.1, 0, 0.04, ""},
		{"4% low", 0.1, 0, -0.04, ""},
		{"row only", 0.1, -200, 0, ""},
	}
	for _, tc := range tests {
		for _, rate := range []int{8000, 16000} {
			n := rate / 10
			row := sine(n, rate, 852*(1+tc.dev), tc.rowAmp)
			col := sine(n, rate, 1336*(1+tc.dev), tc.rowAmp*math.Pow(10, tc.colDB/20))
			s := concat(make(PCM16, rate/50), mix(row, col), make(PCM16, rate/10))
			if got := detect(s, rate); got != tc.want {
				t.Errorf("%s at %d Hz: detected %q, want %q", tc.name, rate, got, tc.want)
			}
		}
	}
}

// TestDTMFTalkOff runs 60 s of speech-like signal in noise (20 s each at
// -30, -20 and -10 dBFS, different talkers) and 60 s of noise alone through
// the detector: no key may be reported.
func TestDTMFTalkOff(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		t.Run(fmt.Sprintf("%dHz", rate), func(t *testing.T) {
			t.Parallel()
			n := 20 * rate
			var talk, hiss PCM16
			for i, level := range []float64{-30, -20, -10} {
				seed := uint64(rate + i)
				talk = append(talk, mix(speech(n, rate, level, seed), noise(n, -45, seed))...)
				hiss = append(hiss, noise(n, level, seed)...)
			}
			if got := detect(talk, rate); got != "" {
				t.Errorf("speech gave keys %q", got)
			}
			if got := detect(hiss, rate); got != "" {
				t.Errorf("noise gave keys %q", got)
			}
		})
	}
}

func TestDTMFLongFrameQueue(t *testing.T) {
	s := dtmfSignal(t, 8000, 0.1, interleave("147", 60*time.Millisecond, 60*time.Millisecond)...)
	d := NewDTMFDetector(8000)
	var got []rune
	if r, ok := d.Process(s); ok {
		got = append(got, r)
	}
	for r, ok := d.Process(nil); ok; r, ok = d.Process(nil) {
		got = append(got, r)
	}
	if string(got) != "147" || d.Dropped() != 0 {
		t.Errorf("one long frame gave %q (dropped %d), want \"147\"", string(got), d.Dropped())
	}
	d.Process(s[:len(s)/3])
	d.Reset()
	if r, ok := d.Process(nil); ok {
		t.Errorf("Reset kept key %q", r)
	}
}

func TestDTMFDetectorNoAllocs(t *testing.T) {
	d := NewDTMFDetector(8000)
	frame := dtmfSignal(t, 8000, 0.1, seg{'9', 20 * time.Millisecond})
	if n := testing.AllocsPerRun(100, func() { d.Process(frame) }); n != 0 {
		t.Errorf("Process allocates %.1f times per frame", n)
	}
}

// BenchmarkDTMFDetectorFrame is one 20 ms frame of speech in noise, and of
// line noise alone (what a call hears most of the time: its quiet hops
// skip the filters).
func BenchmarkDTMFDetectorFrame(b *testing.B) {
	for _, bc := range []struct {
		name  string
		frame PCM16
	}{
		{"speech", mix(speechFrame(8000), noise(160, -45, 1))},
		{"line-noise-60dBFS", noise(160, -60, 2)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := NewDTMFDetector(8000)
			b.ReportAllocs()
			for b.Loop() {
				d.Process(bc.frame)
			}
		})
	}
}

// TestDTMFQuietHopsSkipFilters: a weak key pressed between stretches of
// line noise quiet enough for its hops to skip the filters is found once,
// and the noise alone finds nothing.
func TestDTMFQuietHopsSkipFilters(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, level := range []float64{-90, -70, -62} {
		quiet := noise(8000, level, 3)
		if got := detect(quiet, 8000); got != "" {
			t.Errorf("noise at %v dBFS: keys %q", level, got)
		}
		// amplitude 0.02: each tone at 2e-4 of full scale, twice the weakest accepted
		sig := dtmfSignal(t, 8000, 0.02, seg{0, ms(503)}, seg{'5', ms(80)}, seg{0, ms(500)})
		mix(sig, noise(len(sig), level, 4))
		if got := detect(sig, 8000); got != "5" {
			t.Errorf("noise at %v dBFS: keys %q, want \"5\"", level, got)
		}
	}
}
