package ivr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultMenuValid(t *testing.T) {
	m := DefaultMenu()
	if err := m.Validate(); err != nil {
		t.Fatalf("DefaultMenu invalid: %v", err)
	}
	if m.Greeting != "你好，歡迎致電粵通銀行。" {
		t.Errorf("greeting = %q", m.Greeting)
	}
	if o := m.Options["0"]; o.Action != ActHandoff || o.Queue != "general" || o.Reason != "caller_request" {
		t.Errorf(`option "0" = %+v`, o)
	}
	if o := m.Options["1"]; o.Action != ActAI {
		t.Errorf(`option "1" = %+v`, o)
	}
	if o := m.Options["9"]; o.Action != ActRepeat {
		t.Errorf(`option "9" = %+v`, o)
	}
	if !strings.Contains(m.Prompt, "請按1") {
		t.Errorf("prompt %q does not offer key 1", m.Prompt)
	}
}

func TestValidate(t *testing.T) {
	base := func() Menu { return DefaultMenu() }
	tests := []struct {
		name   string
		edit   func(*Menu)
		substr string // "" means valid
	}{
		{"default", func(*Menu) {}, ""},
		{"zero numbers take defaults", func(m *Menu) { m.NoInput, m.MaxRetries = 0, 0 }, ""},
		{"unknown action", func(m *Menu) { m.Options["2"] = Option{Action: "transfer"} }, `options.2: unknown action "transfer"`},
		{"missing action", func(m *Menu) { m.Options["2"] = Option{Queue: "x"} }, "options.2: action missing"},
		{"handoff without queue", func(m *Menu) { m.Options["2"] = Option{Action: ActHandoff} }, "options.2: handoff needs a queue"},
		{"bad key", func(m *Menu) { m.Options["10"] = Option{Action: ActRepeat} }, `key "10"`},
		{"full-width key", func(m *Menu) { m.Options["１"] = Option{Action: ActRepeat} }, `key "１"`},
		{"no options", func(m *Menu) { m.Options = nil }, "options: none defined"},
		{"no prompt", func(m *Menu) { m.Prompt = " " }, "prompt: empty"},
		{"negative duration", func(m *Menu) { m.NoInput = -time.Second }, "no_input: -1s out of range"},
		{"long duration", func(m *Menu) { m.NoInput = 2 * time.Minute }, "no_input: 2m0s out of range"},
		{"negative retries", func(m *Menu) { m.MaxRetries = -1 }, "max_retries: -1 out of range"},
		{"exit to ai", func(m *Menu) { m.OnMaxRetries = Option{Action: ActAI} }, `on_max_retries: action "ai" not allowed`},
		{"exit handoff without queue", func(m *Menu) { m.OnMaxRetries = Option{Action: ActHandoff} }, "on_max_retries: handoff needs a queue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			err := m.Validate()
			if tc.substr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalidMenu) || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("err = %v, want ErrInvalidMenu containing %q", err, tc.substr)
			}
		})
	}
}

const sampleYAML = `
greeting: 你好，歡迎致電粵通銀行信用卡熱線。
notice: 為確保服務質素，你嘅通話可能會被錄音。
prompt: 報失信用卡，請按2；搵職員，請按0。
no_input: 4s
max_retries: 1
options:
  "2": {action: handoff, queue: cards, reason: card_lost, say: 好，幫你轉接信用卡部。}
  0: {action: handoff, queue: general}
  "#": {action: hangup}
`

func TestLoadMenu(t *testing.T) {
	m, err := LoadMenu(strings.NewReader(sampleYAML))
	if err != nil {
		t.Fatalf("LoadMenu: %v", err)
	}
	if m.NoInput != 4*time.Second || m.MaxRetries != 1 {
		t.Errorf("no_input %v, max_retries %d", m.NoInput, m.MaxRetries)
	}
	if o := m.Options["2"]; o.Queue != "cards" || o.Reason != "card_lost" {
		t.Errorf(`option "2" = %+v`, o)
	}
	if _, ok := m.Options["0"]; !ok {
		t.Errorf("unquoted key 0 not loaded: %v", m.Options)
	}
	if m.Invalid != DefaultMenu().Invalid || m.OnMaxRetries.Queue != "general" {
		t.Errorf("defaults not applied: invalid %q, on_max_retries %+v", m.Invalid, m.OnMaxRetries)
	}
}

func TestLoadMenuErrors(t *testing.T) {
	tests := []struct{ name, yaml, substr string }{
		{"empty", "", "empty document"},
		{"unknown key", sampleYAML + "colour: red\n", "field colour not found"},
		{"unknown option key", "prompt: p\noptions:\n  \"1\": {action: ai, queue_name: x}\n", "field queue_name not found"},
		{"duplicate key", "prompt: p\noptions:\n  \"1\": {action: ai}\n  \"1\": {action: repeat}\n", `mapping key "1" already defined`},
		{"duplicate key quoted and bare", "prompt: p\noptions:\n  1: {action: ai}\n  \"1\": {action: repeat}\n", `already defined`},
		{"bad duration", "prompt: p\nno_input: 6x\noptions:\n  \"1\": {action: ai}\n", "`6x` into time.Duration"},
		{"bare number duration", "prompt: p\nno_input: 6\noptions:\n  \"1\": {action: ai}\n", "`6` into time.Duration"},
		{"unknown action", "prompt: p\noptions:\n  \"1\": {action: agent}\n", `options.1: unknown action "agent"`},
		{"handoff without queue", "prompt: p\noptions:\n  \"0\": {action: handoff}\n", "options.0: handoff needs a queue"},
		{"not a mapping", "- 1\n- 2\n", "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadMenu(strings.NewReader(tc.yaml))
			if err == nil || !errors.Is(err, ErrInvalidMenu) || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("err = %v, want ErrInvalidMenu containing %q", err, tc.substr)
			}
		})
	}
}

func FuzzLoadMenu(f *testing.F) {
	f.Add(sampleYAML)
	f.Add("prompt: p\noptions:\n  \"1\": {action: ai}\n")
	f.Add("no_input: -5s\n")
	f.Add("options: {1: {action: handoff}}")
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := LoadMenu(strings.NewReader(doc))
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("LoadMenu accepted a menu that does not validate: %v", err)
		}
		mc := NewMachine(m, Options{SpeechAvailable: true})
		mc.Start()
		for _, d := range "19*#0" {
			mc.Digit(d)
			mc.Timeout()
		}
	})
}

func TestMenuTexts(t *testing.T) {
	texts := DefaultMenu().Texts()
	want := map[string]bool{"你好，歡迎致電粵通銀行。": false, "好，而家幫你接駁智能助理，請講出你嘅查詢。": false,
		"語音識別暫時未能使用，請用電話按鍵揀選。": false}
	seen := map[string]bool{}
	for _, s := range texts {
		if seen[s] {
			t.Errorf("duplicate %q", s)
		}
		seen[s] = true
		if _, ok := want[s]; ok {
			want[s] = true
		}
	}
	for s, ok := range want {
		if !ok {
			t.Errorf("Texts lacks %q", s)
		}
	}
}
