package asrtest

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// maxSample is the largest absolute sample accepted. Float32 audio from a
// PCM16 source lies in [-1, 1]; int16 bytes read as float32 give NaN, Inf,
// denormals or huge values, so a client sending int16 gets refused.
const maxSample = 1.5

// session is one websocket connection: the protocol state of one stream.
type session struct {
	srv  *SherpaServer
	conn *websocket.Conn
	rec  *StreamRecord

	audio    []float32
	sumSq    float64
	peak     float64
	nextAt   int  // sample position of the last result sent
	seg      int  // index of the current scripted segment
	segNum   int  // segment number on the wire
	segStart int  // sample position where the current segment began
	gotDone  bool // the client sent "Done"
	faulted  bool // an injected stream fault has fired
	mute     bool // Silent or HalfClose: nothing more is sent
	finished bool // End: results are over, later audio is ignored
}

func (st *session) opts() SherpaOptions { return st.srv.opts }

// run reads frames until the connection ends.
func (st *session) run() {
	log := st.opts().Log.With("stream", st.rec.Index, "variant", st.opts().Variant)
	for {
		typ, data, err := st.conn.ReadMessage()
		if err != nil {
			log.Debug("asrtest: read", "err", err)
			return
		}
		switch typ {
		case websocket.BinaryMessage:
			if st.gotDone || st.finished {
				log.Warn("asrtest: audio after Done ignored", "bytes", len(data))
				continue
			}
			if !st.onAudio(data) {
				return
			}
		case websocket.TextMessage:
			if string(data) == "Done" {
				if !st.onDone() {
					return
				}
				continue
			}
			if st.opts().Variant == Python {
				// streaming_server.py feeds every non-"Done" message to
				// np.frombuffer; a str raises and the handler dies.
				log.Warn("asrtest: text frame kills the python handler", "text", clip(string(data)))
				st.closeWith(websocket.CloseInternalServerErr, "unexpected text message")
				return
			}
			log.Info("asrtest: text frame ignored", "text", clip(string(data)))
		}
	}
}

// onAudio checks and records one binary frame and sends the results it makes
// due. It reports whether the connection goes on.
func (st *session) onAudio(data []byte) bool {
	if reason := st.accept(data); reason != "" {
		st.srv.update(st.rec, func(r *StreamRecord) { r.Rejected = reason })
		st.opts().Log.Warn("asrtest: audio refused", "stream", st.rec.Index, "reason", reason)
		st.closeWith(websocket.CloseInvalidFramePayloadData, reason)
		return false
	}
	if d := st.opts().DropAfter; d > 0 && len(st.audio) >= st.opts().samples(d) {
		st.opts().Log.Info("asrtest: dropping connection", "stream", st.rec.Index)
		st.conn.NetConn().Close() // no close frame: a crash
		return false
	}
	if goOn, handled := st.injectFault(); handled {
		return goOn
	}
	if st.mute {
		return true
	}
	pe := max(st.opts().samples(st.opts().PartialEvery), 1)
	for st.nextAt+pe <= len(st.audio) {
		st.nextAt += pe
		if err := st.emitAt(st.nextAt); err != nil {
			return false
		}
	}
	return true
}

// injectFault fires the stream's fault once its sample count is reached.
// handled says the fault took over this frame; goOn whether to keep reading.
func (st *session) injectFault() (goOn, handled bool) {
	if st.faulted {
		return true, false
	}
	f, n := st.opts().Faults, len(st.audio)
	due := func(m map[int]int) bool {
		at, ok := m[st.rec.Index]
		return ok && n >= at
	}
	var kind string
	switch {
	case due(f.Cut):
		kind = FaultCut
	case due(f.Silent):
		kind = FaultSilent
	case due(f.HalfClose):
		kind = FaultHalfClose
	case due(f.End):
		kind = FaultEnd
	default:
		return true, false
	}
	st.faulted = true
	st.srv.update(st.rec, func(r *StreamRecord) { r.Fault, r.FaultAt = kind, time.Now() })
	st.opts().Log.Info("asrtest: injecting fault", "stream", st.rec.Index, "fault", kind, "samples", n)
	switch kind {
	case FaultCut:
		st.conn.NetConn().Close() // no close frame: a crash
		return false, true
	case FaultSilent:
		st.mute = true
	case FaultHalfClose:
		st.mute = true
		if tc, ok := st.conn.NetConn().(interface{ CloseWrite() error }); ok {
			tc.CloseWrite() // FIN: the client reads EOF, its writes still land
		}
	case FaultEnd:
		st.finished = true
		return st.finish(), true
	}
	return true, true
}

