package ivr

import (
	"context"
	"log/slog"
	"strconv"
)

// State is where a call is in the menu.
type State int

// States. A Machine starts in StateGreeting; Start moves it to StateMenu.
const (
	StateGreeting State = iota // nothing played yet
	StateMenu                  // prompt played, awaiting a key
	StateAI                    // caller handed to the dialog engine
	StateHandoff               // caller handed to a human queue (final for the IVR)
	StateEnded                 // call to be hung up (final)
)

var stateNames = [...]string{"greeting", "menu", "ai", "handoff", "ended"}

// String returns the state's lower-case name.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Options configure a Machine.
type Options struct {
	// SpeechAvailable says whether speech recognition works for this call.
	// Without it the caller is told to use the keypad, and an "ai" key
	// explains that the assistant cannot help now and offers 0 and 9.
	SpeechAvailable bool
	// Log receives one record per state transition; nil discards.
	Log *slog.Logger
}

// Machine is the menu of one call. It is not safe for concurrent use: the
// call's supervising loop owns it and executes the returned actions in order.
//
// Timer contract: StartTimer (re)arms the call's single no-input timer,
// measured from the end of the preceding Play actions. When it fires the
// call layer calls Timeout; Timeout outside StateMenu is ignored, so a
// stale timer is harmless and the call layer need not cancel it on a key.
type Machine struct {
	menu     Menu
	opt      Options
	log      *slog.Logger
	state    State
	failures int // invalid keys and silences since the last prompt reset
}

// NewMachine returns a Machine in state StateGreeting for m (defaults applied).
// m should have passed Validate; unknown option actions are treated as
// invalid keys.
func NewMachine(m Menu, opt Options) *Machine {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Machine{menu: m.WithDefaults(), opt: opt, log: log, state: StateGreeting}
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Start plays the greeting, the optional recording notice (uninterruptible),
// the speech-unavailable notice when ASR is down, then the options prompt,
// and arms the no-input timer. It does nothing after the first call.
func (m *Machine) Start() []Action {
	if m.state != StateGreeting {
		return nil
	}
	var acts []Action
	if m.menu.Greeting != "" {
		acts = append(acts, Play{Text: m.menu.Greeting, Interruptible: true})
	}
	if m.menu.Notice != "" {
		acts = append(acts, Play{Text: m.menu.Notice})
	}
	if !m.opt.SpeechAvailable {
		acts = append(acts, Play{Text: m.menu.SpeechUnavailable, Interruptible: true})
	}
	m.transition(StateMenu, "start")
	return append(acts, m.prompt()...)
}

// Digit handles one DTMF key ('0'-'9', '*', '#', 'A'-'D'); other runes are
// ignored. In StateMenu it selects an option. In StateAI the dialog cannot hear keys,
// so every key is ignored except '0', the universal way out to a human: it
// hands off to the menu's "0" queue when that is a handoff option, else to
// "general". In every other state keys are ignored.
func (m *Machine) Digit(d rune) []Action {
	if !isDTMF(d) {
		return nil
	}
	switch m.state {
	case StateMenu:
		return m.choose(string(d))
	case StateAI:
		if d == '0' {
			return m.agentFromAI()
		}
	}
	return nil
}

// Timeout handles the no-input timer firing. Outside StateMenu it is ignored.
func (m *Machine) Timeout() []Action {
	if m.state != StateMenu {
		return nil
	}
	return m.fail(m.menu.NoInputText, ReasonNoInput)
}

func (m *Machine) choose(key string) []Action {
	opt, ok := m.menu.Options[key]
	if !ok {
		return m.fail(m.menu.Invalid, ReasonInvalid)
	}
	switch opt.Action {
	case ActAI:
		if !m.opt.SpeechAvailable {
			return m.fail(m.menu.AIUnavailable, ReasonSpeechUnavailable)
		}
		m.transition(StateAI, "key "+key)
		return append(m.say(opt.Say), RouteAI{})
	case ActHandoff:
		return m.handoff(opt, "key "+key)
	case ActRepeat:
		return append(m.say(opt.Say), m.prompt()...)
	case ActHangup:
		return m.hangup(opt, "key "+key)
	}
	return m.fail(m.menu.Invalid, ReasonInvalid)
}

// fail counts an invalid key or silence: it re-prompts while retries are
// left, then hands the caller to OnMaxRetries.
func (m *Machine) fail(text, reason string) []Action {
	m.failures++
	acts := m.say(text)
	if m.failures <= m.menu.MaxRetries {
		m.log.Debug("ivr: retry", "reason", reason, "failures", m.failures)
		return append(acts, m.prompt()...)
	}
	exit := m.menu.OnMaxRetries
	if exit.Reason == "" {
		exit.Reason = reason
	}
	if exit.Action == ActHangup {
		return append(acts, m.hangup(exit, reason)...)
	}
	return append(acts, m.handoff(exit, reason)...)
}

func (m *Machine) agentFromAI() []Action {
	opt := Option{Action: ActHandoff, Queue: DefaultQueue, Reason: ReasonCallerRequest}
	if o, ok := m.menu.Options["0"]; ok && o.Action == ActHandoff {
		opt = o
	}
	return m.handoff(opt, "key 0 during ai")
}

// sayAndReason returns what an option says (or the fallback) and its reason.
func sayAndReason(opt Option, fallback string) (text, reason string) {
	text, reason = opt.Say, opt.Reason
	if text == "" {
		text = fallback
	}
	if reason == "" {
		reason = ReasonCallerRequest
	}
	return text, reason
}

func (m *Machine) handoff(opt Option, cause string) []Action {
	text, reason := sayAndReason(opt, m.menu.Transfer)
	m.transition(StateHandoff, cause)
	return []Action{Play{Text: text, Interruptible: false}, Handoff{Queue: opt.Queue, Reason: reason}}
}

func (m *Machine) hangup(opt Option, cause string) []Action {
	text, reason := sayAndReason(opt, m.menu.Goodbye)
	m.transition(StateEnded, cause)
	return []Action{Play{Text: text, Interruptible: false}, Hangup{Reason: reason}}
}

func (m *Machine) prompt() []Action {
	return []Action{Play{Text: m.menu.Prompt, Interruptible: true}, StartTimer{After: m.menu.NoInput}}
}

func (m *Machine) say(text string) []Action {
	if text == "" {
		return nil
	}
	return []Action{Play{Text: text, Interruptible: true}}
}

func (m *Machine) transition(to State, cause string) {
	if m.log.Enabled(context.Background(), slog.LevelInfo) {
		m.log.Info("ivr: transition", "from", m.state.String(), "to", to.String(), "cause", cause,
			"failures", m.failures)
	}
	m.state = to
}

func isDTMF(d rune) bool {
	return d >= '0' && d <= '9' || d == '*' || d == '#' || d >= 'A' && d <= 'D'
}
