package turn

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if p.Base != 600*time.Millisecond || p.Final != 350*time.Millisecond ||
		p.Hold != 1200*time.Millisecond || p.Max != 20*time.Second {
		t.Errorf("DefaultPolicy() = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("default policy invalid: %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	ok := DefaultPolicy()
	tests := []struct {
		name string
		edit func(*Policy)
		want string // substring of the error, "" for valid
	}{
		{"default", func(*Policy) {}, ""},
		{"equal final and base", func(p *Policy) { p.Final = p.Base }, ""},
		{"zero base", func(p *Policy) { p.Base = 0 }, "base is 0s"},
		{"negative final", func(p *Policy) { p.Final = -time.Millisecond }, "final is -1ms"},
		{"zero hold", func(p *Policy) { p.Hold = 0 }, "hold is 0s"},
		{"zero max", func(p *Policy) { p.Max = 0 }, "max is 0s"},
		{"final above base", func(p *Policy) { p.Final = time.Second }, "final 1s is longer than base"},
		{"hold below base", func(p *Policy) { p.Hold = 500 * time.Millisecond }, "hold 500ms is shorter"},
		{"max below hold", func(p *Policy) { p.Max = time.Second }, "max 1s must exceed hold"},
	}
	for _, tt := range tests {
		p := ok
		tt.edit(&p)
		err := p.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrPolicy)):
			t.Errorf("%s: error %v, want one wrapping ErrPolicy containing %q", tt.name, err, tt.want)
		}
	}
}

func TestPolicyYAML(t *testing.T) {
	var p Policy
	in := "base: 700ms\nfinal: 300ms\nhold: 1.5s\nmax: 15s\n"
	if err := yaml.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	want := Policy{Base: 700 * time.Millisecond, Final: 300 * time.Millisecond, Hold: 1500 * time.Millisecond, Max: 15 * time.Second}
	if p != want {
		t.Errorf("yaml %q = %+v, want %+v", in, p, want)
	}
}

func TestEndSilence(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		partial string
		want    time.Duration
	}{
		{"", p.Base},
		{"我想查結餘", p.Base},
		{"我想查結餘呀", p.Final},
		{"我想查一查我張信用卡嘅結餘同埋", p.Hold},
		{"我電話係九一二三", p.Hold},
		{"我电话系九一二三四五六七", p.Base},
		{"你哋幾點關門？", p.Final},
		{"系咪要转人工啊", p.Final},
	}
	for _, tt := range tests {
		if got := p.EndSilence(tt.partial); got != tt.want {
			t.Errorf("EndSilence(%q) = %v, want %v (cue %v)", tt.partial, got, tt.want, Classify(tt.partial))
		}
	}
}

func TestEnded(t *testing.T) {
	p := DefaultPolicy()
	ms := time.Millisecond
	tests := []struct {
		partial         string
		silence, spoken time.Duration
		want            bool
	}{
		{"我想查結餘", 599 * ms, time.Second, false},
		{"我想查結餘", 600 * ms, time.Second, true},
		{"我想查結餘呀", 350 * ms, time.Second, true},
		{"我想查結餘呀", 349 * ms, time.Second, false},
		{"即係", 1199 * ms, time.Second, false},
		{"即係", 1200 * ms, time.Second, true},
		{"即係", 0, 20 * time.Second, true},
		{"", time.Hour, 0, false},
	}
	for _, tt := range tests {
		if got := p.Ended(tt.partial, tt.silence, tt.spoken); got != tt.want {
			t.Errorf("Ended(%q, %v, %v) = %v, want %v", tt.partial, tt.silence, tt.spoken, got, tt.want)
		}
	}
}

func TestCueString(t *testing.T) {
	for c, want := range map[Cue]string{CueNone: "none", CueFinal: "final", CueHold: "hold", 9: "invalid"} {
		if got := c.String(); got != want {
			t.Errorf("Cue(%d).String() = %q, want %q", c, got, want)
		}
	}
}
