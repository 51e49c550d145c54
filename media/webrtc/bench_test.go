package webrtc

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
)

// discardWriter stands in for the track: it only counts packets.
type discardWriter struct{ n int }

func (d *discardWriter) WriteRTP(*rtp.Packet) error { d.n++; return nil }

// BenchmarkSendFrame is the pacer's per-frame path: pop 20 ms from the
// queue, encode (Opus at 16 kHz, or resample + µ-law), build the packet.
func BenchmarkSendFrame(b *testing.B) {
	for _, codec := range []Codec{CodecOpus, CodecPCMU} {
		b.Run(string(codec), func(b *testing.B) {
			var c counters
			s := newSender(&c, time.Minute)
			enc, err := newEncoder(codec, DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			w := &discardWriter{}
			s.w, s.enc = w, enc
			second := tone16k(time.Second)
			b.ReportAllocs()
			for b.Loop() {
				if s.q.Len() < frameSamples {
					s.q.Push(second)
				}
				s.Tick(0)
			}
			if w.n == 0 {
				b.Fatal("nothing sent")
			}
		})
	}
}

// BenchmarkReceiveFrame is the reader's per-packet path: parse, reorder,
// decode (Opus at 48 kHz + resample, or µ-law + resample), emit a frame.
func BenchmarkReceiveFrame(b *testing.B) {
	for _, codec := range []Codec{CodecOpus, CodecPCMU} {
		b.Run(string(codec), func(b *testing.B) {
			var c counters
			dec, err := newDecoder(codec)
			if err != nil {
				b.Fatal(err)
			}
			var sink atomic.Pointer[sinkBox]
			frames := 0
			sink.Store(&sinkBox{w: audio.WriterFunc{Rate: Rate, Fn: func(audio.PCM16) error { frames++; return nil }}})
			r := newReceiver(testLogger(), &c, &sink, func(rune) {}, &media{dec: dec, audioPT: 111}, 3)
			var payloads [][]byte
			step := uint32(960)
			if codec == CodecPCMU {
				payloads, step = pcmuTone(50), 160
			} else {
				payloads = opusToneB(b, 50)
			}
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SSRC: 1}}
			buf := make([]byte, 1500)
			now := time.Now()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				pkt.SequenceNumber, pkt.Timestamp = uint16(i), uint32(i)*step
				pkt.Payload = payloads[i%len(payloads)]
				n, _ := pkt.MarshalTo(buf)
				r.handle(buf[:n], now)
				i++
			}
			if frames < i-1 {
				b.Fatalf("%d frames from %d packets", frames, i)
			}
		})
	}
}
