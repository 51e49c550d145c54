package call

import (
	"context"
	"fmt"
	"github.com/yuecall/yuecall/tts/spoken"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/redact"
)

// onDigit handles one caller key press.
func (s *Session) onDigit(d rune) {
	s.publish(events.DTMF{Digit: string(d), Source: s.info.Channel})
	s.log.Info("dtmf", "digit", string(d))
	s.ivrTimer.Stop()
	s.ivrAfter = 0
	acts := s.menu.Digit(d)
	if len(acts) > 0 {
		s.bargeIn(false) // a key press answers the prompt: stop it
	}
	s.apply(acts)
}

// apply carries out IVR actions in order.
func (s *Session) apply(acts []ivr.Action) {
	if st := s.menu.State(); st != s.ivrState {
		s.publish(events.IVR{From: s.ivrState.String(), To: st.String()})
		s.ivrState = st
	}
	for _, a := range acts {
		switch a := a.(type) {
		case ivr.Play:
			s.say(a.Text, a.Interruptible, false, nil)
		case ivr.StartTimer:
			s.ivrAfter = a.After
			s.armIVRTimerIfIdle()
		case ivr.RouteAI:
			s.setState(StateAI)
			if s.d.ASR != nil {
				s.say(s.d.AIGreeting, true, false, nil)
			}
		case ivr.Handoff:
			s.handoff(a.Queue, a.Reason)
		case ivr.Hangup:
			s.setState(StateEnding)
			s.afterPlayout(func() { s.end("completed", a.Reason) })
		}
	}
}

func (s *Session) armIVRTimerIfIdle() {
	if s.ivrAfter > 0 && len(s.playing) == 0 {
		s.ivrTimer.Reset(s.ivrAfter)
		s.ivrAfter = 0
	}
}

// handoff asks a queue of human agents to take the call.
func (s *Session) handoff(queue, reason string) { s.handoffUrgent(queue, reason, false) }

// handoffUrgent asks for a human; an urgent hand-off (a fraud report) jumps
// the queue and alerts compliance too.
func (s *Session) handoffUrgent(queue, reason string, urgent bool) {
	if s.handedOff {
		return
	}
	s.handedOff = true
	s.handoffQueue = queue
	s.setState(StateHandoff)
	s.assistAgent()
	s.publish(events.HandoffRequested{CallID: s.info.ID, Queue: queue, Reason: reason,
		Summary: s.summary(reason), From: redact.Text(s.info.From), Urgent: urgent, Intent: s.lastIntent,
		TranscriptTail: append([]events.TranscriptLine(nil), s.tail...)})
	s.d.Metrics.handoff(reason)
	if urgent {
		s.publish(events.AlertCompliance{CallID: s.info.ID, Intent: s.lastIntent, Reason: reason,
			Excerpt: s.lastCallerLine()})
	}
	s.log.Info("handoff requested", "queue", queue, "reason", reason)
}

func (s *Session) summary(reason string) string {
	if s.conv != nil && s.turns > 0 {
		if t := s.conv.Summary().Text; t != "" {
			return t
		}
	}
	if s.lastIntent == "" {
		return fmt.Sprintf("來電者喺語音選單要求轉接（%s）。", reason)
	}
	return fmt.Sprintf("來電者同智能助理傾咗 %d 輪，最後意圖：%s；轉接原因：%s。", s.turns, s.lastIntent, reason)
}

// turn runs the dialog on one caller utterance (normalised text).
func (s *Session) turn(text string) {
	s.turns++
	s.observeCaller(text, s.lastProsody)
	if s.conv != nil && s.state == StateHandoff {
		s.conv.Overheard(text) // a human answers; the AI keeps notes and suggests
		s.assistAgent()
		return
	}
	if s.state != StateAI || s.conv == nil {
		return
	}
	s.cancelStream()
	r := s.conv.Respond(s.ctx, text)
	s.act(r, text)
}

// act carries out the dialog's reply to a caller turn (or to a review
// decision: question is then empty).
func (s *Session) act(r dialog.Reply, question string) {
	s.lastIntent = r.Intent
	s.publish(events.Intent{Intent: r.Intent, Confidence: r.Confidence, Action: r.Action.String()})
	s.log.Info("turn", "intent", r.Intent, "confidence", fmt.Sprintf("%.2f", r.Confidence), "action", r.Action.String())
	switch r.Action {
	case dialog.Handoff:
		s.say(r.Text, false, true, nil)
		s.handoffUrgent(r.Queue, r.Reason, r.Urgent)
	case dialog.Review:
		s.requestReview(r, question)
	case dialog.End:
		s.setState(StateEnding)
		s.say(r.Text, false, true, func() { s.end("completed", "bot_hangup") })
	default:
		if r.Sentences != nil {
			s.speakStream(r)
			return
		}
		s.say(r.Text, true, true, nil)
	}
}

