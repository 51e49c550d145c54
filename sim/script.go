package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
)

// Pacing of the caller's side. The rtp.Session sends what is queued every
// 20 ms and nothing when the queue is empty, so the driver keeps between
// noiseLow and noiseLow+noiseChunk of line noise queued; speech and tones
// flush the noise and go out at the next tick.
const (
	noiseLow  = 200 * time.Millisecond
	pollEvery = 100 * time.Millisecond
	sentSlack = 30 * time.Millisecond // past the expected end before Sent is read
	sentWait  = 2 * time.Second       // how long the pacer may lag before it is an error
	// sentPhase is the mean time since the pacer's last tick at a read of
	// Sent: the newest packet left between 0 and 20 ms before.
	sentPhase = audio.FrameDuration / 2
)

// spoken is one utterance of the caller, as sent.
type spoken struct {
	step        int
	backchannel bool
	start, end  time.Time
}

// caller runs one call's script; it lives in the goroutine of Dialer.Call.
type caller struct {
	ctx    context.Context
	cfg    Config
	log    *slog.Logger
	l      *leg
	sounds *lineSounds
	hung   <-chan struct{} // the dialog ended
	timer  *time.Timer

	noisePos     int
	since        time.Time // bot audio before this does not answer the current step
	said         []spoken
	stepsDone    int
	serverHungUp bool
}

func newCaller(ctx context.Context, cfg Config, log *slog.Logger, l *leg, sounds *lineSounds) *caller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &caller{ctx: ctx, cfg: cfg, log: log, l: l, sounds: sounds, hung: l.dlg.Context().Done(),
		timer: t, since: l.answered}
}

// run performs the steps in order and stops at the first error.
func (c *caller) run(clips []audio.PCM16) error {
	defer c.timer.Stop()
	c.topUp()
	for i, st := range c.cfg.Script {
		if err := c.step(i, st, clips[i]); err != nil {
			c.log.Debug("sim: step failed", "step", i, "err", err)
			return fmt.Errorf("step %d: %w", i, err)
		}
		c.stepsDone = i + 1
	}
	return nil
}

// step runs the actions of one step in their fixed order.
func (c *caller) step(i int, st Step, pcm audio.PCM16) error {
	err := c.actions(i, st, pcm)
	if st.WaitHangup && c.serverHungUp {
		return nil // expected, whichever action it interrupted
	}
	return err
}

// actions runs the actions of one step; WaitHangup waits for the hang-up
// or the end of the call's context.
func (c *caller) actions(i int, st Step, pcm audio.PCM16) error {
	if st.Pause > 0 {
		if err := c.waitUntil(time.Now().Add(st.Pause), nil); err != nil {
			return err
		}
		c.since = time.Now()
	}
	if st.WaitBot {
		if err := c.waitBot(); err != nil {
			return err
		}
	}
	if st.DTMF != "" {
		if err := c.dtmf(st.DTMF); err != nil {
			return err
		}
	}
	if len(pcm) > 0 {
		if err := c.speak(i, st, pcm); err != nil {
			return err
		}
	}
	if st.WaitHangup {
		return c.waitUntil(time.Time{}, nil)
	}
	return nil
}

// waitBot waits for a bot utterance going on since c.since or begun after
// it, then for BotQuiet of quiet.
func (c *caller) waitBot() error {
	if _, err := c.waitOnset(); err != nil {
		return err
	}
	err := c.waitUntil(time.Time{}, func(now time.Time) bool {
		return now.Sub(c.l.mon.lastLoud()) >= c.cfg.BotQuiet
	})
	c.since = time.Now()
	return err
}

// waitOnset waits up to BotTimeout for the bot utterance going on since
// c.since or begun after it, and returns its start.
func (c *caller) waitOnset() (time.Time, error) {
	var onset time.Time
	found := func(time.Time) bool {
		var ok bool
		onset, ok = c.l.mon.utteranceSince(c.since)
		return ok
	}
	err := c.waitUntil(time.Now().Add(c.cfg.BotTimeout), found)
	if err == errDeadline {
		return onset, fmt.Errorf("%w within %v", ErrBotSilent, c.cfg.BotTimeout)
	}
	return onset, err
}

// dtmf sends the digits as in-band tones with gaps of line noise.
func (c *caller) dtmf(digits string) error {
	sent0 := c.flush()
	n := 0
	for _, d := range digits {
		if err := c.enqueue(c.sounds.tone(d)); err != nil {
			return err
		}
		if err := c.enqueue(c.sounds.gap); err != nil {
			return err
		}
		n += len(c.sounds.tone(d)) + len(c.sounds.gap)
	}
	end, err := c.sentAt(sent0 + n)
	c.since = end
	c.log.Debug("sim: dtmf sent", "digits", len(digits))
	return err
}

