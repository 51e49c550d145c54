package funasr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// sentence tracks the open sentence and what the consumer has seen of it.
type sentence struct {
	seg    int    // index of the open sentence
	online string // online deltas received since the last offline result
	shown  string // text of the last partial delivered in this sentence
}

// readLoop is the only sender on results. It ends the stream (cancel) when
// the server sends is_final or an error, the connection fails, or the
// stream is closed.
func (s *Stream) readLoop() {
	defer s.wg.Done()
	defer close(s.results)
	defer s.cancel()
	var st sentence
	bad := 0
	for {
		typ, data, err := s.conn.ReadMessage()
		if err != nil {
			s.endOnReadError(&st, err)
			return
		}
		r, err := parseResult(typ, data)
		if err != nil {
			bad++
			s.malformed.Add(1)
			s.log.Warn("funasr: malformed frame skipped", "err", err, "in_a_row", bad)
			if bad >= maxMalformed {
				s.fail(fmt.Errorf("funasr: %d malformed frames in a row, last: %w", bad, err))
				s.flushPending(&st)
				return
			}
			continue
		}
		bad = 0
		done, ok := s.handle(&st, r)
		if done && ok {
			s.closeGracefully()
		}
		if done || !ok {
			return
		}
	}
}

// handle turns one result into asr.Results. done means the stream is over
// (is_final or a server error); ok is false when the stream was cancelled
// while a final waited for the consumer.
func (s *Stream) handle(st *sentence, r result) (done, ok bool) {
	switch r.kind {
	case kindError:
		s.log.Warn("funasr: server error", "text", r.text)
		s.fail(fmt.Errorf("%w: funasr server: %s", asr.ErrProtocol, clip([]byte(r.text))))
		return true, s.flushPending(st)
	case kindOnline:
		s.onOnline(st, r)
	case kindOffline:
		if !s.onOffline(st, r) {
			return true, false
		}
	}
	if r.final {
		// Whatever online text no offline result replaced is the best there
		// is: in online mode that is the whole transcript.
		return true, s.flushPending(st)
	}
	return false, true
}

// onOnline appends a delta and shows the sentence so far as a partial,
// unless the stream's final follows at once. A sentence index counts only
// at the start of a sentence: in online mode the deltas of the whole
// stream make one text.
func (s *Stream) onOnline(st *sentence, r result) {
	if r.hasIndex && st.online == "" {
		st.seg = r.index
	}
	st.online += r.text
	if st.online == "" || st.online == st.shown || r.final {
		return
	}
	if s.emitPartial(asr.Result{Text: st.online, Segment: st.seg}) {
		st.shown = st.online
	}
}

// onOffline replaces the sentence's online deltas with the offline decode
// and closes the sentence. A sentence the offline pass found empty still
// closes with an empty final if partials may have shown it.
func (s *Stream) onOffline(st *sentence, r result) bool {
	seg := st.seg
	if r.hasIndex {
		seg = r.index
	}
	hadOnline := st.online != ""
	st.online, st.shown, st.seg = "", "", seg+1
	text := strings.TrimSpace(r.text)
	if text == "" && !hadOnline {
		return true
	}
	res := asr.Result{Text: text, Final: true, Segment: seg}
	if r.hasTimes {
		res.Start, res.End = r.start, r.end
	}
	return s.emitFinal(res)
}

// flushPending emits the online text no offline result replaced as final.
func (s *Stream) flushPending(st *sentence) bool {
	if st.online == "" {
		return true
	}
	r := asr.Result{Text: strings.TrimSpace(st.online), Final: true, Segment: st.seg}
	st.online, st.shown = "", ""
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

// endOnReadError decides how the stream ended when reading failed. The
// server never closes on its own: any close before is_final is an error.
func (s *Stream) endOnReadError(st *sentence, err error) {
	switch {
	case s.closing.Load():
		return // abandoned by Close: no error, nobody is listening
	case s.parent.Err() != nil:
		s.fail(context.Cause(s.parent))
		return
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		s.fail(fmt.Errorf("%w: server closed the stream before the final result: %w", ErrConnection, err))
	default:
		s.fail(fmt.Errorf("%w: %w", ErrConnection, err))
	}
	s.flushPending(st)
}

// closeGracefully answers is_final with a normal close frame, as the
// reference client does.
func (s *Stream) closeGracefully() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	err := s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		s.log.Debug("funasr: close frame", "err", err)
	}
}
