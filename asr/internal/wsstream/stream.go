package wsstream

import (
	"context"
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
)

// Limits a provider's tests may rely on.
const (
	// ResultBuffer is the capacity of Results. Overflow policy: partials are
	// dropped and counted; finals block the reader (honouring ctx).
	ResultBuffer = 64
	// MaxMalformed consecutive malformed frames end the stream.
	MaxMalformed = 20
)

// Options describe one provider's stream.
type Options struct {
	Name       string // "sherpa": prefix of logs and errors
	Log        *slog.Logger
	SampleRate int
	// Encode appends pcm in the provider's wire format; SampleBytes is the
	// encoded size of one sample.
	Encode      func(dst []byte, pcm audio.PCM16) []byte
	SampleBytes int
	ChunkBytes  int           // one binary message; smaller writes are coalesced
	FlushAfter  time.Duration // a part-filled chunk goes out when writes pause this long
	SendBuffer  int           // frames waiting for the socket before new ones are dropped
	Pool        *sync.Pool    // *[]byte frames, shared by a recogniser's streams
	// End is the text message that ends the audio after CloseSend. The
	// server must end the stream within EndTimeout, else it fails with
	// ErrConnection and NoEnd (a format taking the timeout).
	End        []byte
	EndWhat    string // "send Done", for errors
	EndTimeout time.Duration
	NoEnd      string
	// EarlyClose describes a close frame before the server's end; with
	// CloseAfterEnd a close after End is itself the end (sherpa's Python
	// server).
	EarlyClose    string
	CloseAfterEnd bool
	ErrConnection error  // the provider's sentinel for a lost connection
	BeforeWrite   func() // test hook: runs before every websocket write
	Handler       Handler
}

// Handler turns server frames into results. Its methods run on the
// reading goroutine only.
type Handler interface {
	// Message handles one frame. An error marks the frame malformed (it is
	// skipped; too many in a row end the stream); more false ends reading.
	Message(r Reader, typ int, data []byte) (more bool, err error)
	// Flush delivers what is still open as final, when the stream ends
	// without the server's end; it reports false if the stream was
	// cancelled while the final waited.
	Flush(r Reader) bool
}

// Stream is a websocket recognition stream; providers embed it. It
// implements asr.Stream.
type Stream struct {
	o      Options
	conn   *websocket.Conn
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards sendClosed and sending on audio, so CloseSend cannot close
	// the channel under a concurrent WriteSample.
	mu         sync.Mutex
	sendClosed bool
	// audio carries encoded frames to the writer. Overflow policy: the new
	// frame is dropped, counted in dropped, and logged once.
	audio chan *[]byte

	results        chan asr.Result
	dropped        atomic.Uint64
	droppedResults atomic.Uint64
	malformed      atomic.Uint64
	warnedDrop     atomic.Bool
	closing        atomic.Bool // Close was called
	endSent        atomic.Bool // End went out

	errMu sync.Mutex
	err   error
}

var _ asr.Stream = (*Stream)(nil)

// Start runs the stream on conn: a writer and a reader goroutine, ended by
// the server's end, a failure, Close, or ctx.
func Start(ctx context.Context, conn *websocket.Conn, o Options) *Stream {
	sctx, cancel := context.WithCancel(ctx)
	s := &Stream{o: o, conn: conn, parent: ctx, ctx: sctx, cancel: cancel,
		audio: make(chan *[]byte, o.SendBuffer), results: make(chan asr.Result, ResultBuffer)}
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

// SampleRate is the server's rate; the caller resamples before writing.
func (s *Stream) SampleRate() int { return s.o.SampleRate }

// WriteSample encodes pcm and queues it for the writer without blocking.
// When the queue is full the frame is dropped and counted (see Dropped) and
// nil is returned. It returns an error wrapping asr.ErrClosed after
// CloseSend or Close, or once the stream has ended.
func (s *Stream) WriteSample(pcm audio.PCM16) error {
	bp := s.getBuf()
	*bp = s.o.Encode((*bp)[:0], pcm)
	queued, open := s.enqueue(bp)
	if queued {
		return nil
	}
	s.o.Pool.Put(bp)
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
		s.o.Log.Warn(s.o.Name+": send buffer full, dropping audio", "buffer_frames", s.o.SendBuffer)
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
	if bp, ok := s.o.Pool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, s.o.SampleBytes*audio.SamplesPerFrame(s.o.SampleRate))
	return &b
}

// CloseSend says no more audio follows: queued audio is sent, then End.
// Calling it again is a no-op.
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
// an error wrapping the provider's ErrConnection, asr.ErrProtocol, a
// provider error, or the context's error. It is final once Results is
// closed.
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
