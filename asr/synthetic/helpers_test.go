package synthetic

import (
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// speech returns d of speech-like audio at rate in 20 ms frames.
func speech(d time.Duration, rate int, seed uint64) []audio.PCM16 {
	g := audio.NewSpeechLikeGenerator(rate, -20, seed)
	return frames(d, rate, g.Read)
}

// silence returns d of digital silence at rate in 20 ms frames.
func silence(d time.Duration, rate int) []audio.PCM16 {
	return frames(d, rate, func(audio.PCM16) {})
}

// noise returns d of white noise at level dBFS.
func noise(d time.Duration, rate int, level float64) []audio.PCM16 {
	return frames(d, rate, audio.NewNoiseGenerator(level, 7).Read)
}

// keys returns in-band DTMF presses of digits: 150 ms tone, 40 ms pause.
func keys(t *testing.T, digits string, rate int) []audio.PCM16 {
	t.Helper()
	var out []audio.PCM16
	for _, d := range digits {
		tone := make(audio.PCM16, rate*150/1000)
		if _, err := audio.GenerateDTMF(tone, rate, d, 0.1); err != nil {
			t.Fatal(err)
		}
		spf := audio.SamplesPerFrame(rate)
		for len(tone) > 0 {
			k := min(spf, len(tone))
			out = append(out, tone[:k])
			tone = tone[k:]
		}
		out = append(out, silence(40*time.Millisecond, rate)...)
	}
	return out
}

func frames(d time.Duration, rate int, fill func(audio.PCM16)) []audio.PCM16 {
	spf := audio.SamplesPerFrame(rate)
	n := int(d / audio.FrameDuration)
	out := make([]audio.PCM16, n)
	for i := range out {
		out[i] = make(audio.PCM16, spf)
		fill(out[i])
	}
	return out
}

func concat(parts ...[]audio.PCM16) []audio.PCM16 {
	var out []audio.PCM16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func newRecognizer(t testing.TB, mod func(*Config)) *Recognizer {
	t.Helper()
	cfg := DefaultConfig()
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func write(t testing.TB, st asr.Stream, fs []audio.PCM16) {
	t.Helper()
	for _, f := range fs {
		if err := st.WriteSample(f); err != nil {
			t.Fatal(err)
		}
	}
}

// collect reads Results until it closes or the deadline passes.
func collect(t testing.TB, st asr.Stream, within time.Duration) []asr.Result {
	t.Helper()
	var out []asr.Result
	deadline := time.After(within)
	for {
		select {
		case r, ok := <-st.Results():
			if !ok {
				return out
			}
			out = append(out, r)
		case <-deadline:
			t.Fatalf("results not closed within %v (got %v)", within, out)
		}
	}
}

// finals returns the final results.
func finals(rs []asr.Result) []asr.Result {
	var out []asr.Result
	for _, r := range rs {
		if r.Final {
			out = append(out, r)
		}
	}
	return out
}

// checkGoroutines fails the test if goroutines started during it are still
// running shortly after it (and its other cleanups) finished. Register it
// first so it runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// near reports whether got is within tol of want.
func near(got, want, tol time.Duration) bool {
	return got >= want-tol && got <= want+tol
}
