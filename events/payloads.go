package events

// Payload type names, one per versioned schema. A breaking change adds a new
// version; consumers switch on Envelope.Type.
const (
	TypeCallStarted      = "call.started.v1"
	TypeCallEnded        = "call.ended.v1"
	TypeTranscript       = "call.transcript.v1"
	TypeDTMF             = "call.dtmf.v1"
	TypeIntent           = "call.intent.v1"
	TypeSuggestion       = "call.suggestion.v1"
	TypeSentiment        = "call.sentiment.v1"
	TypeIVR              = "call.ivr.v1"
	TypeAlertAnger       = "alert.anger.v1"
	TypeHandoffRequested = "handoff.requested.v1"
	TypeReviewRequested  = "review.requested.v1"
)

// Payload is implemented by every event body: EventType names its schema,
// Subject says where it is published for a call.
type Payload interface {
	EventType() string
	Subject(s Subjects, callID string) string
}

// CallStarted is published when a call is answered.
type CallStarted struct {
	Channel   string `json:"channel"`   // sip | webrtc
	Direction string `json:"direction"` // inbound | outbound
	From      string `json:"from"`      // caller, masked
	To        string `json:"to"`        // dialled number or hotline name
	Codec     string `json:"codec,omitempty"`
	Node      string `json:"node,omitempty"`
}

// CallEnded is published once when a call ends.
type CallEnded struct {
	Outcome    string `json:"outcome"` // completed | handoff | abandoned | failed | shutdown
	Reason     string `json:"reason"`  // caller_hangup, bot_hangup, rtp_timeout, …
	DurationMs int64  `json:"duration_ms"`
	Turns      int    `json:"turns"`
	LastIntent string `json:"last_intent,omitempty"`
}

// Transcript is one caller, bot or agent utterance, masked.
type Transcript struct {
	Speaker string `json:"speaker"` // caller | bot | agent
	Text    string `json:"text"`
	Final   bool   `json:"final"`
	StartMs int64  `json:"start_ms"`
	EndMs   int64  `json:"end_ms"`
	Lang    string `json:"lang"`
	// Interrupted marks a bot utterance cut short by barge-in; Text is then
	// only the part the caller heard.
	Interrupted bool `json:"interrupted,omitempty"`
}

// DTMF is one key press; Digit is "*" when collecting secrets.
type DTMF struct {
	Digit  string `json:"digit"`
	Source string `json:"source"` // rfc4733 | inband | webrtc
}

// Intent is the dialog's decision for one caller turn.
type Intent struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
	Action     string  `json:"action"` // answer | clarify | handoff | end
}

// IVR reports a menu state transition.
type IVR struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Suggestion is a reply suggested to a live agent.
type Suggestion struct {
	Text    string   `json:"text"`
	Sources []string `json:"sources"`
}

// Sentiment is the caller's mood after a turn.
type Sentiment struct {
	// Score is the anger score in [0, 1] (words fused with prosody against
	// the caller's own baseline); Anger is Score at or above the threshold.
	Score float64  `json:"score"`
	Anger bool     `json:"anger"`
	Cues  []string `json:"cues"`
}

// AlertAnger asks a supervisor to look at a call.
type AlertAnger struct {
	CallID  string  `json:"call_id"`
	Score   float64 `json:"score"`
	Excerpt string  `json:"excerpt"`
}

// TranscriptLine is one line of a hand-off's transcript tail.
type TranscriptLine struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
}

// HandoffRequested asks the agents of a queue to take a call.
type HandoffRequested struct {
	CallID         string           `json:"call_id"`
	Queue          string           `json:"queue"`
	Reason         string           `json:"reason"`
	Summary        string           `json:"summary"`
	From           string           `json:"from"` // masked
	TranscriptTail []TranscriptLine `json:"transcript_tail"`
	// Urgent marks a hand-off that must jump the queue (fraud reports); it
	// is also published to compliance as an alert.
	Urgent bool   `json:"urgent,omitempty"`
	Intent string `json:"intent,omitempty"`
}

// ReviewRequested asks compliance to approve an AI draft.
type ReviewRequested struct {
	CallID   string   `json:"call_id"`
	ReviewID string   `json:"review_id"` // echoed in the ReviewDecision
	Draft    string   `json:"draft"`     // the AI's answer, masked
	Intent   string   `json:"intent"`
	Question string   `json:"question,omitempty"` // the caller's turn, masked
	Sources  []string `json:"sources,omitempty"`  // knowledge article ids
	// TimeoutMs is how long the call waits for a decision before it hands
	// the caller to a human instead.
	TimeoutMs int64 `json:"timeout_ms,omitempty"`
}

// EventType implementations.
func (CallStarted) EventType() string      { return TypeCallStarted }
func (CallEnded) EventType() string        { return TypeCallEnded }
func (Transcript) EventType() string       { return TypeTranscript }
func (DTMF) EventType() string             { return TypeDTMF }
func (Intent) EventType() string           { return TypeIntent }
func (IVR) EventType() string              { return TypeIVR }
func (Suggestion) EventType() string       { return TypeSuggestion }
func (Sentiment) EventType() string        { return TypeSentiment }
func (AlertAnger) EventType() string       { return TypeAlertAnger }
func (HandoffRequested) EventType() string { return TypeHandoffRequested }
func (ReviewRequested) EventType() string  { return TypeReviewRequested }

// Subject implementations: where each payload is published.
func (CallStarted) Subject(s Subjects, id string) string { return s.Call(id, "started") }
func (CallEnded) Subject(s Subjects, id string) string   { return s.Call(id, "ended") }
func (Transcript) Subject(s Subjects, id string) string  { return s.Call(id, "transcript") }
func (DTMF) Subject(s Subjects, id string) string        { return s.Call(id, "dtmf") }
func (Intent) Subject(s Subjects, id string) string      { return s.Call(id, "intent") }
func (IVR) Subject(s Subjects, id string) string         { return s.Call(id, "ivr") }
func (Suggestion) Subject(s Subjects, id string) string  { return s.Call(id, "suggestion") }
func (Sentiment) Subject(s Subjects, id string) string   { return s.Call(id, "sentiment") }
func (AlertAnger) Subject(s Subjects, _ string) string   { return s.AlertAnger() }
func (h HandoffRequested) Subject(s Subjects, _ string) string {
	return s.Handoff(h.Queue)
}
func (ReviewRequested) Subject(s Subjects, _ string) string { return s.Review("compliance") }
