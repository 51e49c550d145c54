package call

import "time"

// Barge-in is decided in two steps. When the VAD hears the caller over an
// interruptible reply, the bot's audio is paused at once (held on the leg,
// not dropped): the caller hears the bot stop within one frame. The pause
// becomes a barge-in (the reply is dropped and its heard part recorded)
// once the caller has spoken bargeInVoiced of voiced audio. A sound that
// stops short of that (嗯, 係, a cough) lets the bot go on from where it
// stopped as soon as bargeInResume of silence follows it.
const (
	bargeInVoiced = 300 * time.Millisecond
	bargeInResume = 200 * time.Millisecond // longer than most gaps between syllables
	bargeInPoll   = 20 * time.Millisecond
)

// pendingBargeIn is caller speech over the bot not yet judged.
type pendingBargeIn struct {
	active bool
	held   bool // the leg is paused
	utt    int
	at     time.Time   // VAD speech start
	timer  *time.Timer // polls the listener while active
}

// pauseForSpeech holds the bot's audio as soon as the caller starts talking.
func (s *Session) pauseForSpeech(e speechEvent) {
	s.leg.Pause(true)
	s.d.Metrics.observeBargeIn(time.Since(e.at))
	s.log.Debug("bot paused for caller speech", "utt", e.utt)
	s.pause = pendingBargeIn{active: true, held: true, utt: e.utt, at: e.at, timer: s.pause.timer}
	s.pause.timer.Reset(bargeInPoll)
}

// judgeBargeIn runs every bargeInPoll while caller speech over the bot is
// being judged.
func (s *Session) judgeBargeIn() {
	if !s.pause.active {
		return
	}
	voiced, silence, speaking := s.lis.voice(s.pause.utt)
	switch {
	case !speaking:
		s.speechEndedWhilePaused(s.pause.utt)
		return
	case voiced >= bargeInVoiced:
		s.log.Debug("caller talks over the bot: barge-in", "utt", s.pause.utt, "voiced_ms", voiced.Milliseconds())
		s.pause.active = false
		s.bargeIn(true)
		return
	case s.pause.held && silence >= bargeInResume:
		s.pause.held = false // a short sound: let the bot go on, keep watching
		s.leg.Pause(false)
		s.log.Debug("short sound over the bot: going on", "utt", s.pause.utt, "voiced_ms", voiced.Milliseconds())
	case !s.pause.held && silence == 0:
		s.pause.held = true // the caller speaks again
		s.leg.Pause(true)
	}
	s.pause.timer.Reset(bargeInPoll)
}

// speechEndedWhilePaused ends the watch of an utterance too short to be a
// barge-in. What the caller said is still recognised: a real short answer
// stops the bot when its transcript arrives (callerSaid).
func (s *Session) speechEndedWhilePaused(utt int) {
	if !s.pause.active || s.pause.utt != utt {
		return
	}
	s.log.Info("short speech over the bot: going on", "utt", utt,
		"speech_ms", time.Since(s.pause.at).Milliseconds())
	s.releasePause()
}

// releasePause lets queued audio flow again (the watch is over, the reply
// was flushed, or the call is ending).
func (s *Session) releasePause() {
	s.pause.active, s.pause.held = false, false
	s.pause.timer.Stop()
	s.leg.Pause(false)
}
