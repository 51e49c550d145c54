package resilient

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

const (
	// resultBuffer is the capacity of Results. Overflow policy: partials
	// are dropped and counted (DroppedResults); finals wait for the
	// consumer, honouring Close.
	resultBuffer = 64
	// forwardChunk is the most audio passed to the inner stream in one
	// write, so a long replay interleaves with result handling.
	forwardChunk = 200 * time.Millisecond
	// pokeEvery is how much audio WriteSample gathers before it wakes the
	// owner to pass it on: three telephone frames per write to the
	// provider instead of one costs a third of the wake-ups (a node with
	// 1,000 calls made 50 a second per speaking caller). Streaming
	// recognisers work in chunks of 60 ms or more, and CloseSend wakes the
	// owner at once, so no final waits for it.
	pokeEvery = 60 * time.Millisecond
	// voicedPower is the mean square (int16 units) above which 10 ms of
	// audio counts as voiced for stall detection: -40 dBFS RMS.
	voicedPower = 328 * 328
)

// Stream is a resilient recognition session. It implements asr.Stream.
type Stream struct {
	r      *Recognizer
	rate   int
	log    *slog.Logger
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	// kick wakes the owner when audio or CloseSend arrives. Overflow
	// policy: a kick already pending covers the new one (cap 1).
	kick    chan struct{}
	results chan asr.Result

	mu          sync.Mutex // leaf lock: guards the fields below
	ring        ring
	unpoked     int // samples written since the owner was last woken
	sendClosed  bool
	closeSendAt time.Time
	segAudioAt  time.Time // first audio written since the last final
	provider    string
	ended       bool
	err         error

	closing        atomic.Bool
	droppedResults atomic.Uint64
	reconnects     atomic.Int64

	own owner // touched by the owner goroutine only
}

// owner is the state of the owner goroutine.
type owner struct {
	cur        *conn
	scratch    audio.PCM16
	segment    int  // segments delivered (finals)
	sawPartial bool // the open segment had a non-empty partial
	attempts   int  // reconnects in a row without a final since
	tier       int  // provider preferred for reconnects
	stall      *time.Timer
	armed      bool // stall is running
	cover      coverage
}

var _ asr.Stream = (*Stream)(nil)

func startStream(parent, ctx context.Context, cancel context.CancelFunc, r *Recognizer, c *conn) *Stream {
	rate := c.stream.SampleRate()
	s := &Stream{
		r:        r,
		rate:     rate,
		log:      r.log,
		parent:   parent,
		ctx:      ctx,
		cancel:   cancel,
		done:     make(chan struct{}),
		kick:     make(chan struct{}, 1),
		results:  make(chan asr.Result, resultBuffer),
		ring:     newRing(samples(r.cfg.ReplayBuffer, rate)),
		provider: c.name,
	}
	s.own = owner{
		cur:     c,
		scratch: getScratch(max(samples(forwardChunk, rate), 1)),
		tier:    c.tier,
		stall:   time.NewTimer(time.Hour),
		cover:   newCoverage(r.cfg, rate),
	}
	s.own.stall.Stop()
	go s.run()
	return s
}

// samples converts a duration of audio to a sample count at rate.
func samples(d time.Duration, rate int) int {
	return int(d * time.Duration(rate) / time.Second)
}

// SampleRate is the rate of the first inner stream; every later one must match.
func (s *Stream) SampleRate() int { return s.rate }

// WriteSample appends pcm to the replay buffer and wakes the owner, which
// passes it on; it never blocks on the provider. It returns an error
// wrapping asr.ErrClosed after CloseSend or Close, or once the stream has
// ended (wrapping Err too).
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	s.mu.Lock()
	if s.ended || s.sendClosed {
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("%w: %w", asr.ErrClosed, err)
		}
		return asr.ErrClosed
	}
	if len(pcm) > 0 {
		s.ring.write(pcm)
		if s.segAudioAt.IsZero() {
			s.segAudioAt = time.Now()
		}
	}
	s.unpoked += len(pcm)
	wake := s.unpoked >= samples(pokeEvery, s.rate)
	if wake {
		s.unpoked = 0
	}
	s.mu.Unlock()
	if wake {
		s.poke()
	}
	return nil
}

// poke wakes the owner without blocking.
func (s *Stream) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// CloseSend says no more audio follows: once all written audio has reached
// the provider it is told so (again after any later reconnect). Calling it
// again is a no-op.
func (s *Stream) CloseSend() error {
	s.mu.Lock()
	if !s.sendClosed {
		s.sendClosed = true
		s.closeSendAt = time.Now()
	}
	s.mu.Unlock()
	s.poke()
	return nil
}

// Results yields hypotheses from whichever inner stream is current, with
// segments numbered by the wrapper and Start/End from the wrapper stream's
// start. It is closed when the stream has ended.
func (s *Stream) Results() <-chan asr.Result { return s.results }

// Err reports why the stream ended: nil after a clean end, after Close, or
// while it runs (recovered failures included); an error wrapping
// ErrExhausted, or the cause of the context's end. It is final once Results
// is closed.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close abandons the stream: it cancels the owner (and any reconnect in
// progress) and waits for it and the inner stream to finish.
func (s *Stream) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	s.sendClosed = true
	s.mu.Unlock()
	s.cancel()
	<-s.done
	return nil
}

// Provider is the label of the provider currently serving the stream.
func (s *Stream) Provider() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.provider
}

// Reconnects is how many times the stream has moved to a new inner stream.
func (s *Stream) Reconnects() int { return int(s.reconnects.Load()) }

// DroppedResults is how many partials were dropped because the consumer
// of Results was behind.
func (s *Stream) DroppedResults() uint64 { return s.droppedResults.Load() }

// Evicted is how many samples fell out of the replay buffer before a final
// result covered them: audio a reconnect could no longer replay.
func (s *Stream) Evicted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ring.evicted
}

// finish records how the stream ended and closes Results.
func (s *Stream) finish(err error) {
	s.mu.Lock()
	s.ended, s.err = true, err
	s.ring.release() // nothing writes once ended; the owner is returning
	putRingBuf(s.own.scratch[:cap(s.own.scratch)])
	s.own.scratch = nil
	s.mu.Unlock()
	close(s.results)
}
