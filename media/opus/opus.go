package opus

import (
	"errors"
	"fmt"

	"github.com/thesyncim/gopus"

	"github.com/yuecall/yuecall/audio"
)

// Sentinel errors.
var (
	// ErrConfig means an EncoderConfig field or a decoder rate is out of range.
	ErrConfig = errors.New("opus: invalid config")
	// ErrFrameSize means Encode was given something other than one 20 ms frame.
	ErrFrameSize = errors.New("opus: frame is not 20 ms")
	// ErrCorrupt means a packet could not be decoded.
	ErrCorrupt = errors.New("opus: corrupt packet")
)

// Limits.
const (
	// MaxPacketBytes bounds one encoded packet (RFC 6716 §3.4 R5 allows 1275
	// bytes per frame; a 20 ms packet is one frame).
	MaxPacketBytes = 1275
	// MaxPacketDurationMs is the longest packet Opus allows, in ms (RFC 6716 §3.2.5).
	MaxPacketDurationMs = 120
	// RTPClockRate is the RTP timestamp rate of Opus whatever the audio rate
	// (RFC 7587 §4.1).
	RTPClockRate = 48000
	// DefaultBitrate suits wideband speech.
	DefaultBitrate = 32000
	// DefaultComplexity trades a little quality for CPU (0..10).
	DefaultComplexity = 5
)

// Application tells the encoder what it is coding.
type Application int

// Applications (OPUS_APPLICATION_VOIP and _AUDIO).
const (
	Voice Application = iota
	Music
)

// EncoderConfig configures an Encoder. Start from DefaultEncoderConfig.
type EncoderConfig struct {
	Rate              int         // input rate: 8000, 12000, 16000, 24000 or 48000 Hz
	Bitrate           int         // target bits per second, 6000..510000
	Complexity        int         // 0..10
	FEC               bool        // in-band forward error correction (LBRR)
	PacketLossPercent int         // expected loss, 0..100; tunes FEC
	DTX               bool        // discontinuous transmission in silence
	Application       Application // Voice or Music
}

// DefaultEncoderConfig returns a voice encoder at rate: 32 kbit/s,
// complexity 5, no FEC, no DTX. FEC is off because the library's SILK FEC
// path allocates about 13 KB per frame; turn it on for lossy networks.
func DefaultEncoderConfig(rate int) EncoderConfig {
	return EncoderConfig{Rate: rate, Bitrate: DefaultBitrate, Complexity: DefaultComplexity,
		Application: Voice}
}

// Validate reports the first field out of range.
func (c EncoderConfig) Validate() error {
	switch {
	case !validRate(c.Rate):
		return fmt.Errorf("%w: rate %d Hz (8000, 12000, 16000, 24000, 48000)", ErrConfig, c.Rate)
	case c.Bitrate < 6000 || c.Bitrate > 510000:
		return fmt.Errorf("%w: bitrate %d not in 6000..510000", ErrConfig, c.Bitrate)
	case c.Complexity < 0 || c.Complexity > 10:
		return fmt.Errorf("%w: complexity %d not in 0..10", ErrConfig, c.Complexity)
	case c.PacketLossPercent < 0 || c.PacketLossPercent > 100:
		return fmt.Errorf("%w: packet loss %d%% not in 0..100", ErrConfig, c.PacketLossPercent)
	case c.Application != Voice && c.Application != Music:
		return fmt.Errorf("%w: application %d", ErrConfig, c.Application)
	}
	return nil
}

func validRate(r int) bool {
	switch r {
	case 8000, 12000, 16000, 24000, 48000:
		return true
	}
	return false
}

// Encoder encodes mono 20 ms frames.
type Encoder struct {
	enc   *gopus.Encoder
	rate  int
	frame int
}

// NewEncoder returns an encoder for cfg.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	app := gopus.ApplicationVoIP
	if cfg.Application == Music {
		app = gopus.ApplicationAudio
	}
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: cfg.Rate, Channels: 1, Application: app})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	signal := gopus.SignalVoice
	if cfg.Application == Music {
		signal = gopus.SignalMusic
	}
	for _, err := range []error{
		enc.SetBitrate(cfg.Bitrate),
		enc.SetComplexity(cfg.Complexity),
		enc.SetPacketLoss(cfg.PacketLossPercent),
		enc.SetSignal(signal),
	} {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	enc.SetFEC(cfg.FEC)
	enc.SetDTX(cfg.DTX)
	return &Encoder{enc: enc, rate: cfg.Rate, frame: audio.SamplesPerFrame(cfg.Rate)}, nil
}

