package resilient

import (
	"context"
	"fmt"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// failure is why an inner stream is being replaced.
type failure struct {
	reason string // Reason...
	err    error
}

// run is the owner goroutine: it serves the current inner stream and
// replaces it when it fails, until the stream ends.
func (s *Stream) run() {
	defer close(s.done)
	var err error
	for {
		f := s.serve()
		if f == nil {
			break
		}
		if err = s.reconnect(f); err != nil {
			break
		}
	}
	if c := s.own.cur; c != nil {
		c.close()
	}
	s.own.stall.Stop()
	s.cancel()
	switch {
	case s.closing.Load():
		err = nil // abandoned: nobody asks why
	case s.parent.Err() != nil:
		err = context.Cause(s.parent)
	}
	s.finish(err)
}

// serve runs the current inner stream until it fails (returned) or the
// wrapper stream is over (nil).
func (s *Stream) serve() *failure {
	c := s.own.cur
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case <-s.kick:
			s.forward()
		case r, ok := <-c.stream.Results():
			if !ok {
				return s.innerEnded()
			}
			if !s.onResult(r) {
				return nil
			}
		case <-s.own.stall.C:
			s.own.armed = false
			s.r.m.Stall(c.name)
			return &failure{ReasonStall, fmt.Errorf("%w: no result for %v", ErrStalled, s.r.cfg.StallTimeout)}
		}
	}
}

// innerEnded classifies the end of the current inner stream's results.
func (s *Stream) innerEnded() *failure {
	c := s.own.cur
	switch err := c.stream.Err(); {
	case s.ctx.Err() != nil:
		return nil
	case err != nil:
		return &failure{ReasonError, err}
	case !c.closeSent:
		return &failure{ReasonHalfClosed, ErrHalfClosed}
	}
	return nil // the provider finished after CloseSend: a clean end
}

// forward passes up to forwardChunk of audio not yet sent to the inner
// stream, then CloseSend once everything is sent and the caller asked.
func (s *Stream) forward() {
	c := s.own.cur
	if c.dead || c.closeSent {
		return
	}
	s.mu.Lock()
	skipped := s.ring.start - c.sent
	from := max(c.sent, s.ring.start)
	n := s.ring.read(from, s.own.scratch)
	more := from+int64(n) < s.ring.end
	closeSend := s.sendClosed && !more
	s.mu.Unlock()
	if skipped > 0 {
		s.log.Warn("resilient: replay buffer overflowed before audio was sent", "provider", c.name,
			"lost", audio.Duration(int(skipped), s.rate))
	}
	c.sent = from
	if n > 0 {
		p := s.own.scratch[:n]
		if err := c.stream.WriteSample(p); err != nil {
			s.log.Debug("resilient: inner write failed", "provider", c.name, "err", err)
			c.dead = true // its results will end; the stall timer covers a provider that does not end them
			s.arm()
			return
		}
		c.sent += int64(n)
		if voiced(p) {
			s.arm()
		}
	}
	switch {
	case more:
		s.poke()
	case closeSend:
		c.closeSent = true
		if err := c.stream.CloseSend(); err != nil {
			s.log.Debug("resilient: inner CloseSend", "provider", c.name, "err", err)
		}
		s.arm()
	}
}

// voiced reports whether any 10 ms of p (at 16 kHz) is louder than -40 dBFS.
func voiced(p audio.PCM16) bool {
	const win = 160
	for len(p) > 0 {
		n := min(win, len(p))
		var sum int64
		for _, v := range p[:n] {
			sum += int64(v) * int64(v)
		}
		if sum >= voicedPower*int64(n) {
			return true
		}
		p = p[n:]
	}
	return false
}

// arm starts the stall timer unless it runs: a result is now owed.
func (s *Stream) arm() {
	if !s.own.armed {
		s.own.armed = true
		s.own.stall.Reset(s.r.cfg.StallTimeout)
	}
}

// disarm stops the stall timer.
func (s *Stream) disarm() {
	s.own.armed = false
	s.own.stall.Stop()
}

// answered notes a result: the timer stops until voiced audio is sent,
// unless the end of the stream is still owed after CloseSend.
func (s *Stream) answered() {
	s.disarm()
	if s.own.cur.closeSent {
		s.arm()
	}
}

// onResult delivers one result of the current inner stream. It reports
// false if the stream was closed while a final waited for the consumer.
func (s *Stream) onResult(r asr.Result) bool {
	s.answered()
	c := s.own.cur
	if r.Final && c.stream.Err() != nil {
		// A failing provider flushes its last hypothesis as final; the
		// replay will produce the real one.
		r.Final = false
	}
	end := int64(samples(r.End, s.rate)) // in the inner stream
	off := audio.Duration(int(c.base), s.rate)
	r.Start, r.End = r.Start+off, r.End+off
	r.Segment = s.own.segment
	if r.Final {
		return s.deliverFinal(r, end)
	}
	if r.Text != "" && !s.own.sawPartial {
		s.own.sawPartial = true
		s.mu.Lock()
		at := s.segAudioAt
		s.mu.Unlock()
		if !at.IsZero() {
			s.r.m.FirstPartial(c.name, time.Since(at))
		}
	}
	select {
	case s.results <- r:
	default:
		s.droppedResults.Add(1)
	}
	return true
}

// deliverFinal waits for the consumer to take r, then drops the audio r
// covers from the replay buffer (see coverage); end is r.End in samples of
// the inner stream.
func (s *Stream) deliverFinal(r asr.Result, end int64) bool {
	select {
	case s.results <- r:
	case <-s.ctx.Done():
		return false
	}
	c := s.own.cur
	s.mu.Lock()
	covered := s.own.cover.covered(&s.ring, c.sent, c.base, end)
	s.ring.trim(covered)
	held := s.ring.size()
	seg, cs := s.segAudioAt, s.closeSendAt
	s.segAudioAt = time.Time{}
	if s.ring.size() > 0 { // the next segment's audio is already here
		s.segAudioAt = time.Now()
	}
	s.mu.Unlock()
	s.log.Debug("resilient: final", "provider", c.name, "segment", r.Segment,
		"sent", audio.Duration(int(c.sent), s.rate), "covered", audio.Duration(int(covered), s.rate),
		"held", audio.Duration(int(held), s.rate))
	if !cs.IsZero() {
		seg = cs
	}
	if !seg.IsZero() {
		s.r.m.Final(c.name, time.Since(seg))
	}
	s.own.segment++
	s.own.sawPartial = false
	s.own.attempts = 0
	return true
}
