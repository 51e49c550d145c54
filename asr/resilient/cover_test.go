package resilient

import (
	"testing"
	"time"
)

// TestCovered places the trim after a final for providers with and without
// timing, under normal and heavy lag, and on a noisy line.
func TestCovered(t *testing.T) {
	sec := func(d time.Duration) int64 { return int64(at(d)) }
	// Three utterances at 0.2, 2.2 and 4.2 s (each 0.75 s of tones).
	quiet := speech(utts, 600*time.Millisecond)
	noisy := append([]int16(nil), quiet...)
	for i := range noisy {
		if noisy[i] == 0 {
			noisy[i] = int16(2000 * (i%2*2 - 1)) // -24 dBFS hiss
		}
	}
	tests := []struct {
		name      string
		pcm       []int16
		trimmed   time.Duration // ring start before the final
		sent      time.Duration
		end       time.Duration // final's End in the inner stream, 0: unknown
		base      time.Duration
		want      time.Duration
		tolerance time.Duration
	}{
		// Final of utterance 0 right after the endpoint (2.0 s): the gap
		// lasts to sent, so trim at sent less the margin.
		{"untimed, on time", quiet, 0, 2100 * time.Millisecond, 0, 0, 2000 * time.Millisecond, 20 * time.Millisecond},
		// The same final 2.2 s late, when utterance 1 was sent whole: the
		// trim must still stop before it.
		{"untimed, late", quiet, 0, 4300 * time.Millisecond, 0, 0, 2100 * time.Millisecond, 20 * time.Millisecond},
		{"timed, late", quiet, 0, 4300 * time.Millisecond, 600 * time.Millisecond, 0, 2100 * time.Millisecond, 20 * time.Millisecond},
		// Final of utterance 1 after an earlier trim at 2.1 s.
		{"second utterance", quiet, 2100 * time.Millisecond, 4100 * time.Millisecond, 0, 0, 4000 * time.Millisecond, 20 * time.Millisecond},
		// Timed by an inner stream that started at 1.9 s.
		{"timed, replayed stream", quiet, 1900 * time.Millisecond, 5000 * time.Millisecond, 1100 * time.Millisecond, 1900 * time.Millisecond, 4100 * time.Millisecond, 20 * time.Millisecond},
		// No silence to find: fall back to sent - FinalLag.
		{"noisy line", noisy, 0, 2100 * time.Millisecond, 0, 0, 1500 * time.Millisecond, 0},
	}
	c := newCoverage(DefaultConfig(), rate)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRing(samples(30*time.Second, rate))
			r.write(tt.pcm[:at(tt.sent)])
			r.trim(sec(tt.trimmed))
			got := c.covered(&r, sec(tt.sent), sec(tt.base), sec(tt.end))
			if d := time.Duration(got-sec(tt.want)) * time.Second / rate; d < -tt.tolerance || d > tt.tolerance {
				t.Errorf("covered at %v, want %v", time.Duration(got)*time.Second/rate, tt.want)
			}
		})
	}
}

func TestReplayFrom(t *testing.T) {
	c := newCoverage(DefaultConfig(), rate)
	r := newRing(samples(30*time.Second, rate))
	r.write(make([]int16, at(5*time.Second))) // 5 s of silence
	if got := r.end - c.replayFrom(&r); got != int64(at(time.Second)) {
		t.Errorf("all silence: replays %d samples, want the last second", got)
	}
	r.write(speech(utts[:1], 0))
	if got, want := c.replayFrom(&r), int64(at(5*time.Second+leadIn-time.Second)); got < want-160 || got > want {
		t.Errorf("replay from %d, want 1 s before the first word at %d", got, want+int64(at(time.Second)))
	}
}

func TestVoiced(t *testing.T) {
	for _, tt := range []struct {
		amp  int16
		want bool
	}{{0, false}, {200, false}, {400, true}, {10000, true}} {
		p := make([]int16, 320)
		for i := range p {
			p[i] = tt.amp * int16(i%2*2-1)
		}
		if got := voiced(p); got != tt.want {
			t.Errorf("voiced(±%d) = %v", tt.amp, got)
		}
	}
}
