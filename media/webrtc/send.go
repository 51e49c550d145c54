package webrtc

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// lateFrames is how far (in frames) the pacer may fall behind its schedule
// before it gives up catching up and restarts the schedule from now.
const lateFrames = 3

// packetWriter is where the pacer's packets go: the call's
// TrackLocalStaticRTP, which sets SSRC and payload type per binding.
type packetWriter interface {
	WriteRTP(p *rtp.Packet) error
}

// sender paces queued audio out as one RTP packet per 20 ms. The fields
// after the atomics are owned by the pacer goroutine.
type sender struct {
	c       *counters
	q       *rtpio.Queue[int16]
	sent    atomic.Int64 // samples actually written
	flushed atomic.Bool  // set by Flush: the next packet starts a talkspurt
	paused  atomic.Bool  // set by Pause: queued audio waits, nothing is sent

	w       packetWriter
	enc     frameEncoder
	pkt     rtp.Packet
	frame   audio.PCM16 // one frame, reused
	payload []byte      // reused
	talking bool        // the previous tick sent a packet
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

// run is the pacer: tick n happens at t0 + n*20ms on the monotonic clock.
// w and enc must be set before it starts.
func (s *sender) run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	t0 := time.Now()
	for n := int64(0); ; n++ {
		deadline := t0.Add(time.Duration(n) * audio.FrameDuration)
		if wait := time.Until(deadline); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return
		} else if behind := -wait / audio.FrameDuration; behind > lateFrames {
			// Far behind (a stalled machine): keep the RTP clock true to
			// wall time, start a new talkspurt and a new schedule.
			s.c.sendLate.Add(1)
			s.pkt.Timestamp += uint32(behind) * s.enc.step()
			s.talking = false
			t0, n = time.Now(), 0
		}
		s.tick()
	}
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
	s.sent.Add(int64(k))
}
