package resilient

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/yuecall/yuecall/asr"
)

// Recognizer opens resilient streams on an inner recogniser (or on the
// providers of a Fallback, in order).
type Recognizer struct {
	cfg   Config
	tiers []Named
	m     Metrics
	log   *slog.Logger
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New wraps inner; see the package documentation. Zero fields of cfg take
// the defaults, and a cfg that still fails Validate is replaced by the
// defaults with a warning (call Validate when loading configuration). If
// inner was made by Fallback its providers become the tiers a stream fails
// over between. A nil m discards metrics, a nil log discards logs.
func New(inner asr.Recognizer, cfg Config, m Metrics, log *slog.Logger) asr.Recognizer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NopMetrics{}
	}
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		log.Warn("resilient: invalid config, using defaults", "err", err)
		name := cfg.Name
		cfg = DefaultConfig()
		cfg.Name = name
	}
	r := &Recognizer{cfg: cfg, m: m, log: log}
	if f, ok := inner.(*fallback); ok {
		for i, t := range f.tiers {
			if t.Name == "" {
				t.Name = fmt.Sprintf("%s#%d", cfg.Name, i)
			}
			r.tiers = append(r.tiers, t)
		}
	} else if inner != nil {
		r.tiers = []Named{{Name: cfg.Name, Recognizer: inner}}
	}
	return r
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// NewStream connects (trying each provider in order, up to 1+MaxReconnects
// rounds with backoff) and returns a *Stream that lives until it ends,
// Close is called, or ctx is cancelled.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	if len(r.tiers) == 0 {
		return nil, asr.ErrNotConfigured
	}
	sctx, cancel := context.WithCancel(ctx)
	c, err := r.connect(sctx)
	if err != nil {
		cancel()
		return nil, err
	}
	return startStream(ctx, sctx, cancel, r, c), nil
}

// connect makes the first connection of a stream.
func (r *Recognizer) connect(ctx context.Context) (*conn, error) {
	var last error
	for n := 1; n <= 1+r.cfg.MaxReconnects; n++ {
		if !sleep(ctx, r.cfg.backoff(n)) {
			break
		}
		c, err := openTiers(ctx, r.tiers, 0, 0, r.cfg.ConnectTimeout, r.m, r.log)
		if err == nil {
			return c, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w", ErrConnect, context.Cause(ctx))
	}
	return nil, fmt.Errorf("after %d attempts: %w", 1+r.cfg.MaxReconnects, last)
}

// sleep waits d unless ctx ends first; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
