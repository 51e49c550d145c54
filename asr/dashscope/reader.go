package dashscope

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
	ds "github.com/yuecall/yuecall/internal/dashscope"
)

// segState tracks the open sentence and what the consumer has seen.
type segState struct {
	seg   int    // index of the open sentence (finals delivered so far)
	text  string // latest hypothesis of the open sentence, not yet final
	begin time.Duration
	sent  string // text of the last partial delivered
}

// reader is the stream's wsstream.Handler.
type reader struct {
	log          *slog.Logger
	taskID, key  string
	st           segState
	billedMillis atomic.Int64
}

// Message acts on one server event; task-finished and task-failed end
// reading. An event for another task is malformed.
func (rd *reader) Message(r wsstream.Reader, typ int, data []byte) (bool, error) {
	e, err := parseEvent(typ, data)
	if err == nil && e.taskID != rd.taskID {
		err = fmt.Errorf("%w: %s for task %q", asr.ErrProtocol, e.name, e.taskID)
	}
	if err != nil {
		return true, err
	}
	return rd.dispatch(r, e), nil
}

// Flush emits the open sentence's text as final, if there is any.
func (rd *reader) Flush(r wsstream.Reader) bool { return rd.st.flush(r) }

// dispatch acts on one event; it reports whether to keep reading.
func (rd *reader) dispatch(r wsstream.Reader, e event) bool {
	st := &rd.st
	switch e.name {
	case ds.EvResultGenerated:
		return rd.handle(r, e)
	case ds.EvTaskFinished:
		st.flush(r)
		r.CloseGracefully()
		return false
	case ds.EvTaskFailed:
		err := taskError(ds.Event{TaskID: e.taskID, Code: e.code, Message: e.message}, rd.key)
		rd.log.Warn("dashscope: task failed", "code", err.Code, "message", err.Message)
		r.Fail(err)
		st.flush(r)
		return false
	default:
		rd.log.Debug("dashscope: event ignored", "event", e.name)
		return true
	}
}

// handle turns one result-generated event into asr.Results: the text is
// the whole current sentence, so each partial replaces the previous one.
// It reports false when the stream was cancelled while a final waited.
func (rd *reader) handle(r wsstream.Reader, e event) bool {
	st, sn := &rd.st, e.sentence
	if sn.heartbeat {
		return true
	}
	addBilled(&rd.billedMillis, e.billed)
	if sn.final {
		st.text, st.sent = "", ""
		if sn.text == "" {
			return true
		}
		res := asr.Result{Text: sn.text, Final: true, Segment: st.seg, Start: sn.begin, End: sn.begin}
		if sn.hasEnd {
			res.End = sn.end
		}
		st.seg++
		return r.EmitFinal(res)
	}
	st.text, st.begin = sn.text, sn.begin
	if sn.text == "" || sn.text == st.sent {
		return true
	}
	res := asr.Result{Text: sn.text, Segment: st.seg, Start: sn.begin}
	if sn.hasEnd {
		res.End = sn.end
	}
	if r.EmitPartial(res) {
		st.sent = sn.text
	}
	return true
}

// flush emits the open sentence's text as final, if there is any.
func (st *segState) flush(rw wsstream.Reader) bool {
	if st.text == "" {
		return true
	}
	r := asr.Result{Text: st.text, Final: true, Segment: st.seg, Start: st.begin, End: st.begin}
	st.text, st.sent = "", ""
	st.seg++
	return rw.EmitFinal(r)
}
