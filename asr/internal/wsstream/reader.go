package wsstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// Reader is what a Handler may do to its stream, from the reading
// goroutine.
type Reader struct{ s *Stream }

// Log is the stream's logger.
func (r Reader) Log() *slog.Logger { return r.s.o.Log }

// EmitPartial delivers res if the consumer keeps up, else drops and counts it.
func (r Reader) EmitPartial(res asr.Result) bool {
	select {
	case r.s.results <- res:
		return true
	default:
		r.s.droppedResults.Add(1)
		return false
	}
}

// EmitFinal delivers res, waiting for the consumer unless the stream is cancelled.
func (r Reader) EmitFinal(res asr.Result) bool {
	select {
	case r.s.results <- res:
		return true
	case <-r.s.ctx.Done():
		return false
	}
}

// Fail records err as why the stream ended, unless an error came first.
func (r Reader) Fail(err error) { r.s.fail(err) }

// CloseGracefully answers the server's end with a normal close frame.
func (r Reader) CloseGracefully() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	err := r.s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		r.s.o.Log.Debug(r.s.o.Name+": close frame", "err", err)
	}
}

// readLoop is the only sender on results. It ends the stream (cancel) when
// the handler says the server is done, the connection fails, or the
// stream is closed.
func (s *Stream) readLoop() {
	defer s.wg.Done()
	defer close(s.results)
	defer s.cancel()
	r, h := Reader{s}, s.o.Handler
	bad := 0
	for {
		typ, data, err := s.conn.ReadMessage()
		if err != nil {
			if s.readFailed(err) {
				h.Flush(r)
			}
			return
		}
		more, err := h.Message(r, typ, data)
		if err != nil {
			bad++
			s.malformed.Add(1)
			s.o.Log.Warn(s.o.Name+": malformed frame skipped", "err", err, "in_a_row", bad)
			if bad >= MaxMalformed {
				s.fail(fmt.Errorf("%s: %d malformed frames in a row, last: %w", s.o.Name, bad, err))
				h.Flush(r)
				return
			}
			continue
		}
		bad = 0
		if !more {
			return
		}
	}
}

// readFailed records how the stream ended when reading failed. It reports
// false when nobody listens any more (Close, or the caller's context
// ended), so there is nothing to flush.
func (s *Stream) readFailed(err error) bool {
	closed := websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway)
	switch {
	case s.closing.Load():
		return false // abandoned by Close: no error, nobody is listening
	case s.parent.Err() != nil:
		s.fail(context.Cause(s.parent))
		return false
	case closed && s.o.CloseAfterEnd && s.endSent.Load():
		// the server's way of ending the stream
	case closed:
		s.fail(fmt.Errorf("%w: %s: %w", s.o.ErrConnection, s.o.EarlyClose, err))
	default:
		s.fail(fmt.Errorf("%w: %w", s.o.ErrConnection, err))
	}
	return true
}
