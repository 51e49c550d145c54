package sim

import (
	"math"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
)

// jitterGapMax is the longest interval between two received frames that is
// still taken as the bot's packet timing: longer gaps are pauses in its
// speech (nothing queued, or playback held for a caller's backchannel), not
// late packets. The server's pacer counts larger stalls itself (send-late).
const jitterGapMax = 100 * time.Millisecond

// frameSamples is one 20 ms frame at 8 kHz.
const frameSamples = 160

// span is one bot utterance: arrival of its first and last loud frames.
type span struct{ start, end time.Time }

// monitor listens to what the caller hears: it is the rtp.Session's sink,
// called from the session's reading goroutine with one 20 ms frame at a
// time. It finds bot utterances by energy, times the bot's packets and
// records the audio when asked. The driver reads it under mu; notify (cap
// 1, a full channel already says "something changed") wakes the driver when
// an utterance starts.
type monitor struct {
	loud   int64 // sum of squares of a 20 ms frame at the loud level
	gap    time.Duration
	notify chan struct{}

	mu       sync.Mutex
	spans    []span
	lastAt   time.Time // arrival of the previous frame
	frames   uint64
	jitter   Histogram
	record   bool
	recStart time.Time
	rec      audio.PCM16
}

func newMonitor(loudDBFS float64, gap time.Duration, record bool, start time.Time) *monitor {
	p := math.Pow(10, loudDBFS/10) * 32768 * 32768 * frameSamples
	return &monitor{loud: int64(p), gap: gap, notify: make(chan struct{}, 1),
		record: record, recStart: start}
}

// SampleRate implements audio.Writer: the session's rate.
func (m *monitor) SampleRate() int { return rtp.Rate }

// WriteSample implements audio.Writer; it never fails and keeps nothing of s.
func (m *monitor) WriteSample(s audio.PCM16) error {
	m.frame(s, time.Now())
	return nil
}

// WriteSampleAt implements rtp.ArrivalWriter: s came in a packet that
// arrived at `arrived` (the kernel's timestamp).
func (m *monitor) WriteSampleAt(s audio.PCM16, arrived time.Time) error {
	m.frame(s, arrived)
	return nil
}

// frame takes one frame that arrived at now.
func (m *monitor) frame(s audio.PCM16, now time.Time) {
	var sum int64
	for _, v := range s {
		sum += int64(v) * int64(v)
	}
	// Scale frames of another length to 160 samples.
	loud := len(s) > 0 && sum*frameSamples >= m.loud*int64(len(s))
	onset := false
	m.mu.Lock()
	if !m.lastAt.IsZero() {
		if d := now.Sub(m.lastAt); d <= jitterGapMax {
			m.jitter.Add((d - audio.FrameDuration).Abs())
		}
	}
	m.lastAt = now
	m.frames++
	if loud {
		n := len(m.spans)
		if n > 0 && now.Sub(m.spans[n-1].end) <= m.gap {
			m.spans[n-1].end = now
		} else {
			m.spans = append(m.spans, span{start: now, end: now})
			onset = true
		}
	}
	if m.record {
		m.appendRecord(s, now)
	}
	m.mu.Unlock()
	if onset {
		select {
		case m.notify <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// appendRecord adds s to the recording, first padding with silence the
// time in which no frame came (so the file keeps the call's timeline).
func (m *monitor) appendRecord(s audio.PCM16, now time.Time) {
	at := int(now.Sub(m.recStart) * rtp.Rate / time.Second) // sample index where s starts
	if gap := at - len(m.rec); gap > frameSamples {
		m.rec = append(m.rec, make(audio.PCM16, gap)...)
	}
	m.rec = append(m.rec, s...)
}

// utteranceSince returns the start of the first bot utterance still going
// on at t (its last loud frame within the gap before t) or begun after t.
func (m *monitor) utteranceSince(t time.Time) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sp := range m.spans {
		if !sp.end.Before(t.Add(-m.gap)) {
			return sp.start, true
		}
	}
	return time.Time{}, false
}

// lastLoud returns the arrival of the last loud frame (zero if none).
func (m *monitor) lastLoud() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.spans); n > 0 {
		return m.spans[n-1].end
	}
	return time.Time{}
}

// snapshot returns a copy of the utterances so far.
func (m *monitor) snapshot() []span {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]span(nil), m.spans...)
}

// results returns the packet timing histogram and the recording.
func (m *monitor) results() (Histogram, audio.PCM16, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.jitter, m.rec, m.frames
}

// talkingAt returns the utterance the bot was still speaking at t: begun
// at or before t, with a loud frame at or after t. (An utterance that
// paused just before t counts only if it goes on after t: a caller who
// starts in the quiet after the bot's last word is not barging in.)
func talkingAt(spans []span, t time.Time) (span, bool) {
	for _, sp := range spans {
		if !sp.start.After(t) && !sp.end.Before(t) {
			return sp, true
		}
	}
	return span{}, false
}

// firstAfter returns the first utterance that starts after t and before
// limit (zero limit: no limit).
func firstAfter(spans []span, t, limit time.Time) (span, bool) {
	for _, sp := range spans {
		if sp.start.After(t) && (limit.IsZero() || sp.start.Before(limit)) {
			return sp, true
		}
	}
	return span{}, false
}
