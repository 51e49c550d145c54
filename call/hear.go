package call

import (
	"strings"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/turn"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/normalise"
	"github.com/yuecall/yuecall/redact"
)

type streamMsg struct {
	utt int
	st  asr.Stream
	err error
}

// heardUtt is what the loop knows of one caller utterance.
type heardUtt struct {
	start, end time.Time // VAD speech start and end
	text       string    // finals so far, normalised
	prosody    audio.Prosody
}

type asrMsg struct {
	utt   int
	r     asr.Result
	ended bool
	err   error
}

// onSpeech reacts to the caller starting or stopping to speak.
func (s *Session) onSpeech(e speechEvent) {
	switch e.kind {
	case speechStart:
		s.heard[e.utt] = &heardUtt{start: e.at}
		s.log.Debug("speech start", "utt", e.utt, "bot_speaking", s.audible() != nil)
		if s.speakingInterruptible() {
			s.pauseForSpeech(e)
		}
		s.openStream(e.utt)
	case speechEnd:
		if h := s.heard[e.utt]; h != nil {
			h.end, h.prosody = e.at, e.prosody
		}
		s.speechEndedWhilePaused(e.utt)
	}
}

// speakingInterruptible reports whether the bot is saying something the
// caller may talk over.
func (s *Session) speakingInterruptible() bool {
	u := s.audible()
	return u != nil && u.interruptible
}

// audible is the utterance the caller hears now (or is about to hear while
// its next sentence is synthesised): the first one not yet fully played.
func (s *Session) audible() *utterance {
	played := s.played()
	for _, u := range s.playing {
		if !u.playedOut(played) {
			return u
		}
	}
	return nil
}

// bargeIn stops the bot: queued audio is flushed at once, synthesis in flight
// is cancelled, and the part of each reply the caller heard is recorded.
func (s *Session) bargeIn(bySpeech bool) {
	defer s.releasePause()
	if bySpeech {
		s.cancelStream() // the caller talks over a generated reply: stop writing it
	}
	s.retirePlayed()
	if len(s.playing) == 0 || !s.playing[0].interruptible {
		return // an uninterruptible notice is heard to its end, keys or not
	}
	u := s.playing[0]
	for _, q := range s.playing {
		q.cancel()
		q.mu.Lock() // barrier: the speaker queues nothing more for q
		q.mu.Unlock()
	}
	dropped := s.leg.Flush()
	s.queuedPos.Add(-int64(dropped))
	played := s.played()
	var after []func()
	for _, q := range s.playing {
		if q.after != nil {
			after = append(after, q.after)
		}
	}
	heard, frac := u.heardText(played)
	if s.conv != nil && u.reply {
		s.conv.Heard(u.text, frac)
	}
	if u.announced { // what was queued behind it was never announced: nothing to take back
		s.publish(events.Transcript{Speaker: "bot", Text: redact.Text(heard), Final: true,
			StartMs: s.sinceStart(), EndMs: s.sinceStart(), Lang: "yue", Interrupted: true})
	}
	if bySpeech && frac < 1 && u.reply {
		s.interrupted = u
	}
	s.log.Info("barge-in", "dropped_ms", dropped.Milliseconds(), "by_speech", bySpeech)
	s.playing = s.playing[:0]
	s.playTimer.Stop()
	for _, f := range after {
		f()
	}
}

// stopSpeaking cancels everything at the end of a call.
func (s *Session) stopSpeaking() {
	for _, u := range s.playing {
		u.cancel()
	}
	s.playing = nil
	s.leg.Flush()
	s.releasePause()
}

// openStream connects an ASR stream for utterance utt off the loop.
func (s *Session) openStream(utt int) {
	if s.d.ASR == nil {
		return
	}
	ctx := s.ctx
	s.tr.Go(func() {
		t0 := time.Now()
		st, err := s.d.ASR.NewStream(ctx)
		s.d.Metrics.observeASRConnect(time.Since(t0), err)
		select {
		case s.streamEv <- streamMsg{utt: utt, st: st, err: err}:
		case <-ctx.Done():
			if st != nil {
				st.Close()
			}
		}
	})
}

func (s *Session) onStream(m streamMsg) {
	if m.err != nil {
		s.log.Error("asr stream failed", "err", m.err)
		return
	}
	w, err := audio.NewResampleWriter(m.st, s.leg.Rate())
	if err != nil || !s.lis.attach(m.utt, m.st, w) {
		m.st.Close()
		return
	}
	s.streams[m.utt] = m.st
	ctx := s.ctx
	s.tr.Go(func() {
		for r := range m.st.Results() {
			select {
			case s.asrEv <- asrMsg{utt: m.utt, r: r}:
			case <-ctx.Done():
				return
			}
		}
		select {
		case s.asrEv <- asrMsg{utt: m.utt, ended: true, err: m.st.Err()}:
		case <-ctx.Done():
		}
	})
}

// onASR handles one result or the end of an utterance's stream.
func (s *Session) onASR(m asrMsg) {
	if !m.ended {
		text := normalise.Text(m.r.Text)
		h := s.heard[m.utt]
		if h == nil {
			return
		}
		if m.r.Final {
			h.text += text
			if s.d.Turn != nil {
				s.lis.setEndSilence(m.utt, s.d.Turn.EndSilence(h.text))
			}
			return
		}
		if text != "" && text != s.lastPartial {
			s.lastPartial = text
			if s.d.Turn != nil {
				s.lis.setEndSilence(m.utt, s.d.Turn.EndSilence(h.text+text))
			}
			s.publish(events.Transcript{Speaker: "caller", Text: redact.Text(h.text + text),
				StartMs: s.offsetMs(h.start), EndMs: s.sinceStart(), Lang: "yue"})
		}
		return
	}
	if st := s.streams[m.utt]; st != nil {
		st.Close()
		delete(s.streams, m.utt)
	}
	if m.err != nil {
		s.log.Warn("asr stream ended with error", "err", m.err)
	}
	h := s.heard[m.utt]
	delete(s.heard, m.utt)
	s.lastPartial = ""
	if h == nil {
		return
	}
	if !h.end.IsZero() {
		s.d.Metrics.observeASRFinal(time.Since(h.end))
	}
	s.lastProsody = h.prosody
	s.callerSaid(strings.TrimSpace(h.text), s.offsetMs(h.start))
}

// callerSaid takes a finished caller utterance.
func (s *Session) callerSaid(text string, startMs int64) {
	bare := strings.TrimRight(text, "。，！？.,!? ")
	if s.interrupted != nil && (bare == "" || turn.IsBackchannel(bare)) {
		u := s.interrupted
		s.interrupted = nil
		rest := u.unheard()
		s.log.Info("backchannel during bot speech: resuming", "text", bare)
		if rest != "" {
			s.say(rest, true, true, nil)
		}
		return
	}
	s.interrupted = nil
	if bare == "" || (s.audible() != nil && turn.IsBackchannel(bare)) {
		return // a backchannel while the bot talks on
	}
	if s.speakingInterruptible() {
		s.bargeIn(true) // a short real answer ("唔使") heard over the bot
		s.interrupted = nil
	}
	masked := redact.Text(text)
	s.publish(events.Transcript{Speaker: "caller", Text: masked, Final: true,
		StartMs: startMs, EndMs: s.sinceStart(), Lang: "yue"})
	s.addTail("caller", masked)
	s.turn(text)
}
