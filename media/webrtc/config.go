package webrtc

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
)

// Sentinel errors.
var (
	// ErrInvalidConfig means a Config field is out of range.
	ErrInvalidConfig = errors.New("webrtc: invalid config")
	// ErrClosed means the call has ended.
	ErrClosed = errors.New("webrtc: call ended")
	// ErrQueueFull means Enqueue would exceed Config.SendQueue; nothing was queued.
	ErrQueueFull = errors.New("webrtc: send queue full")
	// ErrMessageQueueFull means Send found the call's extra-message queue
	// full (the browser is slow); the message was dropped and counted.
	ErrMessageQueueFull = errors.New("webrtc: message queue full")
	// ErrBadMessage means Send was given something that is not a JSON
	// object with a string "type" of its own (not a signalling type).
	ErrBadMessage = errors.New("webrtc: bad message")
)

// Rate is the sample rate of all PCM in and out of a Call, both directions.
const Rate = audio.Rate16k

// Codec names an audio codec the server may negotiate.
type Codec string

// Codecs (RFC 7587 Opus at 48 kHz RTP clock; RFC 3551 PCMU at 8 kHz).
const (
	CodecOpus Codec = "opus"
	CodecPCMU Codec = "pcmu"
)

// ICEServer is a STUN or TURN server, in the shape of the browser's
// RTCIceServer so it can be sent as is.
type ICEServer struct {
	URLs       []string `yaml:"urls" json:"urls"`
	Username   string   `yaml:"username" json:"username,omitempty"`
	Credential string   `yaml:"credential" json:"credential,omitempty"`
}

// ICEConfig chooses the server's ICE candidates and servers.
type ICEConfig struct {
	// Interfaces limits host candidates to these network interfaces; empty = all.
	Interfaces []string `yaml:"interfaces"`
	// IPs limits host candidates to these local addresses; empty = all.
	IPs []string `yaml:"ips"`
	// PortMin and PortMax bound the UDP ports of media; both 0 = any port.
	PortMin int `yaml:"port_min"`
	PortMax int `yaml:"port_max"`
	// NAT1To1IPs are public addresses advertised instead of the host
	// addresses (a 1:1 NAT such as a cloud elastic IP).
	NAT1To1IPs []string `yaml:"nat_1to1_ips"`
	// Servers are STUN/TURN servers used by the server and sent to the
	// browser in the "config" message, so both sides use the same ones.
	Servers []ICEServer `yaml:"servers"`
	// AllowLoopback gathers 127.0.0.0/8 candidates (tests only).
	AllowLoopback bool `yaml:"allow_loopback"`
	// DisconnectTimeout ends a call whose media has been silent this long
	// (ICE failed).
	DisconnectTimeout time.Duration `yaml:"disconnect_timeout"`
}

// Config configures a Server and its calls.
type Config struct {
	ICE ICEConfig `yaml:"ice"`
	// Codecs lists the audio codecs to accept, most preferred first.
	Codecs []Codec `yaml:"codecs"`
	// MaxMessageBytes bounds one signalling message; a larger one closes
	// the socket with status 1008 (policy violation).
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// AllowedOrigins are the page origins ("https://host[:port]", or "*")
	// allowed to open the socket; empty = the socket's own host only.
	// Requests without an Origin header (not browsers) are allowed.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// ConnectTimeout bounds the time from socket open to media flowing.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// MaxCalls bounds concurrent calls; more are refused with "busy".
	MaxCalls int `yaml:"max_calls"`
	// SendQueue bounds queued outgoing audio per call.
	SendQueue time.Duration `yaml:"send_queue"`
	// JitterFrames is the reorder window for received packets.
	JitterFrames int `yaml:"jitter_frames"`
	// MessageQueue bounds the embedding program's messages (Call.Send)
	// waiting for a slow browser; more are dropped and counted.
	MessageQueue int `yaml:"message_queue"`
	// OpusBitrate and OpusComplexity tune the bot→browser encoder.
	OpusBitrate    int `yaml:"opus_bitrate"`
	OpusComplexity int `yaml:"opus_complexity"`
}

// DefaultConfig returns settings that run on a fresh machine: Opus then
// PCMU, no STUN/TURN, media on UDP 30000-39999, same-host origins only.
func DefaultConfig() Config {
	return Config{
		ICE:             ICEConfig{PortMin: 30000, PortMax: 39999, DisconnectTimeout: 10 * time.Second},
		Codecs:          []Codec{CodecOpus, CodecPCMU},
		MaxMessageBytes: 64 << 10,
		ConnectTimeout:  15 * time.Second,
		MaxCalls:        1000,
		SendQueue:       60 * time.Second,
		JitterFrames:    3,
		MessageQueue:    64,
		OpusBitrate:     opus.DefaultBitrate,
		OpusComplexity:  opus.DefaultComplexity,
	}
}

