package resilient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/yuecall/yuecall/asr"
)

// Named is a recogniser with the provider label used in logs and metrics.
type Named struct {
	Name string
	asr.Recognizer
}

// fallback tries its tiers in order; see Fallback.
type fallback struct {
	tiers []Named
	log   *slog.Logger
}

var _ asr.Recognizer = (*fallback)(nil)

// Fallback returns a Recognizer whose NewStream tries recs in order and
// returns the first stream that opens: a connect error, or no stream within
// DefaultConnectTimeout, moves on to the next. Use it under New (see the
// package documentation), which applies its own ConnectTimeout per provider
// and fails a live stream over to the next provider. A nil log discards.
func Fallback(log *slog.Logger, recs ...Named) asr.Recognizer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &fallback{tiers: append([]Named(nil), recs...), log: log}
}

// NewStream opens a stream on the first provider that connects.
func (f *fallback) NewStream(ctx context.Context) (asr.Stream, error) {
	c, err := openTiers(ctx, f.tiers, 0, 0, DefaultConnectTimeout, NopMetrics{}, f.log)
	if err != nil {
		return nil, err
	}
	return &tierStream{Stream: c.stream, cancel: c.cancel}, nil
}

// conn is an open inner stream and what the wrapper tracks about it.
type conn struct {
	stream asr.Stream
	cancel context.CancelFunc // ends the context the stream was opened with
	tier   int
	name   string

	base      int64 // ring position of the stream's first sample
	sent      int64 // ring position forwarded so far
	closeSent bool  // CloseSend was passed on
	dead      bool  // a write failed: wait for the end, send nothing more
}

// close abandons the stream and releases its context.
func (c *conn) close() {
	c.stream.Close()
	c.cancel()
}

// openTiers tries tiers from..end in order, each within timeout, and returns
// the first stream that opens at rate (0: any). Every attempt is reported to m.
func openTiers(ctx context.Context, tiers []Named, from, rate int, timeout time.Duration, m Metrics, log *slog.Logger) (*conn, error) {
	if from >= len(tiers) {
		return nil, asr.ErrNotConfigured
	}
	var errs []error
	for i := from; i < len(tiers); i++ {
		t := tiers[i]
		start := time.Now()
		c, err := connectOne(ctx, t, rate, timeout)
		m.Connect(t.Name, time.Since(start), err)
		if err == nil {
			c.tier, c.name = i, t.Name
			if i > from {
				log.Warn("resilient: fell back", "provider", t.Name, "skipped", len(errs))
			}
			return c, nil
		}
		log.Warn("resilient: connect failed", "provider", t.Name, "err", err)
		errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w: %w", ErrConnect, errors.Join(errs...))
}

// connectOne opens a stream on t, giving up after timeout or when ctx
// ends. The stream's context is a child of ctx, cancelled on giving up.
// The dial runs on its own goroutine because a provider may not notice a
// cancelled context mid-handshake (gorilla/websocket only honours its
// deadline): connectOne returns at once and the abandoned dial closes
// whatever it opens when the provider's own connect timeout ends it.
func connectOne(ctx context.Context, t Named, rate int, timeout time.Duration) (*conn, error) {
	if t.Recognizer == nil {
		return nil, asr.ErrNotConfigured
	}
	sctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(timeout, func() {
		cancel(fmt.Errorf("%w after %v", ErrConnectTimeout, timeout))
	})
	type dialed struct {
		s   asr.Stream
		err error
	}
	ch := make(chan dialed, 1)
	go func() {
		s, err := t.NewStream(sctx)
		if s != nil && sctx.Err() != nil {
			s.Close() // given up on
			s = nil
		}
		ch <- dialed{s, err}
	}()
	var d dialed
	select {
	case d = <-ch:
	case <-sctx.Done():
	}
	if !timer.Stop() || d.s == nil && d.err == nil {
		if d.s != nil {
			d.s.Close()
		}
		cancel(nil)
		return nil, context.Cause(sctx)
	}
	if d.err == nil && rate > 0 && d.s.SampleRate() != rate {
		d.s.Close()
		d.err = fmt.Errorf("%w: %d Hz, want %d Hz", ErrRateMismatch, d.s.SampleRate(), rate)
	}
	if d.err != nil {
		cancel(nil)
		return nil, d.err
	}
	return &conn{stream: d.s, cancel: func() { cancel(nil) }}, nil
}

// tierStream is a stream opened by Fallback; Close also ends its context.
type tierStream struct {
	asr.Stream
	cancel context.CancelFunc
}

var _ asr.Stream = (*tierStream)(nil)

// Close closes the stream and releases its context.
func (t *tierStream) Close() error {
	err := t.Stream.Close()
	t.cancel()
	return err
}
