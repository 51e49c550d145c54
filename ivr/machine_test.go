package ivr

import (
	"bytes"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

// step is one event fed to the Machine and what must come back.
type step struct {
	event string // "start", "timeout" or "key:<rune>"
	want  []Action
	state State
}

func run(t *testing.T, m *Machine, steps []step) {
	t.Helper()
	for i, s := range steps {
		var got []Action
		switch {
		case s.event == "start":
			got = m.Start()
		case s.event == "timeout":
			got = m.Timeout()
		case strings.HasPrefix(s.event, "key:"):
			got = m.Digit([]rune(s.event[4:])[0])
		default:
			t.Fatalf("bad event %q", s.event)
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Fatalf("step %d %s:\n got  %v\n want %v", i, s.event, got, s.want)
		}
		if m.State() != s.state {
			t.Fatalf("step %d %s: state %v, want %v", i, s.event, m.State(), s.state)
		}
	}
}

func TestMachine(t *testing.T) {
	d := DefaultMenu()
	var (
		greet     = Play{Text: d.Greeting, Interruptible: true}
		notice    = Play{Text: d.Notice}
		noSpeech  = Play{Text: d.SpeechUnavailable, Interruptible: true}
		prompt    = Play{Text: d.Prompt, Interruptible: true}
		timer     = StartTimer{After: 6 * time.Second}
		invalid   = Play{Text: "唔好意思，冇呢個選擇。", Interruptible: true}
		noInput   = Play{Text: "我哋未收到你嘅選擇。", Interruptible: true}
		transfer  = Play{Text: "等我幫你轉接職員。"}
		agentSay  = Play{Text: d.Options["0"].Say}
		aiSay     = Play{Text: d.Options["1"].Say, Interruptible: true}
		aiDown    = Play{Text: d.AIUnavailable, Interruptible: true}
		start     = step{"start", []Action{greet, notice, prompt, timer}, StateMenu}
		startDown = step{"start", []Action{greet, notice, noSpeech, prompt, timer}, StateMenu}
	)
	tests := []struct {
		name   string
		speech bool
		steps  []step
	}{
		{"key 1 routes to the AI", true, []step{start,
			{"key:1", []Action{aiSay, RouteAI{}}, StateAI}}},
		{"key 0 hands off", true, []step{start,
			{"key:0", []Action{agentSay, Handoff{"general", "caller_request"}}, StateHandoff}}},
		{"key 9 repeats without counting a failure", true, []step{start,
			{"key:9", []Action{prompt, timer}, StateMenu},
			{"key:9", []Action{prompt, timer}, StateMenu},
			{"key:9", []Action{prompt, timer}, StateMenu},
			{"key:1", []Action{aiSay, RouteAI{}}, StateAI}}},
		{"invalid key reprompts", true, []step{start,
			{"key:5", []Action{invalid, prompt, timer}, StateMenu},
			{"key:1", []Action{aiSay, RouteAI{}}, StateAI}}},
		{"invalid keys exhaust retries", true, []step{start,
			{"key:5", []Action{invalid, prompt, timer}, StateMenu},
			{"key:#", []Action{invalid, prompt, timer}, StateMenu},
			{"key:*", []Action{invalid, transfer, Handoff{"general", "ivr_invalid"}}, StateHandoff}}},
		{"silences exhaust retries", true, []step{start,
			{"timeout", []Action{noInput, prompt, timer}, StateMenu},
			{"timeout", []Action{noInput, prompt, timer}, StateMenu},
			{"timeout", []Action{noInput, transfer, Handoff{"general", "ivr_no_input"}}, StateHandoff}}},
		{"mixed failures take the last reason", true, []step{start,
			{"timeout", []Action{noInput, prompt, timer}, StateMenu},
			{"key:7", []Action{invalid, prompt, timer}, StateMenu},
			{"timeout", []Action{noInput, transfer, Handoff{"general", "ivr_no_input"}}, StateHandoff}}},
		{"speech down: notice and ai key explained", false, []step{startDown,
			{"key:1", []Action{aiDown, prompt, timer}, StateMenu},
			{"key:0", []Action{agentSay, Handoff{"general", "caller_request"}}, StateHandoff}}},
		{"speech down: ai key pressed again and again", false, []step{startDown,
			{"key:1", []Action{aiDown, prompt, timer}, StateMenu},
			{"key:1", []Action{aiDown, prompt, timer}, StateMenu},
			{"key:1", []Action{aiDown, transfer, Handoff{"general", "ivr_speech_unavailable"}}, StateHandoff}}},
		{"in AI only 0 counts", true, []step{start,
			{"key:1", []Action{aiSay, RouteAI{}}, StateAI},
			{"key:5", nil, StateAI},
			{"key:9", nil, StateAI},
			{"timeout", nil, StateAI},
			{"key:0", []Action{agentSay, Handoff{"general", "caller_request"}}, StateHandoff}}},
		{"events before start and after the end are ignored", true, []step{
			{"key:1", nil, StateGreeting},
			{"timeout", nil, StateGreeting},
			start,
			{"start", nil, StateMenu},
			{"key:0", []Action{agentSay, Handoff{"general", "caller_request"}}, StateHandoff},
			{"key:0", nil, StateHandoff},
			{"key:1", nil, StateHandoff},
			{"timeout", nil, StateHandoff}}},
		{"non-DTMF runes are ignored", true, []step{start,
			{"key:x", nil, StateMenu},
			{"key:１", nil, StateMenu},
			{"key:1", []Action{aiSay, RouteAI{}}, StateAI}}},
		{"DTMF A-D are invalid keys", true, []step{start,
			{"key:A", []Action{invalid, prompt, timer}, StateMenu}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run(t, NewMachine(DefaultMenu(), Options{SpeechAvailable: tc.speech}), tc.steps)
		})
	}
}

func TestMachineCustomMenu(t *testing.T) {
	m, err := LoadMenu(strings.NewReader(sampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	var (
		greet   = Play{Text: m.Greeting, Interruptible: true}
		notice  = Play{Text: m.Notice}
		prompt  = Play{Text: m.Prompt, Interruptible: true}
		timer   = StartTimer{After: 4 * time.Second}
		invalid = Play{Text: m.Invalid, Interruptible: true}
		start   = step{"start", []Action{greet, notice, prompt, timer}, StateMenu}
	)
	tests := []struct {
		name  string
		menu  func(Menu) Menu
		steps []step
	}{
		{"option with queue, reason and say", nil, []step{start,
			{"key:2", []Action{Play{Text: "好，幫你轉接信用卡部。"}, Handoff{"cards", "card_lost"}}, StateHandoff}}},
		{"handoff without say uses the transfer line", nil, []step{start,
			{"key:0", []Action{Play{Text: m.Transfer}, Handoff{"general", "caller_request"}}, StateHandoff}}},
		{"hangup option says goodbye", nil, []step{start,
			{"key:#", []Action{Play{Text: m.Goodbye}, Hangup{"caller_request"}}, StateEnded}}},
		{"one retry then hand off", nil, []step{start,
			{"key:5", []Action{invalid, prompt, timer}, StateMenu},
			{"key:5", []Action{invalid, Play{Text: m.Transfer}, Handoff{"general", "ivr_invalid"}}, StateHandoff}}},
		{"hang up after retries when configured", func(m Menu) Menu {
			m.OnMaxRetries = Option{Action: ActHangup, Say: "再見。"}
			return m
		}, []step{start,
			{"timeout", []Action{Play{Text: m.NoInputText, Interruptible: true}, prompt, timer}, StateMenu},
			{"timeout", []Action{Play{Text: m.NoInputText, Interruptible: true}, Play{Text: "再見。"}, Hangup{"ivr_no_input"}}, StateEnded}}},
		{"0 during AI uses the general queue when 0 is no handoff", func(m Menu) Menu {
			m.Options = map[string]Option{"1": {Action: ActAI}, "0": {Action: ActRepeat}}
			return m
		}, []step{start,
			{"key:1", []Action{RouteAI{}}, StateAI},
			{"key:0", []Action{Play{Text: m.Transfer}, Handoff{"general", "caller_request"}}, StateHandoff}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			menu := m
			if tc.menu != nil {
				menu = tc.menu(m)
			}
			run(t, NewMachine(menu, Options{SpeechAvailable: true}), tc.steps)
		})
	}
}

func TestStateString(t *testing.T) {
	want := map[State]string{StateGreeting: "greeting", StateMenu: "menu", StateAI: "ai",
		StateHandoff: "handoff", StateEnded: "ended", State(42): "state(42)"}
	for s, w := range want {
		if s.String() != w {
			t.Errorf("State(%d).String() = %q, want %q", int(s), s.String(), w)
		}
	}
}

func TestActionString(t *testing.T) {
	tests := []struct {
		a    Action
		want string
	}{
		{Play{Text: "你好", Interruptible: true}, `play("你好")`},
		{Play{Text: "錄音"}, `play!("錄音")`},
		{StartTimer{After: 6 * time.Second}, "timer(6s)"},
		{RouteAI{}, "route_ai"},
		{Handoff{"general", "caller_request"}, "handoff(general,caller_request)"},
		{Hangup{"caller_request"}, "hangup(caller_request)"},
	}
	for _, tc := range tests {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestTransitionsLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	m := NewMachine(DefaultMenu(), Options{SpeechAvailable: true, Log: log})
	m.Start()
	m.Digit('1')
	m.Digit('0')
	out := buf.String()
	for _, want := range []string{"from=greeting to=menu cause=start", "from=menu to=ai", `from=ai to=handoff cause="key 0 during ai"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func FuzzMachine(f *testing.F) {
	f.Add([]byte("1"), true)
	f.Add([]byte("55t5"), false)
	f.Add([]byte("t9t9tt"), true)
	f.Fuzz(func(t *testing.T, events []byte, speech bool) {
		m := NewMachine(DefaultMenu(), Options{SpeechAvailable: speech})
		m.Start()
		for _, e := range events {
			var acts []Action
			if e == 't' {
				acts = m.Timeout()
			} else {
				acts = m.Digit(rune(e))
			}
			final := m.State() == StateHandoff || m.State() == StateEnded
			for i, a := range acts {
				if _, ok := a.(Handoff); ok && (!final || i != len(acts)-1) {
					t.Fatalf("handoff not last or state %v: %v", m.State(), acts)
				}
			}
			if m.State() < StateMenu || m.State() > StateEnded {
				t.Fatalf("state %v after %q", m.State(), e)
			}
		}
	})
}
