package cosyvoice

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/audio"
	ds "github.com/yuecall/yuecall/internal/dashscope"
	"github.com/yuecall/yuecall/tts"
)

const (
	// writeTimeout bounds sending the text.
	writeTimeout = 10 * time.Second
	// silenceTimeout ends a task whose server sends nothing for this long.
	silenceTimeout = 20 * time.Second
	// audioBuffer is how many received frames may wait for Read. Overflow
	// policy: the reader waits for Read (back-pressure onto the socket,
	// never dropping audio) and counts the wait in Stalls.
	audioBuffer = 64
	// maxMalformed consecutive malformed frames end the stream.
	maxMalformed = 20
	// maxFrameBytes caps one server frame.
	maxFrameBytes = 4 << 20
)

// Stream is one synthesis task's audio. It implements tts.Stream; Read is
// for one goroutine, Close may be called from any.
type Stream struct {
	syn    *Synthesizer
	conn   *websocket.Conn
	log    *slog.Logger
	taskID string
	rate   int
	begin  time.Time

	parent    context.Context
	ctx       context.Context
	cancel    context.CancelFunc
	stopClose func() bool // stops the AfterFunc that closes conn
	wg        sync.WaitGroup

	frames chan []byte // PCM16 LE, even lengths; closed by readLoop
	cur    []byte      // rest of the frame Read is consuming

	errMu sync.Mutex
	err   error

	firstAudio atomic.Int64 // ns from begin to the first audio frame
	characters atomic.Int64
	stalls     atomic.Uint64
	closed     atomic.Bool
}

var _ tts.Stream = (*Stream)(nil)

func startStream(ctx context.Context, s *Synthesizer, conn *websocket.Conn, taskID string, rate int, begin time.Time, log *slog.Logger) *Stream {
	sctx, cancel := context.WithCancel(ctx)
	st := &Stream{
		syn: s, conn: conn, log: log, taskID: taskID, rate: rate, begin: begin,
		parent: ctx, ctx: sctx, cancel: cancel,
		frames: make(chan []byte, audioBuffer),
	}
	conn.SetReadLimit(maxFrameBytes)
	st.wg.Add(2)
	// Closing the connection aborts the task (the protocol has no cancel)
	// and unblocks the reader. Stopped instead when the task finishes and
	// the connection is kept.
	st.stopClose = context.AfterFunc(sctx, func() {
		defer st.wg.Done()
		conn.Close()
	})
	go st.readLoop()
	return st
}

// SampleRate is the rate the server was asked for.
func (st *Stream) SampleRate() int { return st.rate }

// Read fills p with samples, waiting only when none are ready. It returns
// io.EOF after the last sample of a finished task, a *TaskError for
// task-failed, ErrClosed after Close, or another error that ended the task.
func (st *Stream) Read(p audio.PCM16) (int, error) {
	if st.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	for n < len(p) {
		if len(st.cur) == 0 {
			b, ok, waited := st.next(n == 0)
			if !waited {
				return n, nil
			}
			if !ok {
				if n > 0 {
					return n, nil
				}
				return 0, st.endErr()
			}
			st.cur = b
		}
		k := min(len(p)-n, len(st.cur)/2)
		for i := range k {
			p[n+i] = int16(binary.LittleEndian.Uint16(st.cur[2*i:]))
		}
		n += k
		st.cur = st.cur[2*k:]
	}
	return n, nil
}

// next takes the next frame, blocking if block is set. waited is false
// when it did not block and nothing was ready.
func (st *Stream) next(block bool) (b []byte, ok, waited bool) {
	if block {
		b, ok = <-st.frames
		return b, ok, true
	}
	select {
	case b, ok = <-st.frames:
		return b, ok, true
	default:
		return nil, false, false
	}
}

func (st *Stream) endErr() error {
	if st.closed.Load() {
		return ErrClosed
	}
	if err := st.Err(); err != nil {
		return err
	}
	return io.EOF
}

// Close abandons synthesis: if the task is still running its connection is
// closed, which aborts it. It waits for the reader to stop.
func (st *Stream) Close() error {
	st.closed.Store(true)
	st.cancel()
	st.wg.Wait()
	return nil
}

// Err is why the task ended early, nil while it runs or after task-finished.
func (st *Stream) Err() error {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	return st.err
}

