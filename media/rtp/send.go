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
	q       *rtpio.Queue[byte] // encoded G.711, one byte per sample
	silence byte               // the codec's encoding of a zero sample
	sent    atomic.Int64       // samples actually written to the socket
	flushed atomic.Bool        // set by Flush: next packet starts a talkspurt
	paused  atomic.Bool        // set by Pause: queued audio waits, nothing is sent
	idle    atomic.Bool        // a tick found nothing queued: the next audio may Kick the pacer

	mu      sync.Mutex
	stopped bool
	hdr     rtp.Header
	pkt     []byte     // header + payload, reused
	talking bool       // the previous tick sent a packet
	marks   []sentMark // when the last len(marks) packets left (Config.SendTimes), a ring
	nmarks  int        // packets recorded in marks
	clock   rtpio.Clock
}

func newSender(conn *net.UDPConn, cfg Config, enc encodeFunc, c *counters, remote *atomic.Pointer[netip.AddrPort]) *sender {
	return &sender{
		conn:    conn,
		c:       c,
		remote:  remote,
		encode:  enc,
		q:       rtpio.NewQueue[byte](int(cfg.SendQueue / (time.Second / Rate))),
		silence: enc(nil, audio.PCM16{0})[0],
		// RFC 3550 §5.1: random initial sequence number, timestamp and SSRC.
		hdr: rtp.Header{
			Version:        2,
			PayloadType:    cfg.Codec.PayloadType,
			SequenceNumber: uint16(rand.Uint32()),
			Timestamp:      rand.Uint32(),
			SSRC:           rand.Uint32(),
		},
		pkt:   make([]byte, 12+frameSamples),
		marks: sendMarksFor(cfg),
	}
}

func sendMarksFor(cfg Config) []sentMark {
	if !cfg.SendTimes {
		return nil
	}
	return make([]sentMark, sendMarks)
}

// sentMark is one packet's departure: the samples sent once it had gone
// (padding excluded) and when its write returned.
type sentMark struct {
	end int64
	at  time.Time
}

// sendMarks is how many departures a sender remembers for SentAt.
const sendMarks = 32

// push encodes pcm into the queue, all or nothing.
func (s *sender) push(pcm audio.PCM16) bool {
	return s.q.PushFunc(len(pcm), func(dst []byte, off int) {
		s.encode(dst[:0], pcm[off:off+len(dst)])
	})
}

// next pops the next frame's payload into the reused packet buffer after
// room for the header, pads a partial last frame with silence and returns
// how many samples were queued audio (0: nothing to send).
func (s *sender) next() int {
	payload := s.pkt[12 : 12+frameSamples]
	k := s.q.Pop(payload)
	for i := k; i < len(payload) && k > 0; i++ {
		payload[i] = s.silence
	}
	return k
}

// header writes the current header in front of the payload. The marker bit
// flags the first packet of a talkspurt (RFC 3551 §4.1).
func (s *sender) header(marker bool) []byte {
	s.hdr.Marker = marker
	if n, err := s.hdr.MarshalTo(s.pkt[:12]); err != nil || n != 12 { // cannot happen: no CSRC or extensions
		return nil
	}
	return s.pkt
}

// stop ends the ticks: when it returns, no tick is running or will run.
func (s *sender) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// Tick is called by the Pacer once per 20 ms. skip > 0 means the pacer
// fell that many periods behind and skipped them: the RTP clock jumps to
// stay true to wall time and a new talkspurt starts.
func (s *sender) Tick(skip int) {
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
	k := s.next()
	if k == 0 {
		s.talking = false
		s.idle.Store(true)
		return
	}
	if s.flushed.Swap(false) {
		s.talking = false
	}
	if !s.talking { // a talkspurt starts: its timestamp comes from the wall clock
		s.hdr.Timestamp = s.clock.Start(s.hdr.Timestamp, frameSamples, Rate)
	}
	pkt := s.header(!s.talking)
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
	s.clock.Sent(s.hdr.Timestamp)
	end := s.sent.Add(int64(k))
	if s.marks != nil {
		s.marks[s.nmarks%len(s.marks)] = sentMark{end: end, at: time.Now()}
		s.nmarks++
	}
}

// sentAt returns when the packet holding sample n-1 (the n-th sample
// queued) left, if it is among the remembered departures.
func (s *sender) sentAt(n int64) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= min(s.nmarks, len(s.marks)); i++ {
		m := s.marks[(s.nmarks-i)%len(s.marks)]
		older := int64(0)
		if i < min(s.nmarks, len(s.marks)) {
			older = s.marks[(s.nmarks-i-1)%len(s.marks)].end
		}
		if n > older && n <= m.end {
			return m.at, true
		}
	}
	return time.Time{}, false
}