// speak sends one utterance, after the bot has been speaking for
// BargeInAfter when that is set, and notes when it was on the wire.
func (c *caller) speak(i int, st Step, pcm audio.PCM16) error {
	if st.BargeInAfter > 0 {
		onset, err := c.waitOnset()
		if err != nil {
			return err
		}
		if err := c.waitUntil(onset.Add(st.BargeInAfter), nil); err != nil {
			return err
		}
	}
	sent0 := c.flush()
	if err := c.enqueue(pcm); err != nil {
		return err
	}
	end, err := c.sentAt(sent0 + len(pcm))
	if err != nil {
		return err
	}
	start := end.Add(-audio.Duration(len(pcm), rtp.Rate))
	c.said = append(c.said, spoken{step: i, backchannel: st.Backchannel, start: start, end: end})
	c.since = end
	return nil
}

// flush drops the queued line noise and returns the count of samples sent
// so far: what is enqueued next starts after that many.
func (c *caller) flush() int {
	c.l.sess.Flush()
	return int(c.l.sess.Sent() / (time.Second / rtp.Rate))
}

// enqueue queues audio; a full queue cannot happen with these lengths.
func (c *caller) enqueue(pcm audio.PCM16) error {
	if err := c.l.sess.Enqueue(pcm); err != nil {
		return fmt.Errorf("sim: send: %w", err)
	}
	return nil
}

// topUp keeps line noise queued so the line never falls silent.
func (c *caller) topUp() {
	if c.l.sess.Pending() >= noiseLow {
		return
	}
	chunk := c.sounds.noise[c.noisePos : c.noisePos+noiseChunk]
	c.noisePos = (c.noisePos + noiseChunk) % len(c.sounds.noise)
	_ = c.l.sess.Enqueue(chunk) // only fails once the session is closed
}

// sentAt waits until sample n of the outgoing stream has been sent and
// returns when its packet left (Session.SentAt). Should the session no
// longer remember that packet, it estimates: the pacer sends one frame per
// 20 ms, so a sample k samples behind the newest one left k/8000 s before
// the newest packet, which left sentPhase before the read on average.
func (c *caller) sentAt(n int) (time.Time, error) {
	due := time.Now().Add(audio.Duration(n-c.sentSamples(), rtp.Rate) + sentSlack)
	if err := c.waitUntil(due, nil); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	done := func(now time.Time) bool {
		s := c.sentSamples()
		at = now.Add(-audio.Duration(s-n, rtp.Rate) - sentPhase)
		return s >= n
	}
	if err := c.waitUntil(time.Now().Add(sentWait), done); err != nil {
		return time.Time{}, fmt.Errorf("sim: send pacing: %w", err)
	}
	if exact, ok := c.l.sess.SentAt(int64(n)); ok {
		return exact, nil
	}
	return at, nil
}

func (c *caller) sentSamples() int { return int(c.l.sess.Sent() / (time.Second / rtp.Rate)) }

// errDeadline is waitUntil's result when its deadline passes before done.
var errDeadline = errors.New("sim: wait deadline")

// waitUntil waits until done(now) is true or, when done is nil, until the
// deadline. done is checked at every bot onset and every pollEvery. It
// returns errDeadline when done is set and the deadline passes first, the
// context's error, or ErrServerHangup when the server hangs up (and notes
// that it did). A zero deadline waits without limit. The line noise is
// topped up meanwhile.
func (c *caller) waitUntil(deadline time.Time, done func(time.Time) bool) error {
	for {
		now := time.Now()
		if done != nil && done(now) {
			return nil
		}
		if !deadline.IsZero() && !now.Before(deadline) {
			if done == nil {
				return nil
			}
			return errDeadline
		}
		c.topUp()
		wait := pollEvery
		if !deadline.IsZero() {
			wait = min(wait, deadline.Sub(now))
		}
		c.timer.Reset(wait)
		select {
		case <-c.ctx.Done():
			return context.Cause(c.ctx)
		case <-c.hung:
			c.serverHungUp = true
			return ErrServerHangup
		case <-c.l.mon.notify:
		case <-c.timer.C:
		}
	}
}

// turns matches the caller's utterances with the bot's (spans).
func (c *caller) turns(spans []span) []Turn {
	out := make([]Turn, 0, len(c.said))
	for k, s := range c.said {
		t := Turn{Step: s.step, Backchannel: s.backchannel,
			SpeechStart: s.start.Sub(c.l.answered), SpeechEnd: s.end.Sub(c.l.answered)}
		if sp, ok := talkingAt(spans, s.start); ok {
			t.BargeIn = true
			_, resumed := firstAfter(spans, sp.end, s.end)
			if sp.end.Before(s.end.Add(-frameDur)) && !resumed {
				t.BotStopped, t.BargeInStop = true, sp.end.Sub(s.start)
			}
		}
		if !s.backchannel {
			var limit time.Time
			if k+1 < len(c.said) {
				limit = c.said[k+1].start
			}
			if sp, ok := firstAfter(spans, s.end, limit); ok {
				t.Answered, t.ResponseLatency = true, sp.start.Sub(s.end)
			}
		}
		out = append(out, t)
	}
	return out
}

// frameDur is one frame: the bot must be quiet at least this long before
// the caller ends for it to have stopped.
const frameDur = audio.FrameDuration
