package azure

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// unknownSize is the placeholder RIFF and data size of the streaming WAV
// header (the value espeak-ng and other streaming writers use).
const unknownSize = 0x7FFFF000

// errAnswered stops the upload once the service has answered.
var errAnswered = errors.New("azure: the service answered")

// wavHeader is a 44-byte RIFF/WAVE header for 16-bit mono PCM at rate with
// placeholder sizes: the length is not known while the caller speaks.
func wavHeader(rate int) []byte {
	h := make([]byte, 44)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], unknownSize+36)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], 1) // PCM
	le.PutUint16(h[22:], 1) // mono
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*2))
	le.PutUint16(h[32:], 2)
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], unknownSize)
	return h
}

// Stream is one utterance uploaded as it is spoken. It implements
// asr.Stream: at most one Final result, then Results closes.
type Stream struct {
	r          *Recognizer
	log        *slog.Logger
	maxSamples int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards sendClosed, queued and sending on queue, so CloseSend
	// cannot close the channel under a concurrent WriteSample.
	mu         sync.Mutex
	sendClosed bool
	queued     int // samples accepted
	// queue carries PCM frames to the pump. Overflow policy: the new frame
	// is dropped, counted in dropped, and logged once.
	queue chan *[]byte

	// results holds the one final result; its capacity of 1 means the
	// sender never blocks.
	results    chan asr.Result
	dropped    atomic.Uint64
	sentBytes  atomic.Int64
	warnedFull atomic.Bool
	warnedCap  atomic.Bool
	closing    atomic.Bool

	errMu sync.Mutex
	err   error
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer) *Stream {
	life := r.maxAudio + r.cfg.ConnectTimeout + 2*r.cfg.Timeout
	sctx, cancel := context.WithTimeoutCause(ctx, life,
		fmt.Errorf("%w: request still open after %v", ErrRequest, life))
	s := &Stream{
		r:          r,
		log:        r.log,
		maxSamples: int(r.maxAudio * time.Duration(r.cfg.SampleRate) / time.Second),
		ctx:        sctx,
		cancel:     cancel,
		queue:      make(chan *[]byte, r.cfg.SendBuffer),
		results:    make(chan asr.Result, 1),
	}
	s.wg.Add(1)
	go s.run()
	return s
}

// SampleRate is 16000.
func (s *Stream) SampleRate() int { return s.r.cfg.SampleRate }

// enqueue outcomes.
const (
	queued = iota
	closed
	empty
	full
	overCap
)

// WriteSample queues pcm for upload without blocking. A frame that finds
// the queue full, or that would take the request past MaxAudio, is dropped,
// counted (see Dropped) and nil is returned. After CloseSend, Close or the
// end of the stream it returns an error wrapping asr.ErrClosed.
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	bp := s.getBuf()
	for _, v := range pcm {
		*bp = binary.LittleEndian.AppendUint16(*bp, uint16(v))
	}
	res := s.enqueue(bp, len(pcm))
	if res == queued {
		return nil
	}
	s.r.pool.Put(bp)
	switch res { // empty: nothing to send, not an error
	case closed:
		if err := s.Err(); err != nil {
			return fmt.Errorf("%w: %w", asr.ErrClosed, err)
		}
		return asr.ErrClosed
	case full:
		if s.dropped.Add(1); !s.warnedFull.Swap(true) {
			s.log.Warn("azure: send queue full, dropping audio", "buffer_frames", s.r.cfg.SendBuffer)
		}
	case overCap:
		if s.dropped.Add(1); !s.warnedCap.Swap(true) {
			s.log.Warn("azure: utterance longer than the REST limit, dropping audio", "max", s.r.maxAudio)
		}
	}
	return nil
}

func (s *Stream) enqueue(bp *[]byte, n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.sendClosed || s.ctx.Err() != nil:
		return closed
	case n == 0:
		return empty
	case s.queued+n > s.maxSamples:
		return overCap
	}
	select {
	case s.queue <- bp:
		s.queued += n
		return queued
	default:
		return full
	}
}