// Validate reports the first bad setting. Messages never include credentials.
func (c Config) Validate() error {
	if err := c.ICE.validate(); err != nil {
		return err
	}
	if err := validateCodecs(c.Codecs); err != nil {
		return err
	}
	for _, o := range c.AllowedOrigins {
		if _, err := normalOrigin(o); err != nil {
			return fmt.Errorf("%w: allowed origin %q: %v", ErrInvalidConfig, o, err)
		}
	}
	switch {
	case c.MaxMessageBytes < 4<<10 || c.MaxMessageBytes > 1<<20:
		return fmt.Errorf("%w: max_message_bytes %d not in 4096..1048576", ErrInvalidConfig, c.MaxMessageBytes)
	case c.ConnectTimeout <= 0 || c.ConnectTimeout > 5*time.Minute:
		return fmt.Errorf("%w: connect_timeout %v not in (0, 5m]", ErrInvalidConfig, c.ConnectTimeout)
	case c.MaxCalls <= 0:
		return fmt.Errorf("%w: max_calls must be positive", ErrInvalidConfig)
	case c.SendQueue <= 0 || c.SendQueue > 10*time.Minute:
		return fmt.Errorf("%w: send_queue %v not in (0, 10m]", ErrInvalidConfig, c.SendQueue)
	case c.JitterFrames < 1 || c.JitterFrames > 50:
		return fmt.Errorf("%w: jitter_frames %d not in 1..50", ErrInvalidConfig, c.JitterFrames)
	case c.MessageQueue < 1 || c.MessageQueue > 4096:
		return fmt.Errorf("%w: message_queue %d not in 1..4096", ErrInvalidConfig, c.MessageQueue)
	}
	enc := opus.DefaultEncoderConfig(Rate)
	enc.Bitrate, enc.Complexity = c.OpusBitrate, c.OpusComplexity
	if err := enc.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

func validateCodecs(cs []Codec) error {
	if len(cs) == 0 {
		return fmt.Errorf("%w: no codecs", ErrInvalidConfig)
	}
	for i, c := range cs {
		if c != CodecOpus && c != CodecPCMU {
			return fmt.Errorf("%w: codec %q (opus, pcmu)", ErrInvalidConfig, c)
		}
		if slices.Contains(cs[:i], c) {
			return fmt.Errorf("%w: codec %q listed twice", ErrInvalidConfig, c)
		}
	}
	return nil
}

func (c ICEConfig) validate() error {
	for _, name := range c.Interfaces {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("%w: empty ice interface name", ErrInvalidConfig)
		}
	}
	for _, list := range [][]string{c.IPs, c.NAT1To1IPs} {
		for _, ip := range list {
			if _, err := netip.ParseAddr(ip); err != nil {
				return fmt.Errorf("%w: %q is not an IP address", ErrInvalidConfig, ip)
			}
		}
	}
	if (c.PortMin != 0 || c.PortMax != 0) && (c.PortMin < 1024 || c.PortMax > 65535 || c.PortMin > c.PortMax) {
		return fmt.Errorf("%w: ice port range %d-%d", ErrInvalidConfig, c.PortMin, c.PortMax)
	}
	if c.DisconnectTimeout < time.Second || c.DisconnectTimeout > 5*time.Minute {
		return fmt.Errorf("%w: ice disconnect_timeout %v not in [1s, 5m]", ErrInvalidConfig, c.DisconnectTimeout)
	}
	for i, s := range c.Servers {
		if err := s.validate(); err != nil {
			return fmt.Errorf("%w: ice server %d: %v", ErrInvalidConfig, i, err)
		}
	}
	return nil
}

func (s ICEServer) validate() error {
	if len(s.URLs) == 0 {
		return errors.New("no urls")
	}
	for _, u := range s.URLs {
		scheme, _, _ := strings.Cut(u, ":")
		switch strings.ToLower(scheme) {
		case "stun", "stuns":
		case "turn", "turns":
			if s.Username == "" || s.Credential == "" {
				return fmt.Errorf("%s needs a username and a credential", u)
			}
		default:
			return fmt.Errorf("%q is not a stun:, stuns:, turn: or turns: URL", u)
		}
		if _, rest, _ := strings.Cut(u, ":"); rest == "" {
			return fmt.Errorf("%q has no host", u)
		}
	}
	return nil
}

// normalOrigin returns "scheme://host[:port]" in lower case, or "*".
func normalOrigin(o string) (string, error) {
	if o == "*" {
		return o, nil
	}
	u, err := url.Parse(o)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.User != nil {
		return "", errors.New("want scheme://host[:port]")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
