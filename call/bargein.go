package call

import "time"

// pendingBargeIn is caller speech heard over an interruptible bot reply
// that has not yet lasted long enough to be a barge-in. The bot's audio is
// paused (held on the leg, not dropped) meanwhile: the caller hears the bot
// stop within one frame, and a backchannel (嗯, 係, 好) lets it go on from
// where it stopped instead of starting the sentence again.
type pendingBargeIn struct {
	active bool
	utt    int
	at     time.Time   // VAD speech start
	timer  *time.Timer // fires BargeInConfirm after at
}

// pauseForSpeech holds the bot's audio as soon as the caller starts talking.
func (s *Session) pauseForSpeech(e speechEvent) {
	s.leg.Pause(true)
	s.d.Metrics.observeBargeIn(time.Since(e.at))
	if !s.pause.active {
		s.log.Debug("bot paused for caller speech", "utt", e.utt, "vad_at", e.at.Format("15:04:05.000"))
	}
	s.pause.active, s.pause.utt, s.pause.at = true, e.utt, e.at
	s.pause.timer.Reset(s.d.BargeInConfirm - time.Since(e.at))
}

// confirmBargeIn runs when the caller has talked long enough: the paused
// reply is dropped and its heard part recorded.
func (s *Session) confirmBargeIn() {
	if !s.pause.active {
		return
	}
	s.pause.active = false
	s.bargeIn(true)
	s.leg.Pause(false)
}

// speechEndedWhilePaused lets the bot go on after a sound too short to be
// a barge-in. What the caller said is still recognised: a real short answer
// stops the bot when its transcript arrives (callerSaid).
func (s *Session) speechEndedWhilePaused(utt int) {
	if !s.pause.active || s.pause.utt != utt {
		return
	}
	s.pause.active = false
	s.pause.timer.Stop()
	s.leg.Pause(false)
	s.log.Info("short speech over the bot: resuming", "utt", utt,
		"speech_ms", time.Since(s.pause.at).Milliseconds())
}

// releasePause lets queued audio flow again (the reply was flushed or the
// call is ending).
func (s *Session) releasePause() {
	if s.pause.active {
		s.pause.active = false
		s.pause.timer.Stop()
	}
	s.leg.Pause(false)
}
