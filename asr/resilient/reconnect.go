package resilient

import (
	"context"
	"fmt"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// reconnect closes the failed inner stream and opens a new one (on the same
// provider, or the next one once MaxReconnects in a row are spent), with
// backoff. The new stream starts at the oldest buffered audio, which
// forward then replays. It returns an error when no provider is left or the
// stream was closed.
func (s *Stream) reconnect(f *failure) error {
	old := s.own.cur
	s.r.m.Reconnect(old.name, f.reason)
	s.mu.Lock()
	held, end := s.ring.size(), s.ring.end
	s.mu.Unlock()
	s.log.Warn("resilient: reconnecting", "provider", old.name, "reason", f.reason, "err", f.err,
		"held", audio.Duration(int(held), s.rate), "written", audio.Duration(int(end), s.rate),
		"sent", audio.Duration(int(old.sent), s.rate))
	old.close()
	s.own.cur = nil
	s.disarm()
	last := f.err
	for {
		if err := s.nextAttempt(old.name, last); err != nil {
			return err
		}
		if !sleep(s.ctx, s.r.cfg.backoff(s.own.attempts)) {
			return context.Cause(s.ctx)
		}
		start := time.Now()
		c, err := openTiers(s.ctx, s.r.tiers, s.own.tier, s.rate, s.r.cfg.ConnectTimeout, s.r.m, s.log)
		if err != nil {
			if s.ctx.Err() != nil {
				return context.Cause(s.ctx)
			}
			last = err
			continue
		}
		s.install(c)
		s.log.Info("resilient: reconnected", "provider", c.name, "attempt", s.own.attempts,
			"connect", time.Since(start), "replay_from", audio.Duration(int(c.base), s.rate))
		return nil
	}
}

// nextAttempt counts an attempt and moves to the next provider when the
// current one has had MaxReconnects in a row.
func (s *Stream) nextAttempt(failed string, last error) error {
	s.own.attempts++
	if s.own.attempts <= s.r.cfg.MaxReconnects {
		return nil
	}
	if s.own.tier+1 >= len(s.r.tiers) {
		return fmt.Errorf("%w: %d in a row, last on %s: %w", ErrExhausted, s.r.cfg.MaxReconnects, failed, last)
	}
	s.own.tier++
	s.own.attempts = 1
	s.log.Warn("resilient: failing over", "from", s.r.tiers[s.own.tier-1].Name, "to", s.r.tiers[s.own.tier].Name)
	return nil
}

// install makes c the current inner stream, positioned at the oldest
// buffered audio (less a long leading silence), and starts the replay.
func (s *Stream) install(c *conn) {
	s.mu.Lock()
	c.base = s.own.cover.replayFrom(&s.ring)
	c.sent = c.base
	s.provider = c.name
	s.mu.Unlock()
	s.own.cur = c
	s.own.tier = max(s.own.tier, c.tier)
	s.reconnects.Add(1)
	s.poke()
}
