package call

import (
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/sentiment"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/redact"
)

// suggestionsPerTurn is how many suggested replies an agent gets per turn.
const suggestionsPerTurn = 3

// observeCaller scores one caller turn for anger (text and the prosody of
// its audio against the caller's own baseline), publishes call.sentiment
// and, when the call crosses into anger, alert.anger.
func (s *Session) observeCaller(text string, p audio.Prosody) {
	if s.anger == nil {
		return
	}
	res := s.anger.Observe(text, sentiment.Prosody{LevelDBFS: p.LevelDBFS, PitchHz: p.PitchHz,
		PitchSpreadHz: p.PitchSpreadHz, SyllablesPerSec: sentiment.SyllableRate(text, time.Duration(p.ActiveFrames)*audio.FrameDuration),
		ShoutFrames: p.ShoutFrames, VoicedFrames: p.VoicedFrames})
	s.publish(events.Sentiment{Score: res.Score, Anger: res.Anger, Cues: res.Cues})
	if res.Alert {
		s.d.Metrics.angerAlert()
		s.publish(events.AlertAnger{CallID: s.info.ID, Score: res.Score, Excerpt: redact.Text(text)})
		s.log.Info("anger alert", "score", res.Score, "cues", len(res.Cues))
	}
}

// assistAgent publishes suggested replies (with their knowledge articles)
// and the call's summary while humans have, or are about to take, the call.
func (s *Session) assistAgent() {
	if s.conv == nil || s.state != StateHandoff {
		return
	}
	for _, sg := range s.conv.Suggestions(suggestionsPerTurn) {
		s.publish(events.Suggestion{Text: sg.Text, Sources: sg.Sources})
	}
	sm := s.conv.Summary()
	s.publish(events.Summary{Intent: sm.Intent, Slots: sm.Slots, Done: sm.Done, Pending: sm.Pending, Text: sm.Text})
}

// speakStream speaks a generated reply sentence by sentence as the
// Generator writes it: each sentence is queued as soon as it arrives.
func (s *Session) speakStream(r dialog.Reply) {
	s.cancelStream()
	s.gen, s.genCh = &r, r.Sentences
}

// onSentence takes the next sentence of the reply being generated.
func (s *Session) onSentence(sentence string, ok bool) {
	if !ok {
		res := s.gen.Result()
		s.gen, s.genCh = nil, nil
		if res.Fallback {
			s.log.Info("llm: the offline answer was spoken", "err", res.Err)
		}
		return
	}
	s.say(sentence, true, true, nil)
}

// cancelStream stops a reply still being generated (barge-in, a new turn,
// the end of the call).
func (s *Session) cancelStream() {
	if s.gen != nil {
		s.gen.Cancel()
		s.gen, s.genCh = nil, nil
	}
}
