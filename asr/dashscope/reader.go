package dashscope

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// segState tracks the open sentence and what the consumer has seen.
type segState struct {
	seg   int    // index of the open sentence (finals delivered so far)
	text  string // latest hypothesis of the open sentence, not yet final
	begin time.Duration
	sent  string // text of the last partial delivered
}

// readLoop is the only sender on results. It ends the stream (cancel) on
// task-finished or task-failed, when the connection fails, or when the
// stream is closed.
func (s *Stream) readLoop() {
	defer s.wg.Done()
	defer close(s.results)
	defer s.cancel()
	var st segState
	bad := 0
	for {
		typ, data, err := s.conn.ReadMessage()
		if err != nil {
			s.endOnReadError(&st, err)
			return
		}
		e, err := parseEvent(typ, data)
		if err == nil && e.taskID != s.taskID {
			err = fmt.Errorf("%w: %s for task %q", asr.ErrProtocol, e.name, e.taskID)
		}
		if err != nil {
			bad++
			s.log.Warn("dashscope: malformed frame skipped", "err", err, "in_a_row", bad)
			if bad >= maxMalformed {
				s.fail(fmt.Errorf("dashscope: %d malformed frames in a row, last: %w", bad, err))
				s.flushPending(&st)
				return
			}
			continue
		}
		bad = 0
		if !s.dispatch(&st, e) {
			return
		}
	}
}

// dispatch acts on one event; it reports whether to keep reading.
func (s *Stream) dispatch(st *segState, e event) bool {
	switch e.name {
	case evResultGenerated:
		return s.handle(st, e)
	case evTaskFinished:
		s.flushPending(st)
		s.closeGracefully()
		return false
	case evTaskFailed:
		err := &TaskError{TaskID: e.taskID, Code: redact(e.code, s.cfg.Key), Message: redact(e.message, s.cfg.Key)}
		s.log.Warn("dashscope: task failed", "code", err.Code, "message", err.Message)
		s.fail(err)
		s.flushPending(st)
		return false
	default:
		s.log.Debug("dashscope: event ignored", "event", e.name)
		return true
	}
}

// handle turns one result-generated event into asr.Results: the text is
// the whole current sentence, so each partial replaces the previous one.
// It reports false when the stream was cancelled while a final waited.
func (s *Stream) handle(st *segState, e event) bool {
	sn := e.sentence
	if sn.heartbeat {
		return true
	}
	s.addBilled(e.billed)
	if sn.final {
		st.text, st.sent = "", ""
		if sn.text == "" {
			return true
		}
		r := asr.Result{Text: sn.text, Final: true, Segment: st.seg, Start: sn.begin, End: sn.begin}
		if sn.hasEnd {
			r.End = sn.end
		}
		st.seg++
		return s.emitFinal(r)
	}
	st.text, st.begin = sn.text, sn.begin
	if sn.text == "" || sn.text == st.sent {
		return true
	}
	r := asr.Result{Text: sn.text, Segment: st.seg, Start: sn.begin}
	if sn.hasEnd {
		r.End = sn.end
	}
	if s.emitPartial(r) {
		st.sent = sn.text
	}
	return true
}

// flushPending emits the open sentence's text as final, if there is any.
func (s *Stream) flushPending(st *segState) bool {
	if st.text == "" {
		return true
	}
	r := asr.Result{Text: st.text, Final: true, Segment: st.seg, Start: st.begin, End: st.begin}
	st.text, st.sent = "", ""
	st.seg++
	return s.emitFinal(r)
}

// emitPartial delivers r if the consumer keeps up, else drops and counts it.
func (s *Stream) emitPartial(r asr.Result) bool {
	select {
	case s.results <- r:
		return true
	default:
		s.droppedResults.Add(1)
		return false
	}
}

// emitFinal delivers r, waiting for the consumer unless the stream is cancelled.
func (s *Stream) emitFinal(r asr.Result) bool {
	select {
	case s.results <- r:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// endOnReadError decides how the stream ended when reading failed.
func (s *Stream) endOnReadError(st *segState, err error) {
	switch {
	case s.closing.Load():
		return // abandoned by Close: no error, nobody is listening
	case s.parent.Err() != nil:
		s.fail(context.Cause(s.parent))
		return
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		s.fail(fmt.Errorf("%w: server closed the connection before task-finished", ErrConnection))
	default:
		s.fail(fmt.Errorf("%w: %w", ErrConnection, err))
	}
	s.flushPending(st)
}

// closeGracefully ends the connection after task-finished with a normal
// close frame. (The protocol allows reusing it for another run-task; a
// Stream is one task, so it does not.)
func (s *Stream) closeGracefully() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	err := s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		s.log.Debug("dashscope: close frame", "err", err)
	}
}
