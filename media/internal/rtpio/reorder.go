package rtpio

import "sync/atomic"

// Reorder buffer for the received audio stream.
//
// Packets are keyed by RTP sequence number (RFC 3550 §5.1; arithmetic is
// mod 2^16 so wraparound is free). Packet `next` is played as soon as it
// arrives; later packets wait in a window of JitterFrames slots for the
// missing ones. When a packet arrives JitterFrames or more ahead of `next`
// (or the reader's flush timer fires) the gap is given up on: each missing
// packet is counted Lost and, for gaps up to concealCap packets, concealed
// by the Player (silence, or the decoder's loss concealment) so the
// downstream timeline stays intact; larger gaps are skipped (resync). Jumps of more than resetAhead / resetBehind
// packets are treated as a new stream (sender restart), not as loss.

const (
	// MaxPayload is the largest payload a slot holds (a UDP datagram on
	// Ethernet); each leg rejects what it considers garbage before Push.
	MaxPayload  = 1500
	concealCap  = 5    // largest gap (packets) concealed
	resetAhead  = 1000 // forward jump (packets, 20 s) treated as a new stream
	resetBehind = 200  // backward jump (packets, 4 s) treated as a new stream
	minSlot     = 320  // smallest slot buffer: 40 ms of G.711, most Opus packets
)

// Player receives the buffer's output in playout order.
type Player interface {
	Play(payload []byte)
	Conceal(packets int)
}

// LossCounters count what the reorder buffer gave up on; the legs embed
// them in their statistics.
type LossCounters struct {
	Lost, Concealed, Late, Duplicates atomic.Uint64
}

// slot holds one waiting packet. Its buffer is allocated the first time a
// packet has to wait in it (reordering is rare) and then reused.
type slot struct {
	ok  bool
	seq uint16
	buf []byte
}

// Reorder is the receive reorder buffer; it is owned by the RTP reader.
type Reorder struct {
	out     Player
	c       *LossCounters
	window  int    // JitterFrames
	slots   []slot // power-of-two length >= window, indexed by seq & mask
	mask    uint16
	started bool
	next    uint16 // next sequence number to play
	nbuf    int    // packets waiting in slots
	played  uint64 // bit i set: packet next-1-i was played (tells duplicates from late packets)
	inGap   bool   // giving up on a gap that has not ended yet
	quiet   bool   // that gap is longer than concealCap: skip it without concealment
}

// NewReorder returns a buffer that waits up to window packets for a
// missing one.
func NewReorder(window int, out Player, c *LossCounters) *Reorder {
	n := 1
	for n < window {
		n <<= 1
	}
	return &Reorder{out: out, c: c, window: window, slots: make([]slot, n), mask: uint16(n - 1)}
}

// Push takes one audio packet. payload is copied if it has to wait.
func (j *Reorder) Push(seq uint16, payload []byte) {
	if !j.started {
		j.started, j.next, j.played = true, seq, 0
	}
	d := int(int16(seq - j.next))
	switch {
	case d > resetAhead || d < -resetBehind:
		j.Flush()
		j.next, j.played = seq, 0
	case d < 0:
		j.old(d)
		return
	case d >= j.window:
		j.skipTo(seq-uint16(j.window)+1, seq)
	}
	if seq == j.next {
		j.playOne(payload)
		j.drain()
		return
	}
	s := &j.slots[seq&j.mask]
	if s.ok && s.seq == seq {
		j.c.Duplicates.Add(1)
		return
	}
	if cap(s.buf) < len(payload) {
		s.buf = make([]byte, 0, max(len(payload), minSlot))
	}
	s.ok, s.seq, s.buf = true, seq, append(s.buf[:0], payload...)
	j.nbuf++
}

// old handles a packet behind next: a duplicate if it was played, else late.
func (j *Reorder) old(d int) {
	if k := -d - 1; k < 64 && j.played&(1<<k) != 0 {
		j.c.Duplicates.Add(1)
		return
	}
	j.c.Late.Add(1)
}

func (j *Reorder) playOne(payload []byte) {
	j.out.Play(payload)
	j.inGap = false
	j.next++
	j.played = j.played<<1 | 1
}

// drain plays waiting packets while they are consecutive.
func (j *Reorder) drain() {
	for j.nbuf > 0 {
		s := &j.slots[j.next&j.mask]
		if !s.ok || s.seq != j.next {
			return
		}
		s.ok = false
		j.nbuf--
		j.playOne(s.buf)
	}
}

// waiting reports whether packet seq is in its slot.
func (j *Reorder) waiting(seq uint16) bool {
	s := &j.slots[seq&j.mask]
	return s.ok && s.seq == seq
}

// skipTo advances next to target, playing waiting packets and giving up on
// missing ones. limit is the packet that caused the skip: the gap a missing
// packet belongs to ends at the first waiting packet or at limit, and the
// whole gap is either concealed (up to concealCap packets) or not at all.
func (j *Reorder) skipTo(target, limit uint16) {
	for int16(target-j.next) > 0 {
		if j.waiting(j.next) {
			j.drain()
			continue
		}
		if !j.inGap {
			j.inGap = true
			j.quiet = j.gapLen(limit) > concealCap
		}
		j.lose(j.gapLen(target))
	}
	j.drain()
}

// gapLen counts missing packets from next up to (not including) end or the
// first waiting packet.
func (j *Reorder) gapLen(end uint16) int {
	n := uint16(0)
	for int16(end-(j.next+n)) > 0 && !j.waiting(j.next+n) {
		n++
	}
	return int(n)
}

// lose gives up on n consecutive packets starting at next.
func (j *Reorder) lose(n int) {
	j.c.Lost.Add(uint64(n))
	if !j.quiet {
		j.c.Concealed.Add(uint64(n))
		j.out.Conceal(n)
	}
	j.next += uint16(n)
	if n >= 64 {
		j.played = 0
	} else {
		j.played <<= n
	}
}

// Flush plays every waiting packet in order, giving up on the gaps between
// them. The reader calls it when the stream pauses (timer) or changes SSRC.
func (j *Reorder) Flush() {
	for j.nbuf > 0 {
		ahead := uint16(1)
		for !j.waiting(j.next+ahead) && int(ahead) < len(j.slots) {
			ahead++
		}
		if !j.waiting(j.next + ahead) { // cannot happen: every waiting packet is within the window
			clear(j.slots)
			j.nbuf = 0
			return
		}
		j.skipTo(j.next+ahead, j.next+ahead)
		j.drain()
	}
}

// Restart forgets the stream position; the next packet starts a new one.
func (j *Reorder) Restart() {
	j.Flush()
	j.started = false
}

// Waiting reports whether packets wait for a missing one.
func (j *Reorder) Waiting() bool { return j.nbuf > 0 }
