package rtp

import (
	"encoding/binary"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// BenchmarkReceivePacket measures one audio packet through parse, reorder
// buffer, G.711 decode, (optional) in-band DTMF detection and the sink.
func BenchmarkReceivePacket(b *testing.B) {
	for _, bc := range []struct {
		name    string
		inband  bool
		reorder bool
	}{{"in-order", false, false}, {"in-order+inband-dtmf", true, false}, {"swapped-pairs", false, true}} {
		b.Run(bc.name, func(b *testing.B) {
			h := newHarness(b, func(c *Config) { c.InbandDTMF = bc.inband })
			h.box.Store(&sinkBox{w: audio.Discard(Rate)})
			pkt := rtpPacket(b, 0, 0, 0, ssrcAudio, false, ulaw(tone(frameSamples, 440)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				seq := uint16(i)
				if bc.reorder {
					seq ^= 1
				}
				binary.BigEndian.PutUint16(pkt[2:], seq)
				binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*frameSamples)
				h.r.handle(pkt, peer, h.now)
			}
		})
	}
}

// BenchmarkSendFrame measures encoding and marshalling one 20 ms frame.
func BenchmarkSendFrame(b *testing.B) {
	cfg := DefaultConfig().withDefaults()
	enc, _, _ := codecFuncs(cfg.Codec)
	var c counters
	s := newSender(nil, cfg, enc, &c, nil)
	frame := tone(frameSamples, 440)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if pkt := s.build(frame, false); len(pkt) != 12+frameSamples {
			b.Fatal(len(pkt))
		}
		s.hdr.SequenceNumber++
		s.hdr.Timestamp += frameSamples
	}
}

// BenchmarkEnqueuePop measures queueing one frame and taking it back out.
func BenchmarkEnqueuePop(b *testing.B) {
	q := queue{max: 8000}
	frame := tone(frameSamples, 440)
	dst := make(audio.PCM16, frameSamples)
	b.ReportAllocs()
	for range b.N {
		q.push(frame)
		q.pop(dst)
	}
}
