package synthetic

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// resultsCap is the capacity of Results. Overflow policy: a partial is
// sent only while more than one slot is free and is otherwise dropped and
// counted (Dropped, Stats.PartialsDropped); the last slot is kept for the
// final result, which is sent after the last partial, so it always fits
// and no send ever blocks.
const resultsCap = 8

// Stream is one synthetic utterance. It implements asr.Stream: partial
// results while speech flows, at most one final result Config.Latency
// after CloseSend, then Results closes.
type Stream struct {
	r       *Recognizer
	results chan asr.Result
	stopCtx func() bool // unregisters the context.AfterFunc

	// mu guards everything below. Holding it, the stream only does
	// arithmetic and non-blocking sends on results.
	mu         sync.Mutex
	m          meter
	pos        int64 // samples written, windows completed
	speech     int64 // samples of speech (voiced, not DTMF)
	first      int64 // start of the first speech window, -1 before it
	last       int64 // end of the last speech window
	decided    bool  // enough speech for a final: the DTMF check is off
	nextPart   int64 // speech at which the next partial is due
	pick       int   // transcript index, -1 until chosen
	sendClosed bool
	ended      bool
	timer      *time.Timer
	dropped    uint64
	err        error
}

var _ asr.Stream = (*Stream)(nil)

func openStream(ctx context.Context, r *Recognizer) *Stream {
	s := &Stream{
		r:        r,
		results:  make(chan asr.Result, resultsCap),
		first:    -1,
		pick:     -1,
		nextPart: r.partialEvery,
	}
	s.m.reset(true)
	r.stats.streams.Add(1)
	r.stats.active.Add(1)
	// An ended ctx runs the callback at once, on its own goroutine; it
	// does not read stopCtx, which is set before Open returns.
	s.stopCtx = context.AfterFunc(ctx, func() { s.cancelled(ctx) })
	return s
}

// SampleRate is Config.SampleRate.
func (s *Stream) SampleRate() int { return s.r.cfg.SampleRate }

// WriteSample measures pcm; it never blocks and keeps no audio. After
// CloseSend, Close or the end of the stream it returns an error wrapping
// asr.ErrClosed.
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendClosed || s.ended {
		if s.err != nil {
			return fmt.Errorf("%w: %w", asr.ErrClosed, s.err)
		}
		return asr.ErrClosed
	}
	fl := s.r.frameLen
	for len(pcm) > 0 {
		k := min(len(pcm), fl-s.m.n)
		s.m.add(pcm[:k], s.r.coef, fl, s.r.voicePower)
		pcm = pcm[k:]
		if s.m.n == fl {
			s.endWindow()
		}
	}
	return nil
}

// endWindow classifies the window just completed (or the partial one left
// at CloseSend) and emits a partial when one is due. Called with mu held.
func (s *Stream) endWindow() {
	r, n := s.r, int64(s.m.n)
	if s.m.voiced(r.voicePower) && !s.m.dtmf(r.coef) {
		if s.first < 0 {
			s.first = s.pos
		}
		s.speech += n
		s.last = s.pos + n
		s.decided = s.decided || s.speech >= max(r.minVoiced, 1)
		s.partial()
	}
	s.pos += n
	s.m.reset(!s.decided)
}

// partial sends a partial result if one is due. Called with mu held.
func (s *Stream) partial() {
	pe := s.r.partialEvery
	if pe <= 0 || s.speech < s.nextPart {
		return
	}
	s.nextPart = (s.speech/pe + 1) * pe
	if len(s.results) >= resultsCap-1 {
		s.dropped++
		s.r.stats.dropped.Add(1)
		return
	}
	if s.pick < 0 {
		s.pick = s.r.pick()
	}
	s.results <- asr.Result{
		Text:  s.r.partialText(s.pick, s.speech),
		Start: s.dur(s.first),
		End:   s.dur(s.last),
	}
	s.r.stats.partials.Add(1)
}

func (s *Stream) dur(n int64) time.Duration { return audio.Duration(int(n), s.r.cfg.SampleRate) }

// CloseSend ends the utterance: the final result follows Config.Latency
// later. Calling it again is a no-op.
func (s *Stream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendClosed || s.ended {
		return nil
	}
	s.sendClosed = true
	if s.m.n > 0 {
		s.endWindow()
	}
	s.timer = time.AfterFunc(s.r.cfg.Latency, s.finish)
	return nil
}

// finish sends the final result, if the utterance had enough speech, and
// ends the stream. It runs on the timer's goroutine.
func (s *Stream) finish() {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	r := s.r
	if s.speech > 0 && s.speech >= r.minVoiced {
		if s.pick < 0 {
			s.pick = r.pick()
		}
		s.results <- asr.Result{
			Text:  r.cfg.Transcripts[s.pick],
			Final: true,
			Start: s.dur(s.first),
			End:   s.dur(s.last),
		}
		r.stats.finals.Add(1)
	} else {
		r.stats.empty.Add(1)
	}
	s.end(nil)
	s.mu.Unlock()
	s.stopCtx()
}

// cancelled ends the stream with the context's error.
func (s *Stream) cancelled(ctx context.Context) {
	s.mu.Lock()
	ended := s.end(ctx.Err())
	s.mu.Unlock()
	if ended {
		s.r.log.Debug("synthetic: stream cancelled", "err", ctx.Err())
	}
}

// end closes results once and records err. Called with mu held; it
// reports whether this call ended the stream.
func (s *Stream) end(err error) bool {
	if s.ended {
		return false
	}
	s.ended, s.err = true, err
	if s.timer != nil {
		s.timer.Stop()
	}
	close(s.results)
	s.r.stats.active.Add(^uint64(0))
	return true
}

// Results yields partial results and at most one final; it is closed when
// the stream has ended.
func (s *Stream) Results() <-chan asr.Result { return s.results }

// Err reports why the stream ended: nil after a clean end or Close, the
// context's error after it was cancelled.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close abandons the stream at once: no final result follows. It is safe
// to call more than once and concurrently with the other methods.
func (s *Stream) Close() error {
	s.mu.Lock()
	s.end(nil)
	s.mu.Unlock()
	s.stopCtx()
	return nil
}

// Dropped is how many partials were dropped because Results was full.
func (s *Stream) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}