// accept decodes a frame of float32 little-endian samples, or says why not.
func (st *session) accept(data []byte) string {
	if len(data)%4 != 0 {
		return fmt.Sprintf("binary frame of %d bytes is not float32 samples", len(data))
	}
	start := len(st.audio)
	for i := 0; i < len(data); i += 4 {
		v := math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxSample {
			st.audio = st.audio[:start]
			return fmt.Sprintf("sample %d is %g: not float32 audio in [-1, 1] (int16 sent?)", i/4, f)
		}
		st.audio = append(st.audio, v)
	}
	for _, v := range st.audio[start:] {
		f := float64(v)
		st.sumSq += f * f
		st.peak = max(st.peak, math.Abs(f))
	}
	n := len(st.audio)
	st.srv.update(st.rec, func(r *StreamRecord) {
		r.Frames++
		r.Samples = n
		r.RMS = math.Sqrt(st.sumSq / float64(max(n, 1)))
		r.Peak = st.peak
	})
	return ""
}

// emitAt sends the result due when q samples have arrived: an endpoint for
// the current segment once its characters and the trailing audio are in,
// else a partial showing the characters the audio covers.
func (st *session) emitAt(q int) error {
	segs := strings.Split(st.opts().Script(st.rec.Index, st.audio[:q]), SegmentSep)
	if st.seg >= len(segs) {
		return st.send("", false, false) // all said: empty partials, like silence
	}
	text := []rune(segs[st.seg])
	charN := max(st.opts().samples(st.opts().CharDuration), 1)
	end := st.segStart + len(text)*charN
	if q >= end+st.opts().samples(st.opts().Trailing) {
		if err := st.send(string(text), true, false); err != nil {
			return err
		}
		st.nextSegment(q, len(text) > 0)
		return nil
	}
	n := min((q-st.segStart)/charN, len(text))
	return st.send(string(text[:n]), false, false)
}

// nextSegment starts a new segment at sample q. The C++ server counts a
// segment only if it produced tokens; the Python server always counts.
func (st *session) nextSegment(q int, hadTokens bool) {
	st.seg++
	st.segStart = q
	if hadTokens || st.opts().Variant == Python {
		st.segNum++
	}
}

// onDone finishes the stream: every segment not yet endpointed is sent as
// final, then the C++ server sends "Done!" and waits for the client to close,
// while the Python server closes. It reports whether to keep reading.
// A muted stream (Silent, HalfClose) sends nothing.
func (st *session) onDone() bool {
	st.gotDone = true
	st.srv.update(st.rec, func(r *StreamRecord) { r.GotDone = true })
	if st.mute {
		return true // a hung decoder never answers
	}
	return st.finish()
}

// finish sends every segment not yet endpointed as final and ends the
// results the variant's way. It reports whether to keep reading.
func (st *session) finish() bool {
	segs := strings.Split(st.opts().Script(st.rec.Index, st.audio), SegmentSep)
	rest := []string{""} // all endpointed already: the tail decodes to nothing
	if st.seg < len(segs) {
		rest = segs[st.seg:]
	}
	for i, text := range rest {
		last := i == len(rest)-1
		if err := st.send(text, true, last); err != nil {
			return false
		}
		if !last {
			st.nextSegment(len(st.audio), text != "")
		}
	}
	if st.opts().Variant == Python {
		st.closeWith(websocket.CloseNormalClosure, "")
		return false
	}
	return st.write(websocket.TextMessage, []byte("Done!")) == nil
}

// send writes one result in the variant's format and records finals.
func (st *session) send(text string, final, eof bool) error {
	var msg []byte
	if st.opts().Variant == Python {
		msg = pythonResult(text, st.segNum)
	} else {
		start := float64(st.segStart) / float64(st.opts().SampleRate)
		msg = cppResult(text, st.segNum, start, st.opts().CharDuration, final, eof)
	}
	st.srv.update(st.rec, func(r *StreamRecord) {
		r.Messages++
		if final && text != "" {
			r.Finals = append(r.Finals, text)
			r.Transcript += text
		}
	})
	return st.write(websocket.TextMessage, msg)
}

func (st *session) write(typ int, data []byte) error {
	st.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err := st.conn.WriteMessage(typ, data)
	if err != nil {
		st.opts().Log.Debug("asrtest: write", "stream", st.rec.Index, "err", err)
	}
	return err
}

// closeWith starts the closing handshake and waits briefly for the client's
// close frame, so the last results are not lost to a TCP reset.
func (st *session) closeWith(code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := st.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)); err != nil {
		return
	}
	st.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		if _, _, err := st.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
