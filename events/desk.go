package events

// Desk ↔ call contract: what humans do to a live call, and what comes back.
//
// A call session subscribes to yuecall.ctl.<id> (Subjects.Control) and
// yuecall.call.<id>.review; the desk publishes there. Requests that need an
// answer (accept a hand-off) use NATS request-reply on the same subjects: the
// session replies with a ControlReply.
const (
	TypeControl        = "call.control.v1"
	TypeControlReply   = "call.control_reply.v1"
	TypeReviewDecision = "review.decision.v1"
	TypeAgent          = "call.agent.v1"
	TypeAudit          = "audit.v1"
	TypeSummary        = "call.summary.v1"
)

// Control actions a human asks of a call.
const (
	ControlAccept   = "accept"    // an agent takes the hand-off (request-reply)
	ControlHandBack = "hand_back" // the agent gives the call back to the AI
	ControlEnd      = "end"       // the agent ends the call
	ControlBarge    = "barge"     // a supervisor joins: caller and agent hear them
	ControlWhisper  = "whisper"   // a supervisor speaks to the agent only
	ControlSummary  = "summary"   // the agent asks for the call's summary now (request-reply)
)

// Control is a human's command to one call.
type Control struct {
	CallID string `json:"call_id"`
	Action string `json:"action"` // accept | hand_back | end | barge | whisper
	User   string `json:"user"`   // who asked, as signed in on the desk
	Role   string `json:"role"`   // agent | supervisor | compliance
}

// ControlReply answers a Control request: OK, or Error (e.g. "taken",
// "no_such_call", "not_in_handoff") with a Traditional Chinese Message.
type ControlReply struct {
	CallID  string `json:"call_id"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
	// JoinPath is where the agent's browser opens its WebRTC signalling
	// socket to join the call (e.g. /ws/agent?call=…), when OK.
	JoinPath string `json:"join_path,omitempty"`
	// Summary answers ControlSummary.
	Summary *Summary `json:"summary,omitempty"`
}

// Review decisions.
const (
	DecisionApprove = "approve"
	DecisionEdit    = "edit"
	DecisionReject  = "reject"
)

// ReviewDecision is a compliance officer's verdict on a ReviewRequested
// draft, published on yuecall.call.<id>.review. Text is what the caller will
// hear: the draft for approve, the edited text for edit, empty for reject.
type ReviewDecision struct {
	CallID   string `json:"call_id"`
	ReviewID string `json:"review_id"`
	Decision string `json:"decision"` // approve | edit | reject
	Text     string `json:"text,omitempty"`
	Reviewer string `json:"reviewer"`
}

// Agent states of a call, published by the session on yuecall.call.<id>.agent.
const (
	AgentJoined   = "joined"    // an agent's audio is bridged to the caller
	AgentLeft     = "left"      // the agent's leg ended
	AgentHandBack = "hand_back" // the AI has the call again
	AgentBarged   = "barged"    // a supervisor joined
)

// Agent reports who is on a call besides the AI.
type Agent struct {
	CallID string `json:"call_id"`
	State  string `json:"state"` // joined | left | hand_back | barged
	User   string `json:"user"`
}

// Audit records one human action, published on yuecall.audit.<action> and
// kept in a JetStream stream.
type Audit struct {
	User   string `json:"user"`
	Role   string `json:"role"`
	Action string `json:"action"` // sign_in, accept, hand_back, end, approve, edit, reject, barge, whisper, export, user_add …
	CallID string `json:"call_id,omitempty"`
	Detail string `json:"detail,omitempty"` // masked
	Remote string `json:"remote,omitempty"`
}

// Summary is the call's running summary (what the caller wants, what was
// done, what is pending), published on yuecall.call.<id>.summary after each
// caller turn and at hand-off.
type Summary struct {
	Intent  string            `json:"intent"`
	Slots   map[string]string `json:"slots,omitempty"` // masked values
	Done    []string          `json:"done,omitempty"`
	Pending []string          `json:"pending,omitempty"`
	Text    string            `json:"text"` // one paragraph for the agent, masked
}

func (Control) EventType() string        { return TypeControl }
func (ControlReply) EventType() string   { return TypeControlReply }
func (ReviewDecision) EventType() string { return TypeReviewDecision }
func (Agent) EventType() string          { return TypeAgent }
func (Audit) EventType() string          { return TypeAudit }
func (Summary) EventType() string        { return TypeSummary }

func (Control) Subject(s Subjects, id string) string        { return s.Control(id) }
func (ControlReply) Subject(s Subjects, id string) string   { return s.Call(id, "control_reply") }
func (ReviewDecision) Subject(s Subjects, id string) string { return s.Call(id, "review") }
func (Agent) Subject(s Subjects, id string) string          { return s.Call(id, "agent") }
func (a Audit) Subject(s Subjects, _ string) string         { return s.Audit(a.Action) }
func (Summary) Subject(s Subjects, id string) string        { return s.Call(id, "summary") }

// Control returns yuecall.ctl.<call_id>, where humans' commands reach a
// call. It lies outside the durable stream (Durable) on purpose: a stream
// would answer every request with its own acknowledgement.
func (s Subjects) Control(callID string) string { return s.p() + ".ctl." + token(callID) }

// Audit returns yuecall.audit.<action>.
func (s Subjects) Audit(action string) string { return s.p() + ".audit." + token(action) }

// TypeAlertCompliance is an urgent matter compliance must see at once.
const TypeAlertCompliance = "alert.compliance.v1"

// AlertCompliance tells compliance officers about an urgent call (a fraud
// report): published on yuecall.alert.compliance.
type AlertCompliance struct {
	CallID  string `json:"call_id"`
	Intent  string `json:"intent"`
	Reason  string `json:"reason"`
	Excerpt string `json:"excerpt"` // masked
}

func (AlertCompliance) EventType() string                   { return TypeAlertCompliance }
func (AlertCompliance) Subject(s Subjects, _ string) string { return s.p() + ".alert.compliance" }
