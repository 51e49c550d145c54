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
)

// queue is a growable ring of 8 kHz samples waiting to be sent. Growth
// doubles up to max samples; Flush is O(1) and keeps the memory for reuse.
type queue struct {
	mu   sync.Mutex
	buf  audio.PCM16
	head int // index of the oldest sample
	n    int // samples queued
	max  int
}

// push appends pcm whole, or nothing if it would exceed max.
func (q *queue) push(pcm audio.PCM16) bool {
	if len(pcm) == 0 {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n+len(pcm) > q.max {
		return false
	}
	if q.n+len(pcm) > len(q.buf) {
		q.grow(q.n + len(pcm))
	}
	tail := (q.head + q.n) % len(q.buf)
	k := copy(q.buf[tail:], pcm)
	copy(q.buf, pcm[k:])
	q.n += len(pcm)
	return true
}

// grow reallocates the ring to hold at least need samples, oldest first.
func (q *queue) grow(need int) {
	size := max(2*len(q.buf), need, 8*frameSamples)
	size = min(size, q.max)
	buf := make(audio.PCM16, size)
	k := copy(buf, q.buf[q.head:min(q.head+q.n, len(q.buf))])
	copy(buf[k:], q.buf[:q.n-k])
	q.buf, q.head = buf, 0
}

// pop moves up to len(dst) samples into dst and returns how many.
func (q *queue) pop(dst audio.PCM16) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := min(q.n, len(dst))
	if k == 0 {
		return 0
	}
	c := copy(dst[:k], q.buf[q.head:])
	copy(dst[c:k], q.buf)
	q.head = (q.head + k) % len(q.buf)
	q.n -= k
	return k
}

// flush drops everything queued and returns how many samples that was.
func (q *queue) flush() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.n
	q.head, q.n = 0, 0
	return n
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// sender turns queued audio into one RTP packet per 20 ms tick of its
// Pacer. mu is held for a whole tick; stop takes it, so once stop has
// returned no tick runs for the sender again. The header and frame fields
// are only touched under mu.
type sender struct {
	conn    *net.UDPConn
	c       *counters
	remote  *atomic.Pointer[netip.AddrPort]
	encode  encodeFunc
	q       queue
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
		q:      queue{max: int(cfg.SendQueue / (time.Second / Rate))},
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
	k := s.q.pop(s.frame)
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
