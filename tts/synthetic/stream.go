package synthetic

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// stream plays the shared waveform for a fixed number of samples. Read is
// for one goroutine; Close may be called from any.
type stream struct {
	ctx   context.Context
	wave  audio.PCM16 // one period, shared, read-only
	rate  int
	total int       // samples in the stream
	ready time.Time // no audio before this

	pos     int // samples read; owned by Read
	started bool

	once sync.Once
	done chan struct{} // closed by Close
}

var _ tts.Stream = (*stream)(nil)

func newStream(ctx context.Context, wave audio.PCM16, rate int, d time.Duration, ready time.Time) *stream {
	return &stream{
		ctx:   ctx,
		wave:  wave,
		rate:  rate,
		total: int(int64(d) * int64(rate) / int64(time.Second)),
		ready: ready,
		done:  make(chan struct{}),
	}
}

// SampleRate is the rate asked for.
func (st *stream) SampleRate() int { return st.rate }

// Read fills p with the next samples. The first call waits until the
// synthesiser's latency has passed. It returns io.EOF after the last
// sample, ErrClosed after Close and the context's error once it is done.
func (st *stream) Read(p audio.PCM16) (int, error) {
	if err := st.wait(); err != nil {
		return 0, err
	}
	if st.pos >= st.total {
		return 0, io.EOF
	}
	n := min(len(p), st.total-st.pos)
	for k := 0; k < n; {
		off := (st.pos + k) % len(st.wave)
		k += copy(p[k:n], st.wave[off:])
	}
	st.pos += n
	return n, nil
}

// wait blocks until the first audio is due, then only checks that the
// stream is still wanted.
func (st *stream) wait() error {
	if st.started {
		select {
		case <-st.done:
			return ErrClosed
		case <-st.ctx.Done():
			return st.ctx.Err()
		default:
			return nil
		}
	}
	if d := time.Until(st.ready); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-st.done:
			return ErrClosed
		case <-st.ctx.Done():
			return st.ctx.Err()
		}
	}
	st.started = true
	return st.wait()
}

// Close abandons the stream and wakes a Read waiting for the first audio.
func (st *stream) Close() error {
	st.once.Do(func() { close(st.done) })
	return nil
}
