package dialog

import (
	"strings"
	"time"
)

// DefaultSensitiveThreshold is the confidence from which a best guess of a
// sensitive intent hands off even below the threshold: a caller who may be
// asking to move money or reset a password is never asked to rephrase into
// an answer, they speak to a human.
const DefaultSensitiveThreshold = 0.3

// Understanding is the NLU's full reading of one utterance: intent,
// confidence, the action policy implies, and slots.
type Understanding struct {
	Text       string // as given
	Normalized string // HK Traditional Chinese (normalise.ToHK)
	// Intent is the best guess, "" when nothing matched; act on it only
	// when Action is not "clarify".
	Intent     string
	Confidence float64 // in [0, 1]
	// Action is the intent's action from the pack (answer, handoff,
	// clarify, end, review), "handoff" for sensitive intents, or "clarify"
	// when the confidence is below the engine's threshold (a sensitive best
	// guess at or above the sensitive threshold still hands off).
	Action string
	Slots  map[string]string // see Engine.Slots
	Method string            // ByKeyword, BySound, BySimilarity or ""
}

// Understand classifies text, applies the threshold and the guardrails'
// action mapping and extracts slots, resolving dates against now.
func (e *Engine) Understand(text string, now time.Time) Understanding {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	hk, a := e.prepare(text, sc)
	cl := e.classifyAnalysis(a, sc)
	u := Understanding{
		Text: text, Normalized: strings.TrimSpace(hk), Intent: cl.Intent, Confidence: cl.Confidence,
		Method: cl.Method, Action: Clarify.String(),
	}
	u.Slots = e.slots(hk, a.compact, now)
	if cl.Empty || cl.Intent == "" {
		return u
	}
	in, _ := e.pack.Intent(cl.Intent)
	switch {
	case cl.Confidence >= e.threshold && in.Sensitive:
		u.Action = Handoff.String()
	case cl.Confidence >= e.threshold:
		u.Action = actionName(in.Action)
	case in.Sensitive && cl.Confidence >= e.sensitiveThreshold:
		u.Action = Handoff.String()
	}
	return u
}
