package webrtc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	pion "github.com/pion/webrtc/v4"
)

// The signalling protocol (SIGNALLING.md). Every message is one JSON object
// in one WebSocket text message, with a string "type".

// Message types.
const (
	msgOffer     = "offer"
	msgAnswer    = "answer"
	msgCandidate = "candidate"
	msgDTMF      = "dtmf"
	msgHangup    = "hangup"
	msgConfig    = "config"
	msgState     = "state"
	msgStats     = "stats"
	msgError     = "error"
)

// reservedTypes are the protocol's own types; Call.Send refuses them.
var reservedTypes = []string{msgOffer, msgAnswer, msgCandidate, msgDTMF, msgHangup,
	msgConfig, msgState, msgStats, msgError}

// Error codes of "error" messages (the "code" field).
const (
	codeBadMessage   = "bad_message"   // not a JSON object with a string type, or a bad field
	codeUnknownType  = "unknown_type"  // a type the server does not know
	codeBadOffer     = "bad_offer"     // the offer could not be applied
	codeIncompatible = "incompatible"  // no common audio codec
	codeBadCandidate = "bad_candidate" // the candidate could not be added
	codeDraining     = "draining"      // the server takes no new calls
	codeBusy         = "busy"          // too many calls
	codeTimeout      = "timeout"       // media did not start in time
	codeTooBig       = "too_big"       // a message exceeded the size limit
)

var (
	errMalformed   = errors.New("malformed message")
	errUnknownType = errors.New("unknown message type")
)

// inMessage is a parsed client→server message.
type inMessage struct {
	Type      string
	SDP       string
	Candidate *pion.ICECandidateInit // nil: end of candidates
	Digit     rune
}

// wireIn is the JSON shape of every client→server message.
type wireIn struct {
	Type      *string         `json:"type"`
	SDP       string          `json:"sdp"`
	Candidate json.RawMessage `json:"candidate"`
	Digit     string          `json:"digit"`
}

// parseMessage decodes and checks one client→server message. Errors wrap
// errMalformed or errUnknownType; it never panics.
func parseMessage(b []byte) (inMessage, error) {
	var w wireIn
	if err := json.Unmarshal(b, &w); err != nil {
		return inMessage{}, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if w.Type == nil {
		return inMessage{}, fmt.Errorf("%w: no type", errMalformed)
	}
	m := inMessage{Type: *w.Type}
	switch m.Type {
	case msgOffer:
		if !strings.HasPrefix(w.SDP, "v=0") {
			return m, fmt.Errorf("%w: offer without an SDP", errMalformed)
		}
		m.SDP = w.SDP
	case msgCandidate:
		c, err := parseCandidate(w.Candidate)
		if err != nil {
			return m, err
		}
		m.Candidate = c
	case msgDTMF:
		d, ok := dtmfDigit(w.Digit)
		if !ok {
			return m, fmt.Errorf("%w: digit %q (0-9 * # A-D)", errMalformed, w.Digit)
		}
		m.Digit = d
	case msgHangup:
	default:
		return m, fmt.Errorf("%w: %q", errUnknownType, m.Type)
	}
	return m, nil
}

// parseCandidate decodes an RTCIceCandidateInit; null, absent or an empty
// candidate string means the end of candidates (nil).
func parseCandidate(raw json.RawMessage) (*pion.ICECandidateInit, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var c pion.ICECandidateInit
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%w: candidate: %v", errMalformed, err)
	}
	if c.Candidate == "" {
		return nil, nil
	}
	if len(c.Candidate) > 1024 {
		return nil, fmt.Errorf("%w: candidate too long", errMalformed)
	}
	return &c, nil
}

// dtmfDigit accepts one key: 0-9, *, #, A-D (a-d).
func dtmfDigit(s string) (rune, bool) {
	if len(s) != 1 {
		return 0, false
	}
	d := rune(s[0])
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	if strings.ContainsRune("0123456789*#ABCD", d) {
		return d, true
	}
	return 0, false
}

// Server→client messages.

type configOut struct {
	Type       string      `json:"type"`
	CallID     string      `json:"call_id"`
	ICEServers []ICEServer `json:"ice_servers"`
}

type sdpOut struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

type candidateOut struct {
	Type      string                 `json:"type"`
	Candidate *pion.ICECandidateInit `json:"candidate"` // null: end of candidates
}

type stateOut struct {
	Type   string `json:"type"`
	State  string `json:"state"`
	CallID string `json:"call_id"`
	Reason string `json:"reason,omitempty"`
}

type statsOut struct {
	Type      string  `json:"type"`
	RxPackets uint64  `json:"rx_packets"`
	TxPackets uint64  `json:"tx_packets"`
	JitterMs  float64 `json:"jitter_ms"`
	Lost      uint64  `json:"lost"`
}

type errorOut struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// mustJSON marshals one of the types above, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"type":"error","code":"internal","message":"marshal"}`)
	}
	return b
}

// checkExtra validates an embedding program's message: a JSON object
// whose "type" is a non-empty string that is not a protocol type.
func checkExtra(b []byte) error {
	var w struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	if w.Type == nil || *w.Type == "" {
		return fmt.Errorf("%w: no type", ErrBadMessage)
	}
	for _, r := range reservedTypes {
		if *w.Type == r {
			return fmt.Errorf("%w: type %q is reserved for signalling", ErrBadMessage, r)
		}
	}
	return nil
}
