package rtpio

import (
	"encoding/binary"
	"time"
)

// RFC 4733 telephone-event handling.
//
// What senders do (RFC 4733 §2.5): one event = one RTP timestamp (the
// event's start). The sender repeats the packet every 50 ms or so with a
// growing duration, then sends the final packet with the E bit three times.
// The marker bit is set on the first packet only, and that packet may be
// lost, so it is not required. Events may come with their own SSRC,
// sequence numbers and timestamps unrelated to the audio (SIPp replays
// recorded pcaps), so an event is keyed by (timestamp, event code) alone
// and nothing is checked against the audio stream.
//
// A digit is reported on the FIRST packet of a new key, which is the lowest
// latency and also covers events whose end packets never arrive (a new
// timestamp is simply a new event). Later packets of a known key update it
// silently, so the three end packets yield nothing more. Two cases need
// care:
//   - Long events (§2.5.1.3): past 0xFFFF duration the sender continues
//     with timestamp = old timestamp + old duration; that is the same key
//     press and is not reported again.
//   - Byte-identical replays: SIPp's dtmf_2833_N.pcap files all use the same
//     timestamp and sequence numbers, so "11" arrives as the same packets
//     twice. A non-end packet for an already ended key that comes more than
//     replayGap after that key's last packet starts a new event.

const (
	dtmfRecent   = 8                      // keys remembered for de-duplication
	replayGap    = 100 * time.Millisecond // see above
	maxEventCode = 15                     // 0-9, *, #, A-D; 16+ (flash, tones) are ignored
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

// Events de-duplicates telephone-event packets into digits. It is owned by
// the receive goroutine.
type Events struct {
	recent [dtmfRecent]eventRec
	pos    int
	lastAt time.Time // arrival of the last telephone-event packet of any kind
}

// Handle takes one telephone-event payload with its RTP timestamp and
// returns a digit when the packet starts a new event.
func (e *Events) Handle(ts uint32, p []byte, now time.Time) (rune, bool) {
	if len(p) < 4 {
		return 0, false
	}
	code, end, dur := p[0], p[1]&0x80 != 0, binary.BigEndian.Uint16(p[2:4])
	e.lastAt = now
	if code > maxEventCode {
		return 0, false
	}
	key := eventKey{ts: ts, code: code}
	rec := e.find(key)
	switch {
	case rec == nil && e.continues(key):
		return 0, false
	case rec == nil:
		e.add(eventRec{used: true, key: key, ended: end, dur: dur, last: now})
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

func (e *Events) find(k eventKey) *eventRec {
	for i := range e.recent {
		if r := &e.recent[i]; r.used && r.key == k {
			return r
		}
	}
	return nil
}

// continues reports whether k is the next segment of a long event (RFC 4733
// §2.5.1.3) and, if so, moves that event to the new timestamp.
func (e *Events) continues(k eventKey) bool {
	for i := range e.recent {
		r := &e.recent[i]
		if r.used && !r.ended && r.key.code == k.code && r.dur > 0 && k.ts-r.key.ts == uint32(r.dur) {
			r.key.ts, r.dur = k.ts, 0
			return true
		}
	}
	return false
}

func (e *Events) add(r eventRec) {
	e.recent[e.pos] = r
	e.pos = (e.pos + 1) % dtmfRecent
}

// LastAt is when the last telephone-event packet of any kind arrived
// (zero before the first): a peer sending RFC 4733 also plays the tones
// in-band, which must not count twice.
func (e *Events) LastAt() time.Time { return e.lastAt }
