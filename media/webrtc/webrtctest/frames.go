package webrtctest

import (
	"context"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// Frame is one 20 ms packet of audio at Rate, with the time it arrived
// (Received) or was sent (Sent).
type Frame struct {
	// At is the arrival or send time (monotonic clock).
	At time.Time
	// PCM is the packet's audio at Rate: 320 samples (a resampler start may
	// give a few less). Callers must not modify it.
	PCM audio.PCM16
	// Seq is the RTP sequence number of the packet.
	Seq uint16
}

// DBFS is the frame's RMS level in dB re full scale.
func (f Frame) DBFS() float64 { return audio.DBFS(f.PCM) }

// Loud reports whether the frame's level is above minDBFS.
func (f Frame) Loud(minDBFS float64) bool { return len(f.PCM) > 0 && f.DBFS() > minDBFS }

// FirstLoud returns the first frame at or after from whose level is above
// minDBFS.
func FirstLoud(frames []Frame, from time.Time, minDBFS float64) (Frame, bool) {
	for _, f := range frames {
		if !f.At.Before(from) && f.Loud(minDBFS) {
			return f, true
		}
	}
	return Frame{}, false
}

// LastLoud returns the last frame in [from, to) whose level is above
// minDBFS; a zero to means no upper bound.
func LastLoud(frames []Frame, from, to time.Time, minDBFS float64) (Frame, bool) {
	for i := len(frames) - 1; i >= 0; i-- {
		f := frames[i]
		if f.At.Before(from) {
			break
		}
		if (to.IsZero() || f.At.Before(to)) && f.Loud(minDBFS) {
			return f, true
		}
	}
	return Frame{}, false
}

// CountLoud counts the frames in [from, to) above minDBFS.
func CountLoud(frames []Frame, from, to time.Time, minDBFS float64) int {
	n := 0
	for _, f := range frames {
		if !f.At.Before(from) && f.At.Before(to) && f.Loud(minDBFS) {
			n++
		}
	}
	return n
}

// frameLog keeps the last frames of one direction. Overflow policy: when
// more than max are kept, the oldest half is dropped and counted.
type frameLog struct {
	mu      sync.Mutex
	frames  []Frame
	max     int
	dropped uint64
	changed chan struct{} // closed and replaced on every add
}

func newFrameLog(max int) *frameLog {
	return &frameLog{max: max, changed: make(chan struct{})}
}

func (l *frameLog) add(f Frame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.frames) >= l.max {
		drop := len(l.frames) - l.max/2
		l.frames = append(l.frames[:0], l.frames[drop:]...)
		l.dropped += uint64(drop)
	}
	l.frames = append(l.frames, f)
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *frameLog) snapshot() []Frame {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Frame(nil), l.frames...)
}

// wait returns once cond holds for the kept frames, checking again on
// every new frame, or when ctx or stop ends.
func (l *frameLog) wait(ctx context.Context, stop <-chan struct{}, cond func([]Frame) bool) error {
	for {
		l.mu.Lock()
		frames := append([]Frame(nil), l.frames...)
		ch := l.changed
		l.mu.Unlock()
		if cond(frames) {
			return nil
		}
		select {
		case <-ch:
		case <-stop:
			return ErrEnded
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *frameLog) droppedCount() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}