// Rate returns the input sample rate.
func (e *Encoder) Rate() int { return e.rate }

// FrameSamples returns how many samples Encode takes (20 ms).
func (e *Encoder) FrameSamples() int { return e.frame }

// Lookahead returns the encoder delay in samples at 48 kHz: the pre-skip
// of an Ogg Opus stream (RFC 7845 §4.2).
func (e *Encoder) Lookahead() int { return e.enc.Lookahead() * (48000 / e.rate) }

// FinalRange returns the range coder state after the last packet; a
// conformant decoder ends that packet in the same state (RFC 6716 §4.1).
func (e *Encoder) FinalRange() uint32 { return e.enc.FinalRange() }

// Encode appends the packet for one 20 ms frame to dst. Without FEC it
// allocates only when dst lacks MaxPacketBytes of spare capacity. An empty result (dst
// unchanged) means there is nothing to send for this frame.
func (e *Encoder) Encode(dst []byte, frame audio.PCM16) ([]byte, error) {
	if len(frame) != e.frame {
		return dst, fmt.Errorf("%w: %d samples at %d Hz", ErrFrameSize, len(frame), e.rate)
	}
	if cap(dst)-len(dst) < MaxPacketBytes {
		grown := make([]byte, len(dst), len(dst)+MaxPacketBytes)
		copy(grown, dst)
		dst = grown
	}
	n, err := e.enc.EncodeInt16(frame, dst[len(dst):len(dst)+MaxPacketBytes])
	if err != nil {
		return dst, fmt.Errorf("opus: encode: %w", err)
	}
	return dst[:len(dst)+n], nil
}

// Decoder decodes packets to mono PCM at a fixed rate.
type Decoder struct {
	dec     *gopus.Decoder
	rate    int
	max     int // samples in the longest packet
	lastLen int // samples in the last decoded packet (the size of a concealed one)
}

// NewDecoder returns a mono decoder producing PCM at rate (8000, 12000,
// 16000, 24000 or 48000 Hz). Stereo packets are mixed down. At 48 kHz the
// output is the same as libopus's (interop tests); at lower rates the
// library's SILK output differs from libopus's in the waveform (about one
// sample of delay), not in level or spectrum, so callers wanting 16 kHz
// decode at 48 kHz and resample.
func NewDecoder(rate int) (*Decoder, error) {
	if !validRate(rate) {
		return nil, fmt.Errorf("%w: rate %d Hz", ErrConfig, rate)
	}
	max := rate * MaxPacketDurationMs / 1000
	cfg := gopus.DefaultDecoderConfig(rate, 1)
	cfg.MaxPacketSamples = max
	dec, err := gopus.NewDecoder(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return &Decoder{dec: dec, rate: rate, max: max, lastLen: audio.SamplesPerFrame(rate)}, nil
}

// Rate returns the output sample rate.
func (d *Decoder) Rate() int { return d.rate }

// FinalRange returns the range decoder state after the last packet.
func (d *Decoder) FinalRange() uint32 { return d.dec.FinalRange() }

// Decode appends the samples of one packet to dst. A corrupt packet
// returns dst unchanged and an error wrapping ErrCorrupt; the decoder stays
// usable. It allocates only when dst lacks room for the longest packet.
func (d *Decoder) Decode(dst audio.PCM16, pkt []byte) (audio.PCM16, error) {
	if len(pkt) == 0 {
		return dst, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	dst = reserve(dst, d.max)
	n, err := d.dec.DecodeInt16(pkt, dst[len(dst):len(dst)+d.max])
	if err != nil {
		return dst, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	d.lastLen = n
	return dst[:len(dst)+n], nil
}

// Conceal appends a guess for one lost packet (packet loss concealment),
// as long as the last decoded packet.
func (d *Decoder) Conceal(dst audio.PCM16) (audio.PCM16, error) {
	n := d.lastLen
	dst = reserve(dst, n)
	got, err := d.dec.DecodeInt16(nil, dst[len(dst):len(dst)+n])
	if err != nil {
		return dst, fmt.Errorf("opus: conceal: %w", err)
	}
	return dst[:len(dst)+got], nil
}

// reserve makes sure dst has room for n more samples.
func reserve(dst audio.PCM16, n int) audio.PCM16 {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	grown := make(audio.PCM16, len(dst), len(dst)+max(n, len(dst)))
	copy(grown, dst)
	return grown
}
