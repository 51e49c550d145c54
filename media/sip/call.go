package sip

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
)

// Call is one answered inbound SIP call: its dialog and its RTP session.
type Call struct {
	ID        string // yuecall's call id (used in events)
	SIPCallID string // the Call-ID header (logs only)
	From      string // caller user part (PII: mask before publishing)
	To        string // dialled user part
	Media     sdp.Negotiated
	RTP       *rtp.Session

	dialog *sipgo.DialogServerSession

	byeOnce  sync.Once
	byeErr   error
	weHungUp atomic.Bool
}

// Done is closed when the dialog ends (remote BYE, our BYE, or failure).
func (c *Call) Done() <-chan struct{} { return c.dialog.Context().Done() }

// RemoteHungUp reports whether the caller ended the dialog.
func (c *Call) RemoteHungUp() bool {
	return c.dialog.LoadState() == gosip.DialogStateEnded && !c.weHungUp.Load()
}

// Hangup sends BYE (RFC 3261 §15.1.1) unless the dialog has already ended.
// It is safe to call more than once.
func (c *Call) Hangup(ctx context.Context) error {
	c.byeOnce.Do(func() {
		select {
		case <-c.Done():
			return
		default:
		}
		c.weHungUp.Store(true)
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := c.dialog.Bye(ctx); err != nil {
			c.byeErr = fmt.Errorf("sip: bye: %w", err)
		}
	})
	return c.byeErr
}