// FirstAudio is the time from the Synthesize call to the first audio frame
// (time to first audio), or 0 if none has come yet.
func (st *Stream) FirstAudio() time.Duration { return time.Duration(st.firstAudio.Load()) }

// Characters is how many characters the server billed (usage.characters).
func (st *Stream) Characters() int { return int(st.characters.Load()) }

// Stalls is how many times the reader waited because Read was behind.
func (st *Stream) Stalls() uint64 { return st.stalls.Load() }

// TaskID is the task_id sent in run-task.
func (st *Stream) TaskID() string { return st.taskID }

func (st *Stream) fail(err error) {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	if st.err == nil {
		st.err = err
	}
}

// readLoop is the only sender on frames. It ends on task-finished (keeping
// the connection for reuse), task-failed, a connection error, or Close.
func (st *Stream) readLoop() {
	defer st.wg.Done()
	defer close(st.frames)
	defer st.cancel()
	var carry []byte // an odd byte left from the previous frame
	bad := 0
	for {
		st.conn.SetReadDeadline(time.Now().Add(silenceTimeout))
		typ, data, err := st.conn.ReadMessage()
		if err != nil {
			st.endOnReadError(err)
			return
		}
		if typ == websocket.BinaryMessage {
			if !st.deliver(&carry, data) {
				return
			}
			continue
		}
		e, err := parseEvent(data)
		if err == nil && e.taskID != st.taskID {
			err = fmt.Errorf("%w: %s for task %q", ErrProtocol, e.name, e.taskID)
		}
		if err != nil {
			if bad++; bad >= maxMalformed {
				st.fail(fmt.Errorf("cosyvoice: %d malformed frames in a row, last: %w", bad, err))
				return
			}
			st.log.Warn("cosyvoice: malformed frame skipped", "err", err, "in_a_row", bad)
			continue
		}
		bad = 0
		if !st.dispatch(e) {
			return
		}
	}
}

// dispatch acts on one event; it reports whether to keep reading.
func (st *Stream) dispatch(e event) bool {
	if e.characters > 0 {
		st.characters.Store(int64(e.characters))
	}
	switch e.name {
	case ds.EvTaskFinished:
		st.finished()
		return false
	case ds.EvTaskFailed:
		err := st.syn.taskError(ds.Event{TaskID: e.taskID, Code: e.code, Message: e.message})
		st.log.Warn("cosyvoice: task failed", "code", err.Code, "message", err.Message)
		st.fail(err)
		return false
	case ds.EvResultGenerated:
		return true
	default:
		st.log.Debug("cosyvoice: event ignored", "event", e.name)
		return true
	}
}

// deliver hands a frame to Read, keeping sample alignment across frames.
func (st *Stream) deliver(carry *[]byte, data []byte) bool {
	if st.firstAudio.Load() == 0 {
		d := max(time.Since(st.begin), 1)
		st.firstAudio.Store(int64(d))
		st.log.Debug("cosyvoice: first audio", "after", d)
	}
	if len(*carry) > 0 {
		data = append(*carry, data...)
		*carry = nil
	}
	if len(data)%2 == 1 {
		*carry = []byte{data[len(data)-1]}
		data = data[:len(data)-1]
	}
	if len(data) == 0 {
		return true
	}
	select {
	case st.frames <- data:
		return true
	default:
	}
	st.stalls.Add(1)
	select {
	case st.frames <- data:
		return true
	case <-st.ctx.Done():
		return false
	}
}

// finished keeps the connection for the next task unless it is being closed.
func (st *Stream) finished() {
	st.log.Debug("cosyvoice: task finished", "first_audio", st.FirstAudio(),
		"characters", st.Characters(), "took", time.Since(st.begin))
	if st.stopClose() {
		st.wg.Done() // the AfterFunc will not run
		st.conn.SetReadDeadline(time.Time{})
		st.syn.keep(st.conn)
	}
}

// endOnReadError records why reading failed.
func (st *Stream) endOnReadError(err error) {
	switch {
	case st.closed.Load():
	case st.parent.Err() != nil:
		st.fail(context.Cause(st.parent))
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		st.fail(fmt.Errorf("%w: server closed the connection before task-finished", ErrConnection))
	case errors.Is(err, os.ErrDeadlineExceeded):
		st.fail(fmt.Errorf("%w: nothing from the server for %v", ErrConnection, silenceTimeout))
	default:
		st.fail(fmt.Errorf("%w: %w", ErrConnection, err))
	}
}
