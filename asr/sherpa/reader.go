package sherpa

import (
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

// reader tracks the open segment and what the consumer has seen; it is the
// stream's wsstream.Handler.
type reader struct {
	seg        int           // segment of text
	text       string        // latest hypothesis of the open segment, not yet final
	start, end time.Duration // of text, when the server says
	sentSeg    int           // segment of the last partial delivered
	sentText   string        // text of the last partial delivered
}

// Message turns one server frame into asr.Results.
func (st *reader) Message(r wsstream.Reader, typ int, data []byte) (bool, error) {
	m, err := parseMessage(typ, data)
	if err != nil {
		return true, err
	}
	if m.done {
		st.Flush(r)
		r.CloseGracefully()
		return false, nil
	}
	return st.handle(r, m), nil
}

// handle turns one result message into asr.Results. It reports false when
// the stream was cancelled while a final waited for the consumer.
func (st *reader) handle(r wsstream.Reader, m message) bool {
	seg := st.seg
	if m.hasSeg {
		seg = m.segment
	}
	// Python server: a new segment number means the previous one is final.
	if seg != st.seg && st.text != "" && !st.Flush(r) {
		return false
	}
	st.seg = seg
	if m.final {
		st.text, st.sentText = "", ""
		if m.text == "" {
			return true
		}
		res := asr.Result{Text: m.text, Final: true, Segment: seg}
		if m.hasStart {
			res.Start, res.End = m.start, m.end
		}
		return r.EmitFinal(res)
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
	if r.EmitPartial(asr.Result{Text: m.text, Segment: seg, Start: st.start, End: st.end}) {
		st.sentText, st.sentSeg = m.text, seg
	}
	return true
}

// Flush emits the open segment's text as final, if there is any.
func (st *reader) Flush(r wsstream.Reader) bool {
	if st.text == "" {
		return true
	}
	res := asr.Result{Text: st.text, Final: true, Segment: st.seg, Start: st.start, End: st.end}
	st.text, st.sentText = "", ""
	return r.EmitFinal(res)
}
