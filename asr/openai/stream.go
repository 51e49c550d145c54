package openai

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
	// wavHeaderBytes is the size of audio.WriteWAV's canonical header.
	wavHeaderBytes = 44
	// minAudio is the shortest upload the API takes ("Audio file is too
	// short. Minimum audio length is 0.1 seconds."); shorter utterances
	// end the stream cleanly without a request.
	minAudio = 100 * time.Millisecond
)

// Stream buffers one utterance and transcribes it on CloseSend. It
// implements asr.Stream: at most one Final result, then Results closes.
type Stream struct {
	r   *Recognizer
	log *slog.Logger
	max int // samples buffered at most

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards pcm and sendClosed. Nothing is called while holding it.
	mu         sync.Mutex
	pcm        audio.PCM16
	sendClosed bool
	sent       chan struct{} // closed by CloseSend

	// results holds the one final result; its capacity of 1 means the
	// sender never blocks, so there is no overflow policy to apply.
	results    chan asr.Result
	dropped    atomic.Uint64
	warnedDrop atomic.Bool
	closing    atomic.Bool

	errMu sync.Mutex
	err   error
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer) *Stream {
	sctx, cancel := context.WithCancel(ctx)
	s := &Stream{
		r:       r,
		log:     r.log,
		max:     r.cfg.maxSamples(),
		ctx:     sctx,
		cancel:  cancel,
		sent:    make(chan struct{}),
		results: make(chan asr.Result, 1),
	}
	s.wg.Add(1)
	go s.run()
	return s
}

// SampleRate is Config.SampleRate.
func (s *Stream) SampleRate() int { return s.r.cfg.SampleRate }

// WriteSample appends pcm to the utterance; it never blocks on the network.
// Beyond Config.MaxUtterance the frame is dropped, counted (see Dropped)
// and nil is returned. After CloseSend, Close or the end of the stream it
// returns an error wrapping asr.ErrClosed.
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	accepted, open := s.appendPCM(pcm)
	if !open {
		if err := s.Err(); err != nil {
			return fmt.Errorf("%w: %w", asr.ErrClosed, err)
		}
		return asr.ErrClosed
	}
	if !accepted {
		if s.dropped.Add(1); !s.warnedDrop.Swap(true) {
			s.log.Warn("openai: utterance longer than max_utterance, dropping audio",
				"max_utterance", s.r.cfg.MaxUtterance)
		}
	}
	return nil
}

func (s *Stream) appendPCM(pcm audio.PCM16) (accepted, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendClosed || s.ctx.Err() != nil {
		return false, false
	}
	if len(s.pcm)+len(pcm) > s.max {
		return false, true
	}
	s.pcm = append(s.pcm, pcm...)
	return true, true
}

// CloseSend ends the utterance: the buffered audio is uploaded and the
// reply becomes the stream's final result. Calling it again is a no-op.
func (s *Stream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sendClosed {
		s.sendClosed = true
		close(s.sent)
	}
	return nil
}

// Results yields at most one final result; it is closed when the stream has ended.
func (s *Stream) Results() <-chan asr.Result { return s.results }

// Err reports why the stream ended: nil after a clean end or Close; a
// *StatusError (wrapping ErrStatus), an error wrapping ErrRequest or
// asr.ErrProtocol, or the context's error. It is final once Results is closed.
func (s *Stream) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close abandons the stream: it cancels a request in flight and waits for
// the stream's goroutine.
func (s *Stream) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	s.sendClosed = true
	s.pcm = nil
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// Dropped is how many written frames were dropped beyond Config.MaxUtterance.
func (s *Stream) Dropped() uint64 { return s.dropped.Load() }

// run waits for the end of the utterance, makes the request and is the only
// sender on results.
func (s *Stream) run() {
	defer s.wg.Done()
	defer close(s.results)
	defer s.cancel()
	select {
	case <-s.sent:
	case <-s.ctx.Done():
		s.fail(s.ctx.Err())
		return
	}
	pcm := s.take()
	rate := s.r.cfg.SampleRate
	if d := audio.Duration(len(pcm), rate); d < minAudio {
		s.log.Debug("openai: utterance too short to send", "audio", d)
		return
	}
	began := time.Now()
	res, ok, err := s.r.transcribe(s.ctx, pcm)
	if err != nil {
		s.fail(err)
		return
	}
	s.log.Debug("openai: transcribed", "audio", audio.Duration(len(pcm), rate),
		"took", time.Since(began), "speech", ok, "dropped_frames", s.dropped.Load())
	if ok {
		s.results <- res
	}
}

// take hands the buffered utterance over to the request.
func (s *Stream) take() audio.PCM16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	pcm := s.pcm
	s.pcm = nil
	return pcm
}

// fail records the first error that ends the stream, unless Close ended it.
func (s *Stream) fail(err error) {
	if s.closing.Load() {
		return
	}
	s.log.Warn("openai: transcription failed", "err", err)
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}
