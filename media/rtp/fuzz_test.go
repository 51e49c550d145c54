package rtp

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// FuzzReceive feeds arbitrary bytes to the packet handler, first as one
// datagram, then as a script of valid audio and telephone-event packets
// (to drive the reorder buffer and the event logic into odd states). It
// checks nothing panics and the invariants hold.
func FuzzReceive(f *testing.F) {
	f.Add(rtpPacket(f, 0, 1, 160, 1, true, make([]byte, 160)))
	f.Add(rtpPacket(f, ptDTMF, 7984, 13280, ssrcPcap, true, eventPayload(1, false, 0)))
	f.Add(rtpPacket(f, ptDTMF, 7991, 13280, ssrcPcap, false, eventPayload(11, true, 2240)))
	f.Add([]byte{0x80})
	f.Add([]byte{0xbf, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}) // padding, extension, 15 CSRCs
	f.Add([]byte{0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h := newHarness(t, func(c *Config) { c.JitterFrames = 4 })
		sink := &frameChecker{t: t}
		h.box.Store(&sinkBox{w: sink})
		from := netip.MustParseAddrPort("127.0.0.1:6000")
		h.r.handle(data, from, h.now)
		script(t, h, data)
		h.r.pause(h.now)
		if h.r.jb.Waiting() {
			t.Fatal("packets waiting after pause")
		}
	})
}

// script interprets data as 4-byte ops: kind, seq delta (signed), ts delta, event byte.
func script(t *testing.T, h *harness, data []byte) {
	seq, ts := uint16(0), uint32(0)
	buf := make([]byte, 12+frameSamples)
	for len(data) >= 4 {
		op := data[:4]
		data = data[4:]
		seq += uint16(int8(op[1]))
		ts += uint32(op[2]) * 40
		pt := uint8(0)
		payload := buf[12 : 12+frameSamples]
		if op[0]&1 == 1 {
			pt = ptDTMF
			payload = buf[12:16]
			payload[0], payload[1] = op[3]&0x1f, op[3]&0x80
			binary.BigEndian.PutUint16(payload[2:], uint16(op[2])*160)
		}
		buf[0], buf[1] = 0x80, pt
		binary.BigEndian.PutUint16(buf[2:], seq)
		binary.BigEndian.PutUint32(buf[4:], ts)
		binary.BigEndian.PutUint32(buf[8:], uint32(op[0]>>6)) // up to 4 SSRCs
		h.now = h.now.Add(time.Duration(op[3]) * time.Millisecond)
		h.r.handle(buf[:12+len(payload)], peer, h.now)
	}
}

// frameChecker is a sink that fails on anything but 20 ms frames.
type frameChecker struct{ t *testing.T }

func (c *frameChecker) SampleRate() int { return Rate }

func (c *frameChecker) WriteSample(s audio.PCM16) error {
	if len(s) != frameSamples {
		c.t.Fatalf("frame of %d samples", len(s))
	}
	return nil
}
