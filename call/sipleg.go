package call

import (
	"context"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sip"
)

// SIPLeg adapts an answered SIP call to a Leg.
type SIPLeg struct{ C *sip.Call }

var _ Leg = SIPLeg{}

// SetSink routes decoded caller audio (8 kHz) to w.
func (l SIPLeg) SetSink(w audio.Writer) { _ = l.C.RTP.SetSink(w) }

// Rate is G.711's 8 kHz.
func (l SIPLeg) Rate() int { return audio.Rate8k }

// Enqueue queues 8 kHz bot audio on the RTP pacer.
func (l SIPLeg) Enqueue(p audio.PCM16) error { return l.C.RTP.Enqueue(p) }

// Flush drops queued bot audio.
func (l SIPLeg) Flush() time.Duration { return l.C.RTP.Flush() }

// Pause holds or releases queued bot audio.
func (l SIPLeg) Pause(on bool) { l.C.RTP.Pause(on) }

// Pending is the bot audio still queued.
func (l SIPLeg) Pending() time.Duration { return l.C.RTP.Pending() }

// DTMF yields RFC 4733 and in-band digits.
func (l SIPLeg) DTMF() <-chan rune { return l.C.RTP.DTMF() }

// Done is closed when the dialog ends.
func (l SIPLeg) Done() <-chan struct{} { return l.C.Done() }

// Hangup sends BYE.
func (l SIPLeg) Hangup(ctx context.Context) error { return l.C.Hangup(ctx) }

// InfoFromSIP describes a SIP call for a Session.
func InfoFromSIP(c *sip.Call) Info {
	return Info{ID: c.ID, Channel: "sip", From: c.From, To: c.To, Codec: c.Media.Codec.Name}
}
