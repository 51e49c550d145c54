package ivr

import (
	"fmt"
	"time"
)

// Action is one instruction from the Machine to the call layer. The set is
// closed: Play, StartTimer, RouteAI, Handoff and Hangup.
type Action interface {
	fmt.Stringer
	isAction()
}

// Play speaks Text. An interruptible prompt stops when the caller presses a
// key; an uninterruptible one (recording notice, transfer and goodbye lines)
// is always played to the end before the next action.
type Play struct {
	Text          string
	Interruptible bool
}

// StartTimer (re)arms the call's no-input timer; After counts from the end
// of the preceding Play actions. See Machine for the contract.
type StartTimer struct {
	After time.Duration
}

// RouteAI hands the caller to the dialog engine; the IVR then only listens
// for '0'.
type RouteAI struct{}

// Handoff transfers the caller to a human queue (handoff.requested event).
type Handoff struct {
	Queue  string
	Reason string
}

// Hangup ends the call after the preceding Play actions.
type Hangup struct {
	Reason string
}

func (Play) isAction()       {}
func (StartTimer) isAction() {}
func (RouteAI) isAction()    {}
func (Handoff) isAction()    {}
func (Hangup) isAction()     {}

// String describes the action for logs.
func (a Play) String() string {
	if a.Interruptible {
		return fmt.Sprintf("play(%q)", a.Text)
	}
	return fmt.Sprintf("play!(%q)", a.Text)
}

// String describes the action for logs.
func (a StartTimer) String() string { return fmt.Sprintf("timer(%v)", a.After) }

// String describes the action for logs.
func (RouteAI) String() string { return "route_ai" }

// String describes the action for logs.
func (a Handoff) String() string { return fmt.Sprintf("handoff(%s,%s)", a.Queue, a.Reason) }

// String describes the action for logs.
func (a Hangup) String() string { return fmt.Sprintf("hangup(%s)", a.Reason) }
