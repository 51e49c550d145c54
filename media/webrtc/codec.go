package webrtc

import (
	"fmt"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
)

// frameSamples is one 20 ms frame at Rate.
var frameSamples = audio.SamplesPerFrame(Rate)

// frameEncoder turns one 20 ms frame at Rate into one RTP payload. It is
// owned by the pacer goroutine.
type frameEncoder interface {
	// encode appends the payload for frame to dst; an empty result means
	// there is nothing to send.
	encode(dst []byte, frame audio.PCM16) ([]byte, error)
	// reset forgets filter history before a new talkspurt.
	reset()
	// step is the RTP timestamp increment of one frame.
	step() uint32
}

// frameDecoder turns RTP payloads into PCM at Rate. It is owned by the
// RTP reading goroutine.
type frameDecoder interface {
	decode(dst audio.PCM16, payload []byte) (audio.PCM16, error)
	conceal(dst audio.PCM16) (audio.PCM16, error) // one lost packet
	clockRate() int                               // RTP clock, for jitter
}

func newEncoder(c Codec, cfg Config) (frameEncoder, error) {
	if c == CodecPCMU {
		r, err := audio.NewResampler(Rate, audio.Rate8k)
		if err != nil {
			return nil, err
		}
		return &pcmuEncoder{r: r, buf: make(audio.PCM16, 0, 2*frameSamples)}, nil
	}
	ec := opus.DefaultEncoderConfig(Rate)
	ec.Bitrate, ec.Complexity = cfg.OpusBitrate, cfg.OpusComplexity
	e, err := opus.NewEncoder(ec)
	if err != nil {
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	return opusEncoder{e}, nil
}

func newDecoder(c Codec) (frameDecoder, error) {
	if c == CodecPCMU {
		r, err := audio.NewResampler(audio.Rate8k, Rate)
		if err != nil {
			return nil, err
		}
		return &pcmuDecoder{r: r, tmp: make(audio.PCM16, 0, 1500), last: 160}, nil
	}
	// Decoding at 48 kHz is sample-identical to libopus (media/opus
	// interop tests); at 16 kHz the library's SILK output is not.
	d, err := opus.NewDecoder(audio.Rate48k)
	if err != nil {
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	r, err := audio.NewResampler(audio.Rate48k, Rate)
	if err != nil {
		return nil, err
	}
	return &opusDecoder{d: d, r: r, tmp: make(audio.PCM16, 0, 48*opus.MaxPacketDurationMs)}, nil
}

type opusEncoder struct{ e *opus.Encoder }

func (o opusEncoder) encode(dst []byte, f audio.PCM16) ([]byte, error) { return o.e.Encode(dst, f) }
func (opusEncoder) reset()                                             {}
func (opusEncoder) step() uint32                                       { return opus.RTPClockRate / 50 }

// pcmuEncoder resamples to 8 kHz and encodes G.711 µ-law, 160 bytes a frame.
type pcmuEncoder struct {
	r   *audio.Resampler
	buf audio.PCM16 // 8 kHz samples not yet sent
}

func (p *pcmuEncoder) encode(dst []byte, f audio.PCM16) ([]byte, error) {
	p.buf = p.r.Resample(p.buf, f)
	for len(p.buf) < 160 { // only before the filter fills
		p.buf = append(p.buf, 0)
	}
	dst = audio.EncodeULaw(dst, p.buf[:160])
	p.buf = p.buf[:copy(p.buf, p.buf[160:])]
	return dst, nil
}

func (p *pcmuEncoder) reset() {
	p.r.Reset()
	p.buf = p.buf[:0]
}

func (*pcmuEncoder) step() uint32 { return 160 }

// opusDecoder decodes at 48 kHz and resamples to Rate.
type opusDecoder struct {
	d   *opus.Decoder
	r   *audio.Resampler
	tmp audio.PCM16
}

func (o *opusDecoder) decode(dst audio.PCM16, payload []byte) (audio.PCM16, error) {
	var err error
	if o.tmp, err = o.d.Decode(o.tmp[:0], payload); err != nil {
		return dst, err
	}
	return o.r.Resample(dst, o.tmp), nil
}

func (o *opusDecoder) conceal(dst audio.PCM16) (audio.PCM16, error) {
	var err error
	if o.tmp, err = o.d.Conceal(o.tmp[:0]); err != nil {
		return dst, err
	}
	return o.r.Resample(dst, o.tmp), nil
}

func (*opusDecoder) clockRate() int { return opus.RTPClockRate }

// pcmuDecoder decodes G.711 µ-law and resamples 8 kHz to Rate.
type pcmuDecoder struct {
	r    *audio.Resampler
	tmp  audio.PCM16
	last int // samples in the last packet: the size of a concealed one
}

func (p *pcmuDecoder) decode(dst audio.PCM16, payload []byte) (audio.PCM16, error) {
	p.tmp = audio.DecodeULaw(p.tmp[:0], payload)
	p.last = len(p.tmp)
	return p.r.Resample(dst, p.tmp), nil
}

func (p *pcmuDecoder) conceal(dst audio.PCM16) (audio.PCM16, error) {
	p.tmp = append(p.tmp[:0], make(audio.PCM16, p.last)...)
	return p.r.Resample(dst, p.tmp), nil
}

func (*pcmuDecoder) clockRate() int { return audio.Rate8k }
