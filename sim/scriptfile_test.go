package sim

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParseScript(t *testing.T) {
	src := `
- wait_bot: true
- dtmf: "1"
- pause: 300ms
  say: 我想問下你哋分行幾點開門
- say: 信用卡唔見咗
  barge_in_after: 1s
- wav: /tmp/x.wav
  backchannel: true
  wait_hangup: true
`
	got, err := ParseScript([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{{WaitBot: true}, {DTMF: "1"}, {Pause: 300 * time.Millisecond, Say: "我想問下你哋分行幾點開門"},
		{Say: "信用卡唔見咗", BargeInAfter: time.Second}, {WAV: "/tmp/x.wav", Backchannel: true, WaitHangup: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	json := `[{"wait_bot": true}, {"say": "你好", "pause": "1s"}]`
	if got, err := ParseScript([]byte(json)); err != nil || len(got) != 2 || got[1].Pause != time.Second {
		t.Errorf("JSON script: %+v %v", got, err)
	}
	for name, bad := range map[string]string{
		"empty":        "",
		"unknown key":  "- wait_bott: true",
		"not a list":   "say: hi",
		"bad duration": "- pause: soon",
		"bad step":     "- dtmf: x",
		"pcm":          "- pcm: [1, 2]",
	} {
		if _, err := ParseScript([]byte(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	if err := (Config{Script: DefaultScript()}).Validate(); err != nil {
		t.Errorf("default script: %v", err)
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add("- wait_bot: true\n- dtmf: \"1\"\n- say: 你好\n  barge_in_after: 1s\n")
	f.Add(`[{"pause": "1s"}]`)
	f.Add("- &a {say: x}\n- *a\n")
	f.Fuzz(func(t *testing.T, s string) {
		steps, err := ParseScript([]byte(s))
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error without ErrConfig: %v", err)
			}
			return
		}
		if err := (Config{Script: steps}).Validate(); err != nil {
			t.Fatalf("parsed script does not validate: %v", err)
		}
	})
}
