package rtp

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// sender turns queued audio into one RTP packet per 20 ms tick of its
// Pacer. mu is held for a whole tick; stop takes it, so once stop has
// returned no tick runs for the sender again. The header and frame fields
// are only touched under mu.
type sender struct {
	conn    *net.UDPConn
	c       *counters
	remote  *atomic.Pointer[netip.AddrPort]
	encode  encodeFunc
	q       rtpio.Queue
	sent    atomic.Int64 // samples actually written to the socket
	flushed atomic.Bool  // set by Flush: next packet starts a talkspurt
	paused  atomic.Bool  // set by Pause: queued audio waits, nothing is sent

	mu      sync.Mutex
	stopped bool
	hdr     rtp.Header
	frame   audio.PCM16 // one frame, reused
	pkt     []byte      // header + payload, reused
	talking bool        // the previous tick sent a packet

	// Registration in a Pacer, guarded by the Pacer's mu.
	shard *shard
	group int
}

func newSender(conn *net.UDPConn, cfg Config, enc encodeFunc, c *counters, remote *atomic.Pointer[netip.AddrPort]) *sender {
	return &sender{
		conn:   conn,
		c:      c,
		remote: remote,
		encode: enc,
		q:      rtpio.Queue{Max: int(cfg.SendQueue / (time.Second / Rate)), Frame: frameSamples},
		// RFC 3550 §5.1: random initial sequence number, timestamp and SSRC.
		hdr: rtp.Header{
			Version:        2,
			PayloadType:    cfg.Codec.PayloadType,
			SequenceNumber: uint16(rand.Uint32()),
			Timestamp:      rand.Uint32(),
			SSRC:           rand.Uint32(),
		},
		frame: make(audio.PCM16, frameSamples),
		pkt:   make([]byte, 0, 12+frameSamples),
	}
}

// build encodes frame into the reused packet buffer with the current
// header. The marker bit flags the first packet of a talkspurt (RFC 3551 §4.1).
func (s *sender) build(frame audio.PCM16, marker bool) []byte {
	s.hdr.Marker = marker
	n, err := s.hdr.MarshalTo(s.pkt[:cap(s.pkt)])
	if err != nil { // cannot happen: no CSRC or extensions
		return nil
	}
	return s.encode(s.pkt[:n], frame)
}

// stop ends the ticks: when it returns, no tick is running or will run.
func (s *sender) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// tick is called by the Pacer once per 20 ms. skip > 0 means the pacer
// fell that many periods behind and skipped them: the RTP clock jumps to
// stay true to wall time and a new talkspurt starts.
func (s *sender) tick(skip int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	if skip > 0 {
		s.c.sendLate.Add(1)
		s.hdr.Timestamp += uint32(skip) * frameSamples
		s.talking = false
	}
	s.send()
	s.hdr.Timestamp += frameSamples
}

// send sends the next frame, if any. The RTP timestamp advances every tick
// (in tick), so silence (nothing queued) shows as a timestamp jump to the
// receiver.
func (s *sender) send() {
	if s.paused.Load() {
		s.talking = false
		return
	}
	k := s.q.Pop(s.frame)
	if k == 0 {
		s.talking = false
		return
	}
	clear(s.frame[k:]) // pad a partial last frame with silence
	if s.flushed.Swap(false) {
		s.talking = false
	}
	pkt := s.build(s.frame, !s.talking)
	s.talking = true
	s.hdr.SequenceNumber++
	remote := s.remote.Load()
	if remote == nil || !remote.IsValid() || remote.Addr().IsUnspecified() || remote.Port() == 0 {
		return // on hold or not latched yet: the frame is consumed, not sent
	}
	if _, err := s.conn.WriteToUDPAddrPort(pkt, *remote); err != nil {
		s.c.sendErrors.Add(1) // the socket is closed only after stop
		return
	}
	s.c.packetsOut.Add(1)
	s.sent.Add(int64(k))
}
