package sherpa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// doneSentinel is the plain text frame the C++ server sends after the last
// result (online-websocket-server-impl.cc, ProcessConnections).
const doneSentinel = "Done!"

// message is one parsed server frame.
type message struct {
	done     bool // the "Done!" sentinel; nothing else is set
	text     string
	segment  int
	hasSeg   bool
	final    bool // is_final (C++ only)
	eof      bool // is_eof (C++ only)
	start    time.Duration
	end      time.Duration
	hasStart bool
}

// wireResult holds the fields the client uses. tokens, ys_probs, lm_probs,
// context_scores and words are ignored; timestamps is kept raw because one
// server version sends it as a string ("[0.00, 0.12]").
type wireResult struct {
	Text       *string         `json:"text"`
	Segment    *int            `json:"segment"`
	StartTime  *float64        `json:"start_time"`
	Timestamps json.RawMessage `json:"timestamps"`
	IsFinal    bool            `json:"is_final"`
	IsEOF      bool            `json:"is_eof"`
}

// parseMessage parses one frame from either server variant. Errors wrap
// asr.ErrProtocol.
func parseMessage(typ int, data []byte) (message, error) {
	if typ != websocket.TextMessage {
		return message{}, fmt.Errorf("%w: unexpected frame type %d (%d bytes)", asr.ErrProtocol, typ, len(data))
	}
	if string(data) == doneSentinel {
		return message{done: true}, nil
	}
	var w wireResult
	if err := json.Unmarshal(data, &w); err != nil {
		// The C++ server prints floats with ostream, so a -inf log-prob
		// arrives as a bare -inf; retry with those literals nulled.
		fixed, ok := nullNonFinite(data)
		if !ok || json.Unmarshal(fixed, &w) != nil {
			return message{}, fmt.Errorf("%w: %w in %q", asr.ErrProtocol, err, clip(data))
		}
	}
	if w.Text == nil {
		return message{}, fmt.Errorf("%w: no text field in %q", asr.ErrProtocol, clip(data))
	}
	m := message{text: *w.Text, final: w.IsFinal || w.IsEOF, eof: w.IsEOF}
	if w.Segment != nil {
		if *w.Segment < 0 {
			return message{}, fmt.Errorf("%w: negative segment %d", asr.ErrProtocol, *w.Segment)
		}
		m.segment, m.hasSeg = *w.Segment, true
	}
	if w.StartTime != nil && *w.StartTime >= 0 && *w.StartTime < maxSeconds {
		m.start, m.hasStart = seconds(*w.StartTime), true
		m.end = m.start
		if last, ok := lastTimestamp(w.Timestamps); ok {
			m.end = m.start + seconds(last)
		}
	}
	return m, nil
}

// maxSeconds bounds times taken from the wire (a day), so conversion to
// time.Duration cannot overflow.
const maxSeconds = 86400

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// lastTimestamp returns the last element of a timestamps array, if it is one.
func lastTimestamp(raw json.RawMessage) (float64, bool) {
	var ts []float64
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &ts) != nil || len(ts) == 0 {
		return 0, false
	}
	last := ts[len(ts)-1]
	if math.IsNaN(last) || last < 0 || last >= maxSeconds {
		return 0, false
	}
	return last, true
}

// nullNonFinite replaces bare nan, -nan, inf and -inf outside strings with
// null. It reports whether it changed anything.
func nullNonFinite(data []byte) ([]byte, bool) {
	var out bytes.Buffer
	changed, inString, escaped := false, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		if n := nonFiniteAt(data[i:]); n > 0 {
			out.WriteString("null")
			i += n - 1
			changed = true
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes(), changed
}

// nonFiniteAt returns the length of a non-finite float literal at the start
// of b, or 0.
func nonFiniteAt(b []byte) int {
	for _, lit := range []string{"-nan", "nan", "-inf", "inf", "-NaN", "NaN", "-Infinity", "Infinity"} {
		if bytes.HasPrefix(b, []byte(lit)) {
			return len(lit)
		}
	}
	return 0
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