func (s *Stream) getBuf() *[]byte {
	if bp, ok := s.r.pool.Get().(*[]byte); ok {
		*bp = (*bp)[:0]
		return bp
	}
	b := make([]byte, 0, 2*audio.SamplesPerFrame(s.r.cfg.SampleRate))
	return &b
}

// CloseSend ends the utterance: queued audio is uploaded, the request body
// ends and the reply becomes the stream's result. Calling it again is a no-op.
func (s *Stream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sendClosed {
		s.sendClosed = true
		close(s.queue)
	}
	return nil
}

// Results yields at most one final result; it is closed when the stream has ended.
func (s *Stream) Results() <-chan asr.Result { return s.results }

// Err reports why the stream ended: nil after a clean end (also NoMatch and
// the silence timeouts) or Close; a *StatusError (wrapping ErrStatus), an
// error wrapping ErrRequest, ErrToken, ErrRecognition or asr.ErrProtocol,
// or the context's error. It is final once Results is closed.
func (s *Stream) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close abandons the stream: it cancels the request and waits for the
// stream's goroutines.
func (s *Stream) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	s.sendClosed = true // the queue is left to the collector
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// Dropped is how many written frames were dropped: queue full or past MaxAudio.
func (s *Stream) Dropped() uint64 { return s.dropped.Load() }

// run owns the request and is the only sender on results.
func (s *Stream) run() {
	defer s.wg.Done()
	defer close(s.results)
	defer s.cancel()
	began := time.Now()
	res, ok, err := s.recognize()
	if err != nil {
		s.fail(err)
		return
	}
	s.log.Debug("azure: recognised", "took", time.Since(began), "speech", ok,
		"sent_bytes", s.sentBytes.Load(), "dropped_frames", s.dropped.Load())
	if ok {
		s.results <- res
	}
}

// recognize makes the request, feeding its body from the queue, and parses the reply.
func (s *Stream) recognize() (asr.Result, bool, error) {
	name, value, token, err := s.r.auth(s.ctx)
	if err != nil {
		if s.ctx.Err() != nil {
			return asr.Result{}, false, s.r.classify(s.ctx, err)
		}
		return asr.Result{}, false, err
	}
	pr, pw := io.Pipe()
	req, err := s.r.newRequest(s.ctx, pr, name, value)
	if err != nil {
		return asr.Result{}, false, err
	}
	stop, pumped := make(chan struct{}), make(chan struct{})
	go s.pump(pw, stop, pumped)
	resp, err := s.r.client.Do(req)
	close(stop)
	pr.CloseWithError(errAnswered)
	<-pumped
	if err != nil {
		return asr.Result{}, false, s.r.classify(s.ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return asr.Result{}, false, s.r.classify(s.ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusUnauthorized && token != "" {
			s.r.tokens.invalidate(token)
		}
		return asr.Result{}, false, statusError(resp.StatusCode, body, s.r.cfg.Key)
	}
	return parseReply(body)
}

// pump writes the WAV header, then each queued frame, into the request
// body; it ends the body when the queue is closed (CloseSend). The
// transport reads the pipe only after "100 Continue", so frames wait in
// the queue meanwhile.
func (s *Stream) pump(pw *io.PipeWriter, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	if _, err := pw.Write(wavHeader(s.r.cfg.SampleRate)); err != nil {
		return
	}
	for {
		select {
		case bp, ok := <-s.queue:
			if !ok {
				pw.Close()
				return
			}
			n, err := pw.Write(*bp)
			s.r.pool.Put(bp)
			s.sentBytes.Add(int64(n))
			if err != nil {
				return
			}
		case <-stop:
			pw.CloseWithError(errAnswered)
			return
		case <-s.ctx.Done():
			pw.CloseWithError(s.ctx.Err())
			return
		}
	}
}

// fail records the first error that ends the stream, unless Close ended it.
func (s *Stream) fail(err error) {
	if s.closing.Load() {
		return
	}
	s.log.Warn("azure: recognition failed", "err", err)
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}
