package ivr

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrInvalidMenu wraps every problem Validate and LoadMenu find in a menu.
var ErrInvalidMenu = errors.New("ivr: invalid menu")

// Defaults applied to zero-valued Menu fields.
const (
	DefaultNoInput    = 6 * time.Second
	DefaultMaxRetries = 2
	// DefaultQueue takes callers the menu could not route (too many
	// invalid keys or silences, or '0' pressed while talking to the AI).
	DefaultQueue = "general"
	maxNoInput   = 60 * time.Second
)

// Hand-off and hang-up reasons the Machine produces itself.
const (
	ReasonCallerRequest     = "caller_request"
	ReasonNoInput           = "ivr_no_input"
	ReasonInvalid           = "ivr_invalid"
	ReasonSpeechUnavailable = "ivr_speech_unavailable"
)

// OptionAction is what pressing an option's key does.
type OptionAction string

// Option actions.
const (
	ActAI      OptionAction = "ai"      // hand the caller to the AI assistant (dialog)
	ActHandoff OptionAction = "handoff" // transfer to a human queue
	ActRepeat  OptionAction = "repeat"  // play the options prompt again
	ActHangup  OptionAction = "hangup"  // say goodbye and end the call
)

// Option is one key of the menu.
type Option struct {
	Action OptionAction `yaml:"action"`
	Queue  string       `yaml:"queue,omitempty"`  // handoff: the queue (required)
	Reason string       `yaml:"reason,omitempty"` // handoff/hangup: defaults to "caller_request"
	Say    string       `yaml:"say,omitempty"`    // said before the action; optional
}

// Menu is a data-driven keypad menu. Empty texts and zero numbers take the
// values of DefaultMenu, so a bank's YAML only needs what it changes.
type Menu struct {
	Greeting string            `yaml:"greeting"`
	Notice   string            `yaml:"notice,omitempty"` // optional, played uninterruptibly
	Prompt   string            `yaml:"prompt"`           // the options prompt
	Options  map[string]Option `yaml:"options"`          // key "0"-"9", "*" or "#"
	// NoInput is how long to wait for a key after the prompt has finished.
	NoInput time.Duration `yaml:"no_input,omitempty"`
	// MaxRetries is how many times the prompt is repeated after an invalid
	// key or a silence; one more failure hands the caller to OnMaxRetries.
	MaxRetries int `yaml:"max_retries,omitempty"`

	Invalid           string `yaml:"invalid,omitempty"`            // after an unknown key
	NoInputText       string `yaml:"no_input_text,omitempty"`      // after a silence
	Goodbye           string `yaml:"goodbye,omitempty"`            // before a hang-up option without Say
	SpeechUnavailable string `yaml:"speech_unavailable,omitempty"` // after the greeting when ASR is down
	AIUnavailable     string `yaml:"ai_unavailable,omitempty"`     // an "ai" key pressed while ASR is down
	Transfer          string `yaml:"transfer,omitempty"`           // before a hand-off without its own Say
	// OnMaxRetries is where the caller goes after too many failures: a
	// handoff (default: queue "general", reason ivr_invalid or ivr_no_input
	// after the last failure) or a hangup.
	OnMaxRetries Option `yaml:"on_max_retries,omitempty"`
}

// DefaultMenu is the demo bank hotline: 1 for the AI assistant, 0 for a
// human agent, 9 to hear the options again.
func DefaultMenu() Menu {
	return Menu{
		Greeting: "你好，歡迎致電粵通銀行。",
		Notice:   "為確保服務質素，你嘅通話可能會被錄音。",
		Prompt:   "同智能助理傾偈，請按1；搵職員，請按0；再聽一次，請按9。",
		Options: map[string]Option{
			"1": {Action: ActAI, Say: "好，而家幫你接駁智能助理，請講出你嘅查詢。"},
			"0": {Action: ActHandoff, Queue: DefaultQueue, Reason: ReasonCallerRequest,
				Say: "好，而家幫你轉接職員，請稍候。"},
			"9": {Action: ActRepeat},
		},
		NoInput:           DefaultNoInput,
		MaxRetries:        DefaultMaxRetries,
		Invalid:           "唔好意思，冇呢個選擇。",
		NoInputText:       "我哋未收到你嘅選擇。",
		Goodbye:           "多謝你嘅來電，再見。",
		SpeechUnavailable: "語音識別暫時未能使用，請用電話按鍵揀選。",
		AIUnavailable:     "唔好意思，語音服務暫時未能使用，智能助理暫時幫唔到你。搵職員，請按0；再聽一次選項，請按9。",
		Transfer:          "等我幫你轉接職員。",
		OnMaxRetries:      Option{Action: ActHandoff, Queue: DefaultQueue},
	}
}