// say queues an utterance; after runs in the loop once it has been played.
func (s *Session) say(text string, interruptible, reply bool, after func()) {
	if text == "" {
		if after != nil {
			s.afterPlayout(after)
		}
		return
	}
	s.nextUtt++
	u := &utterance{id: s.nextUtt, text: text, sentences: spoken.Split(text, s.d.MaxChunk),
		interruptible: interruptible, reply: reply, after: after}
	u.ctx, u.cancel = context.WithCancel(s.ctx)
	s.playing = append(s.playing, u)
	if s.d.TTS == nil {
		s.announce(u)
	}
	s.startSynth()
}

// announce publishes what the bot says when the caller starts to hear it
// (its first audio is queued with nothing ahead of it), not when it is
// queued: a reply dropped unheard by a barge-in is never announced.
func (s *Session) announce(u *utterance) {
	if u.announced {
		return
	}
	u.announced = true
	masked := redact.Text(u.text)
	s.publish(events.Transcript{Speaker: "bot", Text: masked, Final: true,
		StartMs: s.sinceStart(), Lang: "yue"})
	s.addTail("bot", masked)
}

// announceHead announces the utterance now playing, once its audio exists.
func (s *Session) announceHead() {
	if len(s.playing) > 0 && s.playing[0].hasAudio() {
		s.announce(s.playing[0])
	}
}

// afterPlayout runs f once everything queued has been played.
func (s *Session) afterPlayout(f func()) {
	if len(s.playing) == 0 {
		f()
		return
	}
	last := s.playing[len(s.playing)-1]
	prev := last.after
	last.after = func() {
		if prev != nil {
			prev()
		}
		f()
	}
}

// startSynth starts the speaker on the first utterance waiting for synthesis.
func (s *Session) startSynth() {
	if s.d.TTS == nil || s.synthBusy {
		return // one speaker run at a time: a cut utterance finishes first
	}
	for _, u := range s.playing {
		switch {
		case u.synth == synthRunning:
			return
		case u.synth == synthWaiting:
			u.synth = synthRunning
			s.synthBusy = true
			s.tr.Go(func() {
				err := s.sp.run(u, s.spFirst)
				select {
				case s.spDone <- speakDone{u: u, err: err}:
				case <-s.ctx.Done():
				}
			})
			return
		}
	}
}

func (s *Session) onSpeakDone(d speakDone) {
	d.u.synth = synthDone
	s.synthBusy = false
	s.announceHead()
	if d.err != nil && d.u.ctx.Err() == nil {
		s.log.Error("tts failed", "err", d.err)
	}
	s.startSynth()
	s.checkPlayout()
}

// played is the leg's position in everything queued so far.
func (s *Session) played() time.Duration {
	return time.Duration(s.queuedPos.Load()) - s.leg.Pending()
}

// retirePlayed drops the utterances the caller has heard in full: their
// replies go to the dialog history whole and their after hooks run.
func (s *Session) retirePlayed() {
	played := s.played()
	for len(s.playing) > 0 && s.playing[0].playedOut(played) {
		u := s.playing[0]
		s.playing = s.playing[1:]
		if u.hasAudio() {
			s.announce(u) // played out before its first-audio note arrived
		}
		s.announceHead()
		if u.reply && s.conv != nil {
			s.conv.Heard(u.text, 1)
		}
		if u.after != nil {
			u.after()
		}
	}
}

// checkPlayout retires what has been heard, re-arms the timer for the next
// utterance and reports whether the call should end now.
func (s *Session) checkPlayout() bool {
	s.retirePlayed()
	if len(s.playing) == 0 {
		s.armIVRTimerIfIdle()
	} else if u := s.playing[0]; u.synth == synthDone {
		s.playTimer.Reset(u.remaining(s.played()) + 5*time.Millisecond)
	}
	if s.outcome != "" {
		s.hangup()
		return true
	}
	return false
}

// lastCallerLine is the caller's last masked line, for alerts.
func (s *Session) lastCallerLine() string {
	for i := len(s.tail) - 1; i >= 0; i-- {
		if s.tail[i].Speaker == "caller" {
			return s.tail[i].Text
		}
	}
	return ""
}
