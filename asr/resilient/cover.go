package resilient

import (
	"time"

	"github.com/yuecall/yuecall/audio"
)

// coverage finds, in the replay buffer, where the audio of a final result
// ends. A final arrives some time after the provider decided it; audio
// handed over meanwhile was still in flight, and under load that can be
// seconds. An endpointed final ends in silence at least as long as the
// provider's endpoint rule, so the final's audio ends in the first run of
// at least gap silence after the final's words:
//
//   - if the provider timed the final (End), after End;
//   - otherwise after the first voiced audio left in the buffer (the
//     previous trim lies in the silence before it), which keeps every word
//     but may replay words a final already covered when the provider joined
//     utterances across a shorter pause;
//
// and the buffer is trimmed at the end of that run, less a margin for a
// soft onset of the next words. Without such a run before sent-lag (a noisy
// line, a final forced mid-speech) it is trimmed at sent-lag.
type coverage struct {
	lag, gap, margin int64 // samples
	win              int64 // samples per classification window (10 ms)
	lead             int64 // silence kept before the first voiced audio on replay
}

func newCoverage(cfg Config, rate int) coverage {
	return coverage{
		lag:    int64(samples(cfg.FinalLag, rate)),
		gap:    int64(samples(cfg.FinalLag, rate)),
		margin: int64(samples(100*time.Millisecond, rate)),
		win:    int64(max(audio.SamplesPerFrame(rate)/2, 1)),
		lead:   int64(samples(time.Second, rate)),
	}
}

// covered returns the position before which a final covers the audio: it
// arrived when audio up to sent had been handed to the inner stream that
// started at base, and ends at end samples into that stream (<= 0: unknown).
func (c coverage) covered(r *ring, sent, base, end int64) int64 {
	pos := sent - c.lag
	from := r.start
	if end > 0 {
		from = max(from, base+end)
	} else if v, ok := c.nextVoiced(r, from, pos); ok {
		from = v
	} else {
		return pos
	}
	start, stop, ok := c.gapAfter(r, from, sent)
	if !ok || start > pos {
		if end > 0 {
			return min(pos, base+end+c.lag)
		}
		return pos
	}
	return stop - c.margin
}

// replayFrom is where a replay starts: the oldest audio, less any silence
// longer than lead before the first voiced audio.
func (c coverage) replayFrom(r *ring) int64 {
	v, ok := c.nextVoiced(r, r.start, r.end)
	if !ok {
		v = r.end
	}
	return max(r.start, v-c.lead)
}

// nextVoiced returns the start of the first voiced window in [from, to).
func (c coverage) nextVoiced(r *ring, from, to int64) (int64, bool) {
	for p := from; p+c.win <= to; p += c.win {
		if !r.silent(p, p+c.win) {
			return p, true
		}
	}
	return 0, false
}

// gapAfter finds the first run of at least gap silent windows starting in
// [from, to) and returns where it starts and stops (to, if it lasts).
func (c coverage) gapAfter(r *ring, from, to int64) (start, stop int64, ok bool) {
	start = -1
	p := from
	for ; p+c.win <= to; p += c.win {
		if !r.silent(p, p+c.win) {
			if ok {
				return start, p, true
			}
			start = -1
			continue
		}
		if start < 0 {
			start = p
		}
		ok = p+c.win-start >= c.gap
	}
	return start, p, ok
}

// silent reports whether [a, b) (at most 480 samples) is below the voiced
// level; audio no longer held counts as voiced.
func (r *ring) silent(a, b int64) bool {
	if a < r.start || b > r.end {
		return false
	}
	var w [480]int16
	n := r.read(a, w[:min(b-a, int64(len(w)))])
	return n > 0 && !voiced(w[:n])
}
