package rtp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sdp"
)

// Sentinel errors.
var (
	// ErrNoPorts means every even port of the allocator's range is busy.
	ErrNoPorts = errors.New("rtp: no free port in range")
	// ErrQueueFull means Enqueue would exceed Config.SendQueue; nothing was queued.
	ErrQueueFull = errors.New("rtp: send queue full")
	// ErrClosed means the session is closed.
	ErrClosed = errors.New("rtp: session closed")
	// ErrUnsupportedCodec means the codec is not PCMU or PCMA at 8000 Hz.
	ErrUnsupportedCodec = errors.New("rtp: unsupported codec")
	// ErrInvalidConfig means a Config or PortRange field is out of range.
	ErrInvalidConfig = errors.New("rtp: invalid config")
	// ErrSinkRate means a sink does not take 8000 Hz audio.
	ErrSinkRate = errors.New("rtp: sink sample rate is not 8000 Hz")
)

// Defaults and limits.
const (
	DefaultJitterFrames = 3                // 60 ms reorder window
	MaxJitterFrames     = 50               // 1 s
	DefaultSendQueue    = 60 * time.Second // max queued outgoing audio
	MaxSendQueue        = 10 * time.Minute
	// Rate is the sample rate of all PCM in and out of a Session.
	Rate = 8000
)

// Config configures one Session. Build it with DefaultConfig or NewConfig.
type Config struct {
	// Codec is the negotiated audio codec (PCMU or PCMA, 8000 Hz). Its
	// payload type is used for sending and for recognising audio.
	Codec sdp.Codec
	// DTMFPayloadType is the RFC 4733 telephone-event payload type; 0 = none.
	DTMFPayloadType uint8
	// Remote is where RTP goes until the first audio packet latches the
	// peer's real source address (symmetric RTP, RFC 4961). Zero or
	// unspecified: send nothing until latched.
	Remote netip.AddrPort
	// JitterFrames is the reorder window in packets; 0 means DefaultJitterFrames.
	JitterFrames int
	// InbandDTMF runs a tone detector on received audio. DefaultConfig sets
	// it; a zero Config leaves it off.
	InbandDTMF bool
	// SendQueue bounds queued outgoing audio; 0 means DefaultSendQueue.
	SendQueue time.Duration
	// Pacer sends the session's frames; nil means DefaultPacer().
	Pacer *Pacer
	// ArrivalStamps has the kernel timestamp each datagram as it arrives
	// (SO_TIMESTAMPNS; Linux only, ignored elsewhere) and takes that as
	// the packet's arrival time, so the reading goroutine's scheduling
	// delay is left out of jitter and of the times an ArrivalWriter sink
	// is given. For measuring tools (the simulated caller); it costs a
	// control-message parse per packet.
	ArrivalStamps bool
	// SendTimes has the Session remember when its last packets left, for
	// SentAt (a measuring tool's own speech timing). It costs a clock
	// read per packet sent.
	SendTimes bool
	// Log receives session events; nil discards them.
	Log *slog.Logger
}

// DefaultConfig returns PCMU, no telephone-event, a 3-packet reorder window,
// in-band DTMF detection on and a 60 s send queue.
func DefaultConfig() Config {
	return Config{
		Codec:        sdp.PCMU,
		JitterFrames: DefaultJitterFrames,
		InbandDTMF:   true,
		SendQueue:    DefaultSendQueue,
	}
}

// NewConfig returns DefaultConfig with the codec, telephone-event payload
// type and remote address of an offer/answer outcome.
func NewConfig(n sdp.Negotiated) Config {
	c := DefaultConfig()
	c.Codec = n.Codec
	c.DTMFPayloadType = n.DTMFPayloadType
	c.Remote = n.Remote
	return c
}

func (c Config) withDefaults() Config {
	if c.JitterFrames == 0 {
		c.JitterFrames = DefaultJitterFrames
	}
	if c.SendQueue == 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.Pacer == nil {
		c.Pacer = DefaultPacer()
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports whether c can run a Session (zero fields that have
// defaults are fine).
func (c Config) Validate() error {
	if _, _, err := codecFuncs(c.Codec); err != nil {
		return err
	}
	switch {
	case c.Codec.PayloadType > 127, c.DTMFPayloadType > 127:
		return fmt.Errorf("%w: payload type above 127", ErrInvalidConfig)
	case c.DTMFPayloadType != 0 && c.DTMFPayloadType == c.Codec.PayloadType:
		return fmt.Errorf("%w: audio and DTMF share payload type %d", ErrInvalidConfig, c.DTMFPayloadType)
	case c.JitterFrames < 0 || c.JitterFrames > MaxJitterFrames:
		return fmt.Errorf("%w: JitterFrames %d not in 0..%d", ErrInvalidConfig, c.JitterFrames, MaxJitterFrames)
	case c.SendQueue < 0 || c.SendQueue > MaxSendQueue:
		return fmt.Errorf("%w: SendQueue %v", ErrInvalidConfig, c.SendQueue)
	}
	return nil
}

// encodeFunc and decodeFunc are the append-style G.711 codecs of package audio.
type (
	encodeFunc func(dst []byte, src audio.PCM16) []byte
	decodeFunc func(dst audio.PCM16, src []byte) audio.PCM16
)

// codecFuncs returns the encoder and decoder for c.
func codecFuncs(c sdp.Codec) (encodeFunc, decodeFunc, error) {
	if c.ClockRate != Rate {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsupportedCodec, c)
	}
	switch {
	case strings.EqualFold(c.Name, "PCMU"):
		return audio.EncodeULaw, audio.DecodeULaw, nil
	case strings.EqualFold(c.Name, "PCMA"):
		return audio.EncodeALaw, audio.DecodeALaw, nil
	}
	return nil, nil, fmt.Errorf("%w: %v", ErrUnsupportedCodec, c)
}
