package webrtctest

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	pion "github.com/pion/webrtc/v4"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
	"github.com/yuecall/yuecall/media/webrtc"
)

// decoder turns one RTP payload into PCM at Rate.
type decoder interface {
	decode(payload []byte) (audio.PCM16, error)
}

func newDecoder(c webrtc.Codec) (decoder, error) {
	if c == webrtc.CodecPCMU {
		r, err := audio.NewResampler(audio.Rate8k, Rate)
		if err != nil {
			return nil, err
		}
		return &pcmuDecoder{r: r}, nil
	}
	// At 48 kHz the decoder matches libopus (media/opus interop tests).
	d, err := opus.NewDecoder(audio.Rate48k)
	if err != nil {
		return nil, err
	}
	r, err := audio.NewResampler(audio.Rate48k, Rate)
	if err != nil {
		return nil, err
	}
	return &opusDecoder{d: d, r: r}, nil
}

type opusDecoder struct {
	d   *opus.Decoder
	r   *audio.Resampler
	tmp audio.PCM16
}

func (o *opusDecoder) decode(p []byte) (audio.PCM16, error) {
	var err error
	if o.tmp, err = o.d.Decode(o.tmp[:0], p); err != nil {
		return nil, err
	}
	return o.r.Resample(nil, o.tmp), nil
}

type pcmuDecoder struct {
	r   *audio.Resampler
	tmp audio.PCM16
}

func (p *pcmuDecoder) decode(b []byte) (audio.PCM16, error) {
	p.tmp = audio.DecodeULaw(p.tmp[:0], b)
	return p.r.Resample(nil, p.tmp), nil
}

// receiver decodes the bot's audio track; it runs on pion's OnTrack
// goroutine until the track ends.
type receiver struct {
	dec     decoder
	log     *frameLog
	onAudio func(Frame)
	packets *atomic.Uint64
	errors  *atomic.Uint64
}

func (r *receiver) run(tr *pion.TrackRemote) {
	pt := uint8(tr.PayloadType())
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := tr.Read(buf)
		if err != nil && n == 0 { // n > 0: a payload type pion does not know, counted below
			return
		}
		at := time.Now()
		if err := pkt.Unmarshal(buf[:n]); err != nil || pkt.PayloadType != pt {
			r.errors.Add(1)
			continue
		}
		r.packets.Add(1)
		pcm, err := r.dec.decode(pkt.Payload)
		if err != nil {
			r.errors.Add(1)
			continue
		}
		f := Frame{At: at, PCM: pcm, Seq: pkt.SequenceNumber}
		r.log.add(f)
		if r.onAudio != nil {
			r.onAudio(f)
		}
	}
}
