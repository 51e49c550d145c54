package webrtc

import (
	"encoding/binary"
	"time"
)

// RFC 4733 telephone-event receiving, as in media/rtp: an event is keyed
// by (RTP timestamp, event code); the digit is reported on the first
// packet of a new key (the marker packet may be lost), later packets of the
// key (growing durations, the three end packets) only update it. A long
// event continues at timestamp + duration (§2.5.1.3) and is not reported
// again. A non-end packet for an ended key more than replayGap after its
// last packet starts a new press.

const (
	dtmfRecent   = 8                      // keys remembered for de-duplication
	replayGap    = 100 * time.Millisecond // see above
	maxEventCode = 15                     // 0-9, *, #, A-D; others are ignored
)

// eventDigit maps RFC 4733 §3.2 event codes 0-15 to digits.
const eventDigit = "0123456789*#ABCD"

type eventKey struct {
	ts   uint32
	code uint8
}

type eventRec struct {
	used  bool
	key   eventKey
	ended bool
	dur   uint16
	last  time.Time
}

// events turns telephone-event packets into digits; owned by the RTP reader.
type events struct {
	recent [dtmfRecent]eventRec
	pos    int
}

// handle takes one telephone-event payload (RFC 4733 §2.3) with its RTP
// timestamp and returns a digit when the packet starts a new event.
func (e *events) handle(ts uint32, p []byte, now time.Time) (rune, bool) {
	if len(p) < 4 {
		return 0, false
	}
	code, end, dur := p[0], p[1]&0x80 != 0, binary.BigEndian.Uint16(p[2:4])
	if code > maxEventCode {
		return 0, false
	}
	key := eventKey{ts: ts, code: code}
	rec := e.find(key)
	switch {
	case rec == nil && e.continues(key):
		return 0, false
	case rec == nil:
		e.recent[e.pos] = eventRec{used: true, key: key, ended: end, dur: dur, last: now}
		e.pos = (e.pos + 1) % dtmfRecent
		return rune(eventDigit[code]), true
	case rec.ended && !end && now.Sub(rec.last) > replayGap:
		*rec = eventRec{used: true, key: key, dur: dur, last: now}
		return rune(eventDigit[code]), true
	}
	rec.ended = rec.ended || end
	rec.dur = max(rec.dur, dur)
	rec.last = now
	return 0, false
}

func (e *events) find(k eventKey) *eventRec {
	for i := range e.recent {
		if r := &e.recent[i]; r.used && r.key == k {
			return r
		}
	}
	return nil
}

// continues reports whether k is the next segment of a long event and, if
// so, moves that event to the new timestamp.
func (e *events) continues(k eventKey) bool {
	for i := range e.recent {
		r := &e.recent[i]
		if r.used && !r.ended && r.key.code == k.code && r.dur > 0 && k.ts-r.key.ts == uint32(r.dur) {
			r.key.ts, r.dur = k.ts, 0
			return true
		}
	}
	return false
}
