package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them; StatusCode maps them to the SIP status a UAS should answer with.
var (
	// ErrMalformed means the SDP could not be parsed or lacks a mandatory
	// field (for example no c= line for the audio stream). SIP: 400.
	ErrMalformed = errors.New("sdp: malformed session description")
	// ErrNoAudio means the offer has no m=audio line. SIP: 488.
	ErrNoAudio = errors.New("sdp: no audio stream offered")
	// ErrNoCommonCodec means no offered audio codec is one we support. SIP: 488.
	ErrNoCommonCodec = errors.New("sdp: no common audio codec")
	// ErrUnsupportedTransport means every audio stream was rejected by the
	// offerer (port 0) or uses a transport or address we do not speak
	// (RTP/SAVP, UDP/TLS/RTP/SAVPF, multicast, FQDN in c=). SIP: 488.
	ErrUnsupportedTransport = errors.New("sdp: unsupported media transport")
	// ErrInvalidLocal means the Local description is unusable (no address,
	// port out of range). It is our fault, so SIP: 500.
	ErrInvalidLocal = errors.New("sdp: invalid local description")
)

// StatusCode returns the SIP status a UAS should send for an error returned
// by Negotiate or ParseAnswer: 200 for nil, 400 for ErrMalformed, 488 (Not
// Acceptable Here, RFC 3261 §21.4.26) for codec, audio and transport
// mismatches, and 500 for anything else.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return 200
	case errors.Is(err, ErrMalformed):
		return 400
	case errors.Is(err, ErrNoAudio), errors.Is(err, ErrNoCommonCodec),
		errors.Is(err, ErrUnsupportedTransport):
		return 488
	default:
		return 500
	}
}

// Codec is one RTP audio payload format.
type Codec struct {
	Name        string // encoding name as in a=rtpmap, e.g. "PCMU", "PCMA"
	PayloadType uint8  // RTP payload type, 0-127
	ClockRate   int    // RTP clock rate in Hz
}

// String returns the codec as "<name>/<rate> pt=<pt>".
func (c Codec) String() string {
	return fmt.Sprintf("%s/%d pt=%d", c.Name, c.ClockRate, c.PayloadType)
}

// The G.711 codecs with their static payload types (RFC 3551 §6).
var (
	PCMU = Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}
	PCMA = Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}
)

// DefaultCodecs returns our codec preference: PCMU, then PCMA.
func DefaultCodecs() []Codec { return []Codec{PCMU, PCMA} }

// Direction attribute values (RFC 4566 §6, RFC 3264 §6.1).
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

// Defaults used when a Local field is zero.
const (
	DefaultSessionName     = "yuecall"
	DefaultDTMFPayloadType = 101 // used in our own offers only
	DefaultPtime           = 20  // ms; RFC 3551 §4.5 default for G.711
)

// Local describes our end of the audio stream.
type Local struct {
	Addr        netip.Addr // our RTP address, put in c= and o=
	Port        int        // our RTP port, put in m=
	Codecs      []Codec    // our codecs; nil means DefaultCodecs()
	DTMF        bool       // accept/offer RFC 4733 telephone-event/8000
	SessionID   uint64     // o= sess-id
	SessionVer  uint64     // o= sess-version; bump it on every new offer/answer in a dialog
	SessionName string     // s= line; "" means DefaultSessionName
	// DTMFPayloadType is the dynamic payload type used for telephone-event in
	// our own offers; 0 means DefaultDTMFPayloadType. Answers echo the
	// offerer's payload type instead.
	DTMFPayloadType uint8
}

func (l Local) withDefaults() Local {
	if len(l.Codecs) == 0 {
		l.Codecs = DefaultCodecs()
	}
	if l.SessionName == "" {
		l.SessionName = DefaultSessionName
	}
	if l.DTMFPayloadType == 0 {
		l.DTMFPayloadType = DefaultDTMFPayloadType
	}
	return l
}

// Validate reports whether l can be put into an SDP body. Zero Codecs and
// SessionName are fine (defaults apply).
func (l Local) Validate() error {
	if !l.Addr.IsValid() {
		return fmt.Errorf("%w: no address", ErrInvalidLocal)
	}
	if l.Port <= 0 || l.Port > 65535 {
		return fmt.Errorf("%w: port %d", ErrInvalidLocal, l.Port)
	}
	for _, c := range l.Codecs {
		if c.Name == "" || c.PayloadType > 127 || c.ClockRate <= 0 {
			return fmt.Errorf("%w: codec %v", ErrInvalidLocal, c)
		}
	}
	if l.DTMFPayloadType > 127 || strings.ContainsAny(l.SessionName, "\r\n") {
		return fmt.Errorf("%w: dtmf pt or session name", ErrInvalidLocal)
	}
	return nil
}

// Negotiated is the outcome of an offer/answer exchange, ready for media/rtp.
type Negotiated struct {
	Codec           Codec          // the codec both sides use, with the payload type from the offer
	DTMFPayloadType uint8          // telephone-event/8000 payload type; 0 if none was agreed
	Remote          netip.AddrPort // where to send RTP: c= address (media- or session-level) and m= port
	Ptime           int            // the peer's a=ptime in ms, DefaultPtime if absent; we always send 20 ms
	// Direction is OUR direction for the stream, as written in our answer
	// (or mirrored from the peer's answer): sendrecv, sendonly, recvonly or
	// inactive. Do not send RTP unless it is sendrecv or sendonly.
	Direction string
	// Hold is true when the peer does not want our audio: its direction is
	// sendonly or inactive, or its address is 0.0.0.0 / :: (the RFC 2543
	// hold that RFC 3264 §8.4 still asks answerers to understand). Hold is
	// not an error: the answer is valid and the SIP layer answers 200.
	Hold bool
}

// CanSend reports whether our direction allows sending RTP.
func (n Negotiated) CanSend() bool { return n.Direction == SendRecv || n.Direction == SendOnly }

// CanReceive reports whether our direction expects RTP from the peer.
func (n Negotiated) CanReceive() bool { return n.Direction == SendRecv || n.Direction == RecvOnly }

// mirror returns the answer direction for an offered direction (RFC 3264 §6.1).
func mirror(dir string) string {
	switch dir {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	default:
		return SendRecv
	}
}

// withoutSend removes "send" from our direction (used when the peer's
// address is 0.0.0.0).
func withoutSend(dir string) string {
	switch dir {
	case SendRecv:
		return RecvOnly
	case SendOnly:
		return Inactive
	default:
		return dir
	}
}