// WithDefaults returns m with every empty text and zero number taken from
// DefaultMenu. Greeting, Notice, Prompt and Options are never defaulted.
func (m Menu) WithDefaults() Menu {
	d := DefaultMenu()
	setDefault(&m.Invalid, d.Invalid)
	setDefault(&m.NoInputText, d.NoInputText)
	setDefault(&m.Goodbye, d.Goodbye)
	setDefault(&m.SpeechUnavailable, d.SpeechUnavailable)
	setDefault(&m.AIUnavailable, d.AIUnavailable)
	setDefault(&m.Transfer, d.Transfer)
	if m.NoInput == 0 {
		m.NoInput = d.NoInput
	}
	if m.MaxRetries == 0 {
		m.MaxRetries = d.MaxRetries
	}
	if m.OnMaxRetries.Action == "" {
		m.OnMaxRetries = d.OnMaxRetries
	}
	return m
}

func setDefault(s *string, d string) {
	if strings.TrimSpace(*s) == "" {
		*s = d
	}
}

// Validate reports every problem of m (after WithDefaults) in one error
// wrapping ErrInvalidMenu.
func (m Menu) Validate() error {
	m = m.WithDefaults()
	var errs []string
	if strings.TrimSpace(m.Prompt) == "" {
		errs = append(errs, "prompt: empty")
	}
	if len(m.Options) == 0 {
		errs = append(errs, "options: none defined")
	}
	keys := make([]string, 0, len(m.Options))
	for k := range m.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !isMenuKey(k) {
			errs = append(errs, fmt.Sprintf("options: key %q: want one of 0-9, * or #", k))
			continue
		}
		errs = appendOptionErrs(errs, "options."+k, m.Options[k], false)
	}
	if m.NoInput < 0 || m.NoInput > maxNoInput {
		errs = append(errs, fmt.Sprintf("no_input: %v out of range (0 < no_input <= %v)", m.NoInput, maxNoInput))
	}
	if m.MaxRetries < 0 || m.MaxRetries > 9 {
		errs = append(errs, fmt.Sprintf("max_retries: %d out of range (0-9)", m.MaxRetries))
	}
	errs = appendOptionErrs(errs, "on_max_retries", m.OnMaxRetries, true)
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidMenu, strings.Join(errs, "; "))
	}
	return nil
}

func appendOptionErrs(errs []string, where string, o Option, exit bool) []string {
	switch o.Action {
	case ActHandoff:
		if strings.TrimSpace(o.Queue) == "" {
			errs = append(errs, where+": handoff needs a queue")
		}
	case ActAI, ActRepeat:
		if exit {
			errs = append(errs, fmt.Sprintf("%s: action %q not allowed (want handoff or hangup)", where, o.Action))
		}
	case ActHangup:
	case "":
		errs = append(errs, where+": action missing (want ai, handoff, repeat or hangup)")
	default:
		errs = append(errs, fmt.Sprintf("%s: unknown action %q (want ai, handoff, repeat or hangup)", where, o.Action))
	}
	return errs
}

func isMenuKey(k string) bool {
	return len(k) == 1 && strings.IndexByte("0123456789*#", k[0]) >= 0
}

// LoadMenu reads a YAML menu, rejecting unknown keys and duplicate options,
// applies WithDefaults and validates it.
func LoadMenu(r io.Reader) (Menu, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var m Menu
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return Menu{}, fmt.Errorf("%w: empty document", ErrInvalidMenu)
		}
		return Menu{}, fmt.Errorf("%w: %w", ErrInvalidMenu, err)
	}
	m = m.WithDefaults()
	if err := m.Validate(); err != nil {
		return Menu{}, err
	}
	return m, nil
}

// Texts returns every fixed text the menu can say, without duplicates, for
// a prompt cache to synthesise ahead of the first call.
func (m Menu) Texts() []string {
	m = m.WithDefaults()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range []string{m.Greeting, m.Notice, m.Prompt, m.Invalid, m.NoInputText, m.Goodbye,
		m.SpeechUnavailable, m.AIUnavailable, m.Transfer, m.OnMaxRetries.Say} {
		add(s)
	}
	keys := make([]string, 0, len(m.Options))
	for k := range m.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(m.Options[k].Say)
	}
	return out
}
