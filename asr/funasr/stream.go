package funasr

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

const (
	// writeTimeout bounds one websocket write; a server that stops reading
	// for this long ends the stream.
	writeTimeout = 10 * time.Second
	// resultBuffer is the capacity of Results. Overflow policy: partials are
	// dropped and counted (the next one carries the whole sentence so far);
	// finals block the reader (honouring ctx).
	resultBuffer = 64
	// maxMalformed consecutive malformed frames end the stream.
	maxMalformed = 20
	// maxResultBytes caps one server frame.
	maxResultBytes = 1 << 20
	// finalTimeout bounds the wait for is_final after the end message (the
	// offline pass decodes the last sentence first).
	finalTimeout = 15 * time.Second
)

// Stream is one FunASR recognition session. It implements asr.Stream.
type Stream struct {
	cfg     Config
	log     *slog.Logger
	conn    *websocket.Conn
	pool    *sync.Pool
	wavName string

	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards sendClosed and sending on audio, so CloseSend cannot close
	// the channel under a concurrent WriteSample.
	mu         sync.Mutex
	sendClosed bool
	// audio carries PCM16 frames to the writer. Overflow policy: the new
	// frame is dropped, counted in dropped, and logged once.
	audio chan *[]byte

	results        chan asr.Result
	dropped        atomic.Uint64
	droppedResults atomic.Uint64
	malformed      atomic.Uint64
	warnedDrop     atomic.Bool
	closing        atomic.Bool // Close was called
	endSent        atomic.Bool // {"is_speaking":false} went out

	errMu sync.Mutex
	err   error

	finalTimeout time.Duration
	beforeWrite  func() // test hook: runs before every websocket write
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer, conn *websocket.Conn, wavName string) *Stream {
	sctx, cancel := context.WithCancel(ctx)
	s := &Stream{
		cfg:     r.cfg,
		log:     r.log.With("wav_name", wavName),
		conn:    conn,
		pool:    r.pool,
		wavName: wavName,
		parent:  ctx,
		ctx:     sctx,
		cancel:  cancel,
		audio:   make(chan *[]byte, r.cfg.SendBuffer),
		results: make(chan asr.Result, resultBuffer),

		finalTimeout: r.finalTimeout,
		beforeWrite:  r.beforeWrite,
	}
	s.wg.Add(3)
	go s.writeLoop()
	go s.readLoop()
	// Closing the connection when the stream ends unblocks a write stuck on
	// a server that stopped reading, and the reader's blocking read.
	context.AfterFunc(sctx, func() {
		defer s.wg.Done()
		conn.Close()
	})
	return s
}

// SampleRate is the configured audio_fs; the caller resamples before writing.
func (s *Stream) SampleRate() int { return s.cfg.SampleRate }

// WavName is the wav_name this stream sent; the server logs it.
func (s *Stream) WavName() string { return s.wavName }

// WriteSample queues pcm for the writer without blocking. When the queue
// is full the frame is dropped and counted (see Dropped) and nil is
// returned. It returns an error wrapping asr.ErrClosed after CloseSend or
// Close, or once the stream has ended.
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	bp := s.getBuf()
	*bp = appendPCM16((*bp)[:0], pcm)
	queued, open := s.enqueue(bp)
	if queued {
		return nil
	}
	s.pool.Put(bp)
	if len(pcm) == 0 && open {
		return nil
	}
	if !open {
		if err := s.Err(); err != nil {
			return fmt.Errorf("%w: %w", asr.ErrClosed, err)
		}
		return asr.ErrClosed
	}
	if s.dropped.Add(1); !s.warnedDrop.Swap(true) {
		s.log.Warn("funasr: send buffer full, dropping audio", "buffer_frames", s.cfg.SendBuffer)
	}
	return nil
}

// enqueue offers a frame to the writer. open is false after CloseSend,
// Close or the end of the stream; queued is false when the frame was not
// taken (closed, full, or empty).
func (s *Stream) enqueue(bp *[]byte) (queued, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendClosed || s.ctx.Err() != nil {
		return false, false
	}
	if len(*bp) == 0 {
		return false, true
	}
	select {
	case s.audio <- bp:
		return true, true
	default:
		return false, true
	}
}

func (s *Stream) getBuf() *[]byte {
	if bp, ok := s.pool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 2*audio.SamplesPerFrame(s.cfg.SampleRate))
	return &b
}

// appendPCM16 appends pcm as headerless little-endian 16-bit samples.
func appendPCM16(dst []byte, pcm audio.PCM16) []byte {
	for _, v := range pcm {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}

// CloseSend says no more audio follows: queued audio is sent, then
// {"is_speaking":false}. Calling it again is a no-op.
func (s *Stream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sendClosed {
		s.sendClosed = true
		close(s.audio)
	}
	return nil
}

// Results yields hypotheses; it is closed when the stream has ended.
func (s *Stream) Results() <-chan asr.Result { return s.results }

// Err reports why the stream ended: nil after a clean end (or after Close),
// an error wrapping ErrConnection, asr.ErrProtocol (malformed frames, or the
// server's "ERROR. ..." text), or the context's error. It is final once
// Results is closed.
func (s *Stream) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close abandons the stream: it cancels both goroutines and waits for them.
func (s *Stream) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	s.sendClosed = true // the audio channel is left to the collector
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// Dropped is how many written frames were dropped because the send queue was full.
func (s *Stream) Dropped() uint64 { return s.dropped.Load() }

// DroppedResults is how many partial results were dropped because the
// consumer of Results was behind.
func (s *Stream) DroppedResults() uint64 { return s.droppedResults.Load() }

// Malformed is how many server frames were skipped as malformed.
func (s *Stream) Malformed() uint64 { return s.malformed.Load() }

// fail records the first error that ends the stream.
func (s *Stream) fail(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}
