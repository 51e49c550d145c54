// Package idlebody wraps the body of a synthesis reply streamed over HTTP:
// a reply that stops sending audio for too long is abandoned, and a body
// cut short is told from a clean end (decoders such as go-mp3 report both
// as end of stream).
//
// It imports the standard library only.
package idlebody

import (
	"errors"
	"io"
	"time"
)

// Body is a reply body with an idle watchdog. It is read by one goroutine.
type Body struct {
	rc  io.ReadCloser
	t   *time.Timer // nil: no watchdog
	d   time.Duration
	err error
}

// Start starts the watchdog before the request is sent (it also bounds the
// wait for the reply's headers): onIdle runs, once, when d passes with no
// byte, typically cancelling the request. d <= 0 means no watchdog. Attach
// gives it the reply's body.
func Start(d time.Duration, onIdle func()) *Body {
	b := &Body{d: d}
	if d > 0 {
		b.t = time.AfterFunc(d, onIdle)
	}
	return b
}

// Attach sets the body to read and returns b.
func (b *Body) Attach(rc io.ReadCloser) *Body {
	b.rc = rc
	return b
}

// Read reads from the body; any progress restarts the watchdog.
func (b *Body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && b.t != nil {
		b.t.Reset(b.d)
	}
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// Err is the first read error other than io.EOF: the body was cut short.
func (b *Body) Err() error { return b.err }

// Stop ends the watchdog (the reply is complete).
func (b *Body) Stop() {
	if b.t != nil {
		b.t.Stop()
	}
}

// Close stops the watchdog and closes the body, if attached.
func (b *Body) Close() error {
	b.Stop()
	if b.rc == nil {
		return nil
	}
	return b.rc.Close()
}
