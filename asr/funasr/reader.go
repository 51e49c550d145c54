package funasr

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

// sentence tracks the open sentence and what the consumer has seen of it.
type sentence struct {
	seg    int    // index of the open sentence
	online string // online deltas received since the last offline result
	shown  string // text of the last partial delivered in this sentence
}

// reader is the stream's wsstream.Handler.
type reader struct {
	log *slog.Logger
	st  sentence
}

// Message turns one server frame into asr.Results; it ends reading on
// is_final or a server error.
func (rd *reader) Message(r wsstream.Reader, typ int, data []byte) (bool, error) {
	res, err := parseResult(typ, data)
	if err != nil {
		return true, err
	}
	done, ok := rd.handle(r, res)
	if done && ok {
		r.CloseGracefully()
	}
	return !done && ok, nil
}

// Flush emits the online text no offline result replaced as final.
func (rd *reader) Flush(r wsstream.Reader) bool { return rd.st.flush(r) }

// handle turns one result into asr.Results. done means the stream is over
// (is_final or a server error); ok is false when the stream was cancelled
// while a final waited for the consumer.
func (rd *reader) handle(r wsstream.Reader, res result) (done, ok bool) {
	st := &rd.st
	switch res.kind {
	case kindError:
		rd.log.Warn("funasr: server error", "text", res.text)
		r.Fail(fmt.Errorf("%w: funasr server: %s", asr.ErrProtocol, clip([]byte(res.text))))
		return true, st.flush(r)
	case kindOnline:
		st.onOnline(r, res)
	case kindOffline:
		if !st.onOffline(r, res) {
			return true, false
		}
	}
	if res.final {
		// Whatever online text no offline result replaced is the best there
		// is: in online mode that is the whole transcript.
		return true, st.flush(r)
	}
	return false, true
}

// onOnline appends a delta and shows the sentence so far as a partial,
// unless the stream's final follows at once. A sentence index counts only
// at the start of a sentence: in online mode the deltas of the whole
// stream make one text.
func (st *sentence) onOnline(rw wsstream.Reader, r result) {
	if r.hasIndex && st.online == "" {
		st.seg = r.index
	}
	st.online += r.text
	if st.online == "" || st.online == st.shown || r.final {
		return
	}
	if rw.EmitPartial(asr.Result{Text: st.online, Segment: st.seg}) {
		st.shown = st.online
	}
}

// onOffline replaces the sentence's online deltas with the offline decode
// and closes the sentence. A sentence the offline pass found empty still
// closes with an empty final if partials may have shown it.
func (st *sentence) onOffline(rw wsstream.Reader, r result) bool {
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
	return rw.EmitFinal(res)
}

// flush emits the online text no offline result replaced as final.
func (st *sentence) flush(rw wsstream.Reader) bool {
	if st.online == "" {
		return true
	}
	r := asr.Result{Text: strings.TrimSpace(st.online), Final: true, Segment: st.seg}
	st.online, st.shown = "", ""
	st.seg++
	return rw.EmitFinal(r)
}
