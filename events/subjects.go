package events

import "strings"

// DefaultPrefix is the subject prefix when none is configured.
const DefaultPrefix = "yuecall"

// Subjects builds subject names under one prefix.
type Subjects struct{ Prefix string }

func (s Subjects) p() string {
	if s.Prefix == "" {
		return DefaultPrefix
	}
	return s.Prefix
}

// Call returns the subject of a per-call event kind, e.g. yuecall.call.<id>.started.
func (s Subjects) Call(callID, kind string) string {
	return s.p() + ".call." + token(callID) + "." + kind
}

// Handoff returns yuecall.handoff.<queue>.
func (s Subjects) Handoff(queue string) string { return s.p() + ".handoff." + token(queue) }

// Review returns yuecall.review.<queue>.
func (s Subjects) Review(queue string) string { return s.p() + ".review." + token(queue) }

// AlertAnger returns yuecall.alert.anger.
func (s Subjects) AlertAnger() string { return s.p() + ".alert.anger" }

// Durable returns the subjects the event stream keeps: calls, hand-offs,
// reviews and alerts. Control requests (ctl) are not kept, and the audit
// trail (audit) has its own longer-lived stream.
func (s Subjects) Durable() []string {
	p := s.p()
	return []string{p + ".call.*.*", p + ".handoff.>", p + ".review.>", p + ".alert.>"}
}

// Stored returns the subject under which the event stream keeps per-call
// events of one kind: yuecall.calls.<kind>. The stream stores
// yuecall.call.<id>.<kind> without the call id (which stays in the
// envelope), so its subject index does not grow with every call; replay
// and consumers of the stream filter on these subjects.
func (s Subjects) Stored(kind string) string { return s.p() + ".calls." + token(kind) }

// All returns the wildcard that matches every yuecall subject.
func (s Subjects) All() string { return s.p() + ".>" }

// token keeps a value from breaking the subject hierarchy: NATS tokens may not
// contain '.', '*', '>' or whitespace.
func token(v string) string {
	if v == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, v)
}

// SubjectFor returns the subject a payload of callID is published on.
func (s Subjects) SubjectFor(callID string, p Payload) string { return p.Subject(s, callID) }
