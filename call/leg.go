package call

import (
	"context"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// Leg is what a Session needs of the caller's transport (a SIP call's RTP
// session, a WebRTC peer).
type Leg interface {
	// SetSink sets where caller audio goes; frames arrive at Leg.Rate.
	SetSink(w audio.Writer)
	// Rate is the sample rate of both directions of the leg's PCM.
	Rate() int
	// Enqueue queues bot audio for paced sending; it never blocks.
	Enqueue(pcm audio.PCM16) error
	// Flush drops queued bot audio and returns how much was dropped.
	Flush() time.Duration
	// Pause holds queued bot audio (true) or lets it play on (false).
	Pause(on bool)
	// Pending is the queued bot audio not yet sent.
	Pending() time.Duration
	// DTMF yields the caller's key presses.
	DTMF() <-chan rune
	// Done is closed when the caller hangs up or the transport fails.
	Done() <-chan struct{}
	// Hangup ends the call from our side.
	Hangup(ctx context.Context) error
}

// Info describes a call for events and logs.
type Info struct {
	ID      string
	Channel string // sip | webrtc
	From    string // caller id, unmasked (masked before it leaves)
	To      string
	Codec   string
}
