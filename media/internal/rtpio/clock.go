package rtpio

import "time"

// Clock keeps a sender's RTP timestamps true to wall time across
// talkspurts (RFC 3550 §5.1: the timestamp reflects the sampling instant).
// Within a talkspurt a sender adds one frame's step per packet; the first
// packet of each talkspurt takes its timestamp from the monotonic clock
// instead, so neither a Kick that moves the sender to another phase, nor a
// stalled pacer, nor a double tick can leave the clock off by a fraction
// of a frame. It is owned by the sender's tick (under its lock).
type Clock struct {
	epoch   time.Time
	base    uint32
	last    uint32 // timestamp of the last packet sent
	started bool
	sent    bool
}

// Start returns the timestamp of a talkspurt's first packet, sent now, at
// rate Hz: the first call keeps ts (the random initial timestamp); later
// ones add the time since then, but never come less than step after the
// last packet sent.
func (c *Clock) Start(ts, step uint32, rate int) uint32 {
	now := time.Now()
	if !c.started {
		c.epoch, c.base, c.started = now, ts, true
		return ts
	}
	t := c.base + uint32(int64(now.Sub(c.epoch))*int64(rate)/int64(time.Second))
	if c.sent && int32(t-(c.last+step)) < 0 {
		t = c.last + step
	}
	return t
}

// Sent records the timestamp of a packet that was sent.
func (c *Clock) Sent(ts uint32) { c.last, c.sent = ts, true }
