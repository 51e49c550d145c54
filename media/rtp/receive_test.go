package rtp

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sdp"
)

func TestReceiveDecodesTone(t *testing.T) {
	for _, codec := range []sdp.Codec{sdp.PCMU, sdp.PCMA} {
		t.Run(codec.Name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.Codec = codec })
			pcm := tone(10*frameSamples, 1000)
			enc, _, _ := codecFuncs(codec)
			for i := range 10 {
				payload := enc(nil, pcm[i*frameSamples:(i+1)*frameSamples])
				h.r.handle(rtpPacket(t, codec.PayloadType, uint16(i), uint32(i*frameSamples), 1, false, payload), peer, h.now)
			}
			frames := h.sink.snapshot()
			if len(frames) != 10 {
				t.Fatalf("%d frames, want 10", len(frames))
			}
			got := concat(frames)
			on, off := audio.Goertzel(got, Rate, 1000), audio.Goertzel(got, Rate, 1500)
			if on < 0.04 || off > on/1000 {
				t.Errorf("1 kHz power %.4g, 1.5 kHz %.4g", on, off)
			}
		})
	}
}

// TestReceiveReframes checks 30 ms packets come out as 20 ms frames.
func TestReceiveReframes(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 4 {
		h.r.handle(rtpPacket(t, 0, uint16(i), uint32(i*240), 1, false, ulaw(tone(240, 500))), peer, h.now)
	}
	frames := h.sink.snapshot()
	if len(frames) != 6 {
		t.Fatalf("%d frames from 120 ms, want 6", len(frames))
	}
	for _, f := range frames {
		if len(f) != frameSamples {
			t.Fatalf("frame of %d samples", len(f))
		}
	}
}

func TestReceiveGarbage(t *testing.T) {
	valid := rtpPacket(t, 0, 0, 0, 1, false, make([]byte, 160))
	v1 := append([]byte(nil), valid...)
	v1[0] = 0x40 // version 1
	csrc := append([]byte(nil), valid[:12]...)
	csrc[0] |= 0x0f // 15 CSRCs announced, none present
	padding := append([]byte(nil), valid...)
	padding[0] |= 0x20
	padding[len(padding)-1] = 0 // padding length 0 is invalid
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 200)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 0x13 // not version 2
	rtcp := []byte{0x80, 0xc8, 0x00, 0x06, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name             string
		pkt              []byte
		garbage, unknown uint64
	}{
		{"random bytes", random, 1, 0},
		{"rtp v1", v1, 1, 0},
		{"truncated header", valid[:7], 1, 0},
		{"csrc beyond end", csrc, 1, 0},
		{"bad padding", padding, 1, 0},
		{"empty", nil, 1, 0},
		{"empty audio payload", rtpPacket(t, 0, 5, 0, 1, false, nil), 1, 0},
		{"oversized payload", rtpPacket(t, 0, 5, 0, 1, false, make([]byte, maxPayload+1)), 1, 0},
		{"wrong payload type", rtpPacket(t, 8, 5, 0, 1, false, make([]byte, 160)), 0, 1},
		{"rtcp sender report", rtcp, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.audio(t, 1, nil)
			h.r.handle(tt.pkt, peer, h.now)
			h.audio(t, 2, nil)
			s := h.c.snapshot()
			if s.Garbage != tt.garbage || s.UnknownPT != tt.unknown {
				t.Errorf("garbage %d unknownPT %d, want %d %d", s.Garbage, s.UnknownPT, tt.garbage, tt.unknown)
			}
			if n := len(h.sink.snapshot()); n != 2 || s.PacketsIn != 2 {
				t.Errorf("stream did not continue: %d frames, %d packets in", n, s.PacketsIn)
			}
		})
	}
}

func TestReceiveLossConcealed(t *testing.T) {
	h := newHarness(t, nil)
	loud := tone(frameSamples, 440)
	for _, seq := range []uint16{1, 2, 4, 5, 6, 7} {
		h.audio(t, seq, loud)
	}
	frames := h.sink.snapshot()
	if len(frames) != 7 {
		t.Fatalf("%d frames, want 7 (6 received + 1 concealed)", len(frames))
	}
	if audio.DBFS(frames[2]) > -90 || audio.DBFS(frames[3]) < -20 {
		t.Errorf("frame 3 should be silence (%.1f dBFS), frame 4 tone (%.1f)", audio.DBFS(frames[2]), audio.DBFS(frames[3]))
	}
	if s := h.c.snapshot(); s.Lost != 1 || s.Concealed != 1 {
		t.Errorf("lost %d concealed %d", s.Lost, s.Concealed)
	}
}

func TestReceiveSSRCChange(t *testing.T) {
	h := newHarness(t, nil)
	h.audio(t, 100, nil)
	h.audio(t, 102, nil) // waits for 101
	h.r.handle(rtpPacket(t, 0, 7, 0, 0x1234, false, make([]byte, 160)), peer, h.now)
	// 100, concealed 101, 102 flushed by the SSRC change, then 7 of the new stream.
	if n := len(h.sink.snapshot()); n != 4 {
		t.Errorf("%d frames, want 4", n)
	}
}

func TestReceiveJitterStat(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 400 {
		skew := time.Duration(0)
		if i%2 == 1 {
			skew = 10 * time.Millisecond // every other packet 10 ms late
		}
		ts := uint32(i * frameSamples)
		at := h.now.Add(time.Duration(i)*audio.FrameDuration + skew)
		h.r.handle(rtpPacket(t, 0, uint16(i), ts, 1, false, make([]byte, 160)), peer, at)
	}
	// |D| is 10 ms for every pair, so J converges to 10 ms.
	if j := h.c.snapshot().JitterMs; j < 9.5 || j > 10.01 {
		t.Errorf("jitter %.3f ms, want ~10", j)
	}
}

func TestLatching(t *testing.T) {
	other := netip.MustParseAddrPort("127.0.0.1:7000")
	zeroPort := netip.MustParseAddrPort("127.0.0.1:0")
	h := newHarness(t, nil)
	h.r.handle(rtpPacket(t, ptDTMF, 1, 1, ssrcPcap, true, eventPayload(1, false, 0)), zeroPort, h.now)
	if h.remote.Load() != nil {
		t.Fatal("telephone-event from port 0 latched")
	}
	h.r.handle(rtpPacket(t, 0, 1, 0, 1, false, make([]byte, 160)), peer, h.now)
	if got := h.remote.Load(); got == nil || *got != peer {
		t.Fatalf("remote %v, want %v", got, peer)
	}
	h.r.handle(rtpPacket(t, 0, 2, 160, 1, false, make([]byte, 160)), other, h.now)
	h.r.handle(rtpPacket(t, ptDTMF, 2, 1, ssrcPcap, false, eventPayload(1, true, 800)), zeroPort, h.now)
	if got := *h.remote.Load(); got != peer {
		t.Errorf("re-latched to %v", got)
	}
	if len(h.digits) != 1 {
		t.Errorf("digits %q: telephone-event from port 0 must be accepted", string(h.digits))
	}
}
