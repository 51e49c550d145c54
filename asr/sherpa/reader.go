package sherpa

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// segState tracks the open segment and what the consumer has seen.
type segState struct {
	seg        int           // segment of text
	text       string        // latest hypothesis of the open segment, not yet final
	start, end time.Duration // of text, when the server says
	sentSeg    int           // segment of the last partial delivered
	sentText   string        // text of the last partial delivered
}

// readLoop is the only sender on results. It ends the stream (cancel) when
// the server is done, the connection fails, or the stream is closed.
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
		m, err := parseMessage(typ, data)
		if err != nil {
			bad++
			s.log.Warn("sherpa: malformed frame skipped", "err", err, "in_a_row", bad)
			if bad >= maxMalformed {
				s.fail(fmt.Errorf("sherpa: %d malformed frames in a row, last: %w", bad, err))
				s.flushPending(&st)
				return
			}
			continue
		}
		bad = 0
		if m.done {
			s.flushPending(&st)
			s.closeGracefully()
			return
		}
		if !s.handle(&st, m) {
			return
		}
	}
}

// handle turns one result message into asr.Results. It reports false when
// the stream was cancelled while a final waited for the consumer.
func (s *Stream) handle(st *segState, m message) bool {
	seg := st.seg
	if m.hasSeg {
		seg = m.segment
	}
	// Python server: a new segment number means the previous one is final.
	if seg != st.seg && st.text != "" && !s.flushPending(st) {
		return false
	}
	st.seg = seg
	if m.final {
		st.text, st.sentText = "", ""
		if m.text == "" {
			return true
		}
		r := asr.Result{Text: m.text, Final: true, Segment: seg}
		if m.hasStart {
			r.Start, r.End = m.start, m.end
		}
		return s.emitFinal(r)
	}
	if m.hasStart {
		st.start, st.end = m.start, m.end
	}
	st.text = m.text
	if m.text == st.sentText && seg == st.sentSeg {
		return true // the C++ server repeats the hypothesis every decode step
	}
	if m.text == "" && (st.sentText == "" || seg != st.sentSeg) {
		return true // nothing heard yet in this segment
	}
	if s.emitPartial(asr.Result{Text: m.text, Segment: seg, Start: st.start, End: st.end}) {
		st.sentText, st.sentSeg = m.text, seg
	}
	return true
}

// flushPending emits the open segment's text as final, if there is any.
func (s *Stream) flushPending(st *segState) bool {
	if st.text == "" {
		return true
	}
	r := asr.Result{Text: st.text, Final: true, Segment: st.seg, Start: st.start, End: st.end}
	st.text, st.sentText = "", ""
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
	case websocket.IsCloseError(err, websocket.CloseNormalClosure) && s.doneSent.Load():
		// Python server: it closes after the last result.
	case websocket.IsCloseError(err, websocket.CloseNormalClosure):
		s.fail(fmt.Errorf("%w: server closed the stream before Done", ErrConnection))
	default:
		s.fail(fmt.Errorf("%w: %w", ErrConnection, err))
	}
	s.flushPending(st)
}

// closeGracefully answers "Done!" with a normal close frame.
func (s *Stream) closeGracefully() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	err := s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		s.log.Debug("sherpa: close frame", "err", err)
	}
}
