package rtp

import (
	"context"
	"encoding/binary"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkSendFrame measures one 20 ms frame from PCM to packet bytes:
// G.711 encoding into the send queue, popping it and the RTP header.
func BenchmarkSendFrame(b *testing.B) {
	cfg := DefaultConfig().withDefaults()
	enc, _, _ := codecFuncs(cfg.Codec)
	var c counters
	s := newSender(nil, cfg, enc, &c, nil)
	frame := tone(frameSamples, 440)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.push(frame)
		if k, pkt := s.next(), s.header(false); k != frameSamples || len(pkt) != 12+frameSamples {
			b.Fatal(k, len(pkt))
		}
		s.hdr.SequenceNumber++
		s.hdr.Timestamp += frameSamples
	}
}

// BenchmarkTick measures one pacer tick of a session: pop a frame, encode,
// marshal and write it to a loopback socket (talking), or only advance the
// RTP clock (idle).
func BenchmarkTick(b *testing.B) {
	for _, talking := range []bool{true, false} {
		name := map[bool]string{true: "talking", false: "idle"}[talking]
		b.Run(name, func(b *testing.B) {
			cfg := DefaultConfig().withDefaults()
			enc, _, _ := codecFuncs(cfg.Codec)
			var c counters
			var remote atomic.Pointer[netip.AddrPort]
			to := addrOf(listen(b)) // nobody reads: the kernel drops what overflows
			remote.Store(&to)
			s := newSender(listen(b), cfg, enc, &c, &remote)
			frame := tone(frameSamples, 440)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if talking {
					s.push(frame)
				}
				s.Tick(0)
			}
			b.StopTimer()
			if want := map[bool]int{true: b.N}[talking]; c.packetsOut.Load() != uint64(want) {
				b.Fatalf("%d packets out, want %d (%d errors)", c.packetsOut.Load(), want, c.sendErrors.Load())
			}
		})
	}
}

// BenchmarkSessionReceive measures one packet through a started Session:
// socket read, parse, reorder buffer (with the read deadline armed while
// packets wait), G.711 decode, loss concealment, in-band DTMF detection and
// the sink, on the Session's reader goroutine. The point is allocs/op (the
// allocations of every goroutine count); ns/op includes the hand-off between
// the writing and the reading goroutine and varies with the machine's load.
func BenchmarkSessionReceive(b *testing.B) {
	for _, bc := range []struct {
		name string
		seq  func(i int) (seq uint16, send bool)
	}{
		{"in-order", func(i int) (uint16, bool) { return uint16(i), true }},
		{"swapped-pairs", func(i int) (uint16, bool) { return uint16(i ^ 1), true }},
		{"loss-1-in-8", func(i int) (uint16, bool) { return uint16(i), i%8 != 7 }},
	} {
		b.Run(bc.name, func(b *testing.B) { sessionReceive(b, bc.seq) })
	}
}

func sessionReceive(b *testing.B, order func(int) (uint16, bool)) {
	src := listen(b)
	s := newSession(b, addrOf(src), nil)
	var got atomic.Int64
	_ = s.SetSink(audio.WriterFunc{Rate: Rate, Fn: func(audio.PCM16) error { got.Add(1); return nil }})
	s.Start(context.Background())
	to := s.LocalAddr()
	pkt := rtpPacket(b, 0, 0, 0, ssrcAudio, false, ulaw(tone(frameSamples, 440)))
	wait := func(n int64) {
		deadline := time.Now().Add(2 * time.Second)
		for got.Load() < n {
			if time.Now().After(deadline) {
				b.Fatalf("%d frames of %d arrived; stats %+v", got.Load(), n, s.Stats())
			}
			runtime.Gosched()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if seq, send := order(i); send {
			binary.BigEndian.PutUint16(pkt[2:], seq)
			binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*frameSamples)
			if _, err := src.WriteToUDPAddrPort(pkt, to); err != nil {
				b.Fatal(err)
			}
		}
		if i%16 == 15 { // stay far below the socket buffer; lost packets are concealed by then
			wait(int64(i + 1 - 4))
		}
	}
	wait(int64(b.N - 4))
}
