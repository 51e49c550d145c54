package webrtc

// Reorder buffer for the received audio stream, keyed by RTP sequence
// number (RFC 3550 §5.1; arithmetic mod 2^16). Packet `next` is played as
// soon as it arrives; later packets wait in a window of JitterFrames slots
// for the missing ones. When a packet arrives a window or more ahead of
// `next` (or the reader's timer fires) the gap is given up on: each missing
// packet is counted Lost and, in gaps of up to concealCap packets,
// concealed by the decoder (Opus PLC, silence for PCMU); longer gaps are
// skipped. Jumps of more than resetAhead / resetBehind packets start a new
// stream.

const (
	maxPayload  = 1500 // bytes; larger payloads are not audio we accept
	concealCap  = 5    // longest gap (packets) that is concealed
	resetAhead  = 1000 // forward jump (packets) treated as a new stream
	resetBehind = 200  // backward jump (packets) treated as a new stream
)

// player receives the buffer's output in playout order.
type player interface {
	play(payload []byte)
	conceal()
}

type slot struct {
	ok  bool
	seq uint16
	n   int
	buf [maxPayload]byte
}

type reorder struct {
	out     player
	c       *counters
	window  int
	slots   []slot // power-of-two length >= window
	mask    uint16
	started bool
	next    uint16 // next sequence number to play
	nbuf    int    // packets waiting
	played  uint64 // bit i set: packet next-1-i was played (duplicates vs late)
	inGap   bool   // giving up on a gap that has not ended yet
	quiet   bool   // that gap is longer than concealCap: skip it unconcealed
}

func newReorder(window int, out player, c *counters) *reorder {
	n := 1
	for n < window {
		n <<= 1
	}
	return &reorder{out: out, c: c, window: window, slots: make([]slot, n), mask: uint16(n - 1)}
}

// push takes one audio packet; payload is copied if it has to wait.
func (j *reorder) push(seq uint16, payload []byte) {
	if !j.started {
		j.started, j.next, j.played = true, seq, 0
	}
	d := int(int16(seq - j.next))
	switch {
	case d > resetAhead || d < -resetBehind:
		j.flush()
		j.next, j.played = seq, 0
	case d < 0:
		if k := -d - 1; k < 64 && j.played&(1<<k) != 0 {
			j.c.duplicates.Add(1)
		} else {
			j.c.late.Add(1)
		}
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
		j.c.duplicates.Add(1)
		return
	}
	if s.ok { // cannot happen: every waiting packet is within the window
		j.nbuf--
	}
	s.ok, s.seq, s.n = true, seq, copy(s.buf[:], payload)
	j.nbuf++
}

func (j *reorder) playOne(payload []byte) {
	j.out.play(payload)
	j.inGap = false
	j.next++
	j.played = j.played<<1 | 1
}

// drain plays waiting packets while they are consecutive.
func (j *reorder) drain() {
	for j.nbuf > 0 && j.waiting(j.next) {
		s := &j.slots[j.next&j.mask]
		s.ok = false
		j.nbuf--
		j.playOne(s.buf[:s.n])
	}
}

func (j *reorder) waiting(seq uint16) bool {
	s := &j.slots[seq&j.mask]
	return s.ok && s.seq == seq
}

// skipTo advances next to target, playing waiting packets and giving up
// on missing ones. limit is the packet that caused the skip: a gap ends at
// the first waiting packet or at limit, and is concealed whole or not at all.
func (j *reorder) skipTo(target, limit uint16) {
	for int16(target-j.next) > 0 {
		if j.waiting(j.next) {
			j.drain()
			continue
		}
		if !j.inGap {
			j.inGap = true
			j.quiet = j.gapLen(limit) > concealCap
		}
		j.lose(j.gapLen(target), !j.quiet)
	}
	j.drain()
}

// gapLen counts missing packets from next up to end or the first waiting one.
func (j *reorder) gapLen(end uint16) int {
	n := uint16(0)
	for int16(end-(j.next+n)) > 0 && !j.waiting(j.next+n) {
		n++
	}
	return int(n)
}

// lose gives up on n consecutive packets starting at next.
func (j *reorder) lose(n int, conceal bool) {
	j.c.lost.Add(uint64(n))
	if conceal {
		j.c.concealed.Add(uint64(n))
		for range n {
			j.out.conceal()
		}
	}
	j.next += uint16(n)
	if n >= 64 {
		j.played = 0
	} else {
		j.played <<= n
	}
}

// flush plays every waiting packet in order, giving up on the gaps
// between them (the stream paused, or its tail was lost).
func (j *reorder) flush() {
	for j.nbuf > 0 {
		ahead := uint16(1)
		for !j.waiting(j.next+ahead) && int(ahead) < len(j.slots) {
			ahead++
		}
		j.skipTo(j.next+ahead, j.next+ahead)
	}
}

// restart forgets the stream position; the next packet starts a new one.
func (j *reorder) restart() {
	j.flush()
	j.started = false
}
