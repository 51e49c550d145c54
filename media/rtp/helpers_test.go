package rtp

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sdp"
)

// SSRCs as SIPp sends them: audio from rtp_stream, DTMF from the shipped pcaps.
const (
	ssrcAudio = 0xCA110000
	ssrcPcap  = 0x0E05384E
	ptDTMF    = 101
)

// rtpPacket marshals one RTP packet.
func rtpPacket(t testing.TB, pt uint8, seq uint16, ts, ssrc uint32, marker bool, payload []byte) []byte {
	t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq,
		Timestamp: ts, SSRC: ssrc, Marker: marker}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventPayload is an RFC 4733 §2.3 payload at volume 10.
func eventPayload(code uint8, end bool, dur uint16) []byte {
	b := []byte{code, 10, 0, 0}
	if end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], dur)
	return b
}

// tone returns n samples of a sine at freq.
func tone(n int, freq float64) audio.PCM16 {
	pcm := make(audio.PCM16, n)
	audio.NewToneGenerator(Rate, 0.3, freq).Read(pcm)
	return pcm
}

// ulaw encodes pcm as G.711 µ-law.
func ulaw(pcm audio.PCM16) []byte { return audio.EncodeULaw(nil, pcm) }

// collector is a goroutine-safe sink that keeps copies of every frame.
type collector struct {
	mu     sync.Mutex
	frames []audio.PCM16
	notify chan struct{}
}

func newCollector() *collector { return &collector{notify: make(chan struct{}, 1)} }

func (c *collector) SampleRate() int { return Rate }

func (c *collector) WriteSample(s audio.PCM16) error {
	c.mu.Lock()
	c.frames = append(c.frames, append(audio.PCM16(nil), s...))
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return nil
}

func (c *collector) snapshot() []audio.PCM16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]audio.PCM16(nil), c.frames...)
}

// wait blocks until at least n frames arrived or the timeout passes.
func (c *collector) wait(t testing.TB, n int, timeout time.Duration) []audio.PCM16 {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if f := c.snapshot(); len(f) >= n {
			return f
		}
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("got %d frames, want %d within %v", len(c.snapshot()), n, timeout)
		}
	}
}

func concat(frames []audio.PCM16) audio.PCM16 {
	var out audio.PCM16
	for _, f := range frames {
		out = append(out, f...)
	}
	return out
}

// harness drives a receiver directly, without sockets or goroutines.
type harness struct {
	r       *receiver
	c       counters
	sink    *collector
	digits  []rune
	remote  atomic.Pointer[netip.AddrPort]
	latched atomic.Bool
	box     atomic.Pointer[sinkBox]
	now     time.Time
}

func newHarness(t testing.TB, mutate func(*Config)) *harness {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DTMFPayloadType = ptDTMF
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg = cfg.withDefaults()
	_, dec, err := codecFuncs(cfg.Codec)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{sink: newCollector(), now: time.Unix(1_700_000_000, 0)}
	h.r = newReceiver(cfg, dec, &h.c)
	h.r.epoch = h.now
	h.box.Store(&sinkBox{w: h.sink})
	h.r.sink, h.r.remote, h.r.latched = &h.box, &h.remote, &h.latched
	h.r.digits = func(d rune) { h.digits = append(h.digits, d) }
	return h
}

var peer = netip.MustParseAddrPort("127.0.0.1:6000")

// audio feeds one 20 ms µ-law packet of pcm (silence if nil) at h.now and
// advances h.now by 20 ms.
func (h *harness) audio(t testing.TB, seq uint16, pcm audio.PCM16) {
	t.Helper()
	if pcm == nil {
		pcm = make(audio.PCM16, frameSamples)
	}
	h.r.handle(rtpPacket(t, 0, seq, uint32(seq)*frameSamples, ssrcAudio, false, ulaw(pcm)), peer, h.now)
	h.now = h.now.Add(audio.FrameDuration)
}

func (h *harness) event(t testing.TB, seq uint16, ts uint32, code uint8, end bool, dur uint16) {
	t.Helper()
	h.r.handle(rtpPacket(t, ptDTMF, seq, ts, ssrcPcap, false, eventPayload(code, end, dur)), peer, h.now)
}

// listen opens a UDP socket on 127.0.0.1 with an OS-chosen port.
func listen(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// newSession starts a PCMU session with telephone-event 101 sending to remote.
func newSession(t testing.TB, remote netip.AddrPort, mutate func(*Config)) *Session {
	t.Helper()
	cfg := NewConfig(sdp.Negotiated{Codec: sdp.PCMU, DTMFPayloadType: ptDTMF, Remote: remote})
	if mutate != nil {
		mutate(&cfg)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// readPackets reads n RTP packets from c and their arrival times (kernel
// timestamps where available).
func readPackets(t testing.TB, c *net.UDPConn, n int, timeout time.Duration) ([]rtp.Packet, []time.Time) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	stamps := enableStamps(c)
	buf, oob := make([]byte, 1500), make([]byte, 256)
	pkts := make([]rtp.Packet, 0, n)
	times := make([]time.Time, 0, n)
	for len(pkts) < n {
		k, oobn, _, _, err := c.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			t.Fatalf("after %d packets: %v", len(pkts), err)
		}
		at := time.Now()
		if kt, ok := stampOf(oob[:oobn]); stamps && ok {
			at = kt
		}
		var p rtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:k]...)); err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, p)
		times = append(times, at)
	}
	return pkts, times
}
