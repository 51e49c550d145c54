package webrtc

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// packetWriter is where the pacer's packets go: the call's
// TrackLocalStaticRTP, which sets SSRC and payload type per binding.
type packetWriter interface {
	WriteRTP(p *rtp.Packet) error
}

// sender turns queued audio into one RTP packet per 20 ms tick of the
// shared Pacer (the one the SIP leg uses). mu is held for a whole tick;
// stop takes it, so once stop has returned no tick runs again. The fields
// after mu are only touched under it.
type sender struct {
	c       *counters
	q       *rtpio.Queue[int16]
	sent    atomic.Int64 // samples actually written
	flushed atomic.Bool  // set by Flush: the next packet starts a talkspurt
	paused  atomic.Bool  // set by Pause: queued audio waits, nothing is sent
	idle    atomic.Bool  // a tick found nothing queued: the next audio may Kick the pacer

	mu      sync.Mutex
	stopped bool
	w       packetWriter
	enc     frameEncoder
	pkt     rtp.Packet
	frame   audio.PCM16 // one frame, reused
	payload []byte      // reused
	talking bool        // the previous tick sent a packet
	clock   rtpio.Clock
}

func newSender(c *counters, maxQueue time.Duration) *sender {
	return &sender{
		c: c,
		q: rtpio.NewQueue[int16](int(maxQueue / (time.Second / Rate))),
		// RFC 3550 §5.1: random initial sequence number and timestamp (the
		// track sets the SSRC).
		pkt: rtp.Packet{Header: rtp.Header{Version: 2,
			SequenceNumber: uint16(rand.Uint32()), Timestamp: rand.Uint32()}},
		frame:   make(audio.PCM16, frameSamples),
		payload: make([]byte, 0, 1500),
	}
}

// stop ends the ticks: when it returns, no tick is running or will run.
func (s *sender) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// Tick is called by the Pacer once per 20 ms. skip > 0 means the pacer
// fell that many periods behind (a stalled machine) and skipped them: the
// RTP clock jumps to stay true to wall time and a new talkspurt starts.
// w and enc are set before the sender joins the Pacer.
func (s *sender) Tick(skip int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	if skip > 0 {
		s.c.sendLate.Add(1)
		s.pkt.Timestamp += uint32(skip) * s.enc.step()
		s.talking = false
	}
	s.tick()
}

// tick sends the next frame, if any. The RTP timestamp advances every tick,
// so silence shows as a timestamp jump to the receiver (RFC 3551 §4.1).
func (s *sender) tick() {
	defer func() { s.pkt.Timestamp += s.enc.step() }()
	if s.paused.Load() {
		s.talking = false
		return
	}
	k := s.q.Pop(s.frame)
	if k == 0 {
		s.talking = false
		s.idle.Store(true)
		return
	}
	clear(s.frame[k:]) // pad a partial last frame with silence
	if s.flushed.Swap(false) {
		s.talking = false
		s.enc.reset()
	}
	payload, err := s.enc.encode(s.payload[:0], s.frame)
	if err != nil || len(payload) == 0 {
		if err != nil {
			s.c.sendErrors.Add(1)
		}
		return
	}
	if !s.talking { // a talkspurt starts: its timestamp comes from the wall clock
		step := s.enc.step()
		s.pkt.Timestamp = s.clock.Start(s.pkt.Timestamp, step, int(step)*50)
	}
	s.pkt.Marker = !s.talking // first packet of a talkspurt
	s.pkt.Payload = payload
	s.talking = true
	err = s.w.WriteRTP(&s.pkt)
	s.pkt.SequenceNumber++
	if err != nil {
		s.c.sendErrors.Add(1)
		return
	}
	s.c.packetsOut.Add(1)
	s.clock.Sent(s.pkt.Timestamp)
	s.sent.Add(int64(k))
}
