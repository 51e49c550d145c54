package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDialogConfigErrors(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"YUECALL_NLU_THRESHOLD": "1.5"}, "dialog.threshold 1.5"},
		{map[string]string{"YUECALL_REVIEW_TIMEOUT": "-1s"}, "dialog.review_timeout"},
		{map[string]string{"YUECALL_LLM_BASE_URL": "ftp://x"}, "dialog.llm.base_url"},
		{map[string]string{"YUECALL_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "dialog.llm.model is empty"},
		{map[string]string{"YUECALL_PACK": ""}, ""},
	}
	for _, c := range cases {
		_, err := LoadConfig("", envOf(c.env))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.env, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: error %v, want %q", c.env, err, c.want)
		}
	}
	if _, err := loadPack("nosuchpack"); err == nil || !strings.Contains(err.Error(), "bank, property") {
		t.Errorf("unknown pack: %v", err)
	}
	if _, err := loadPack("property"); err != nil {
		t.Errorf("property pack: %v", err)
	}
}

func TestNLUCommand(t *testing.T) {
	in := strings.NewReader("我張credit card唔見咗\n我想转账俾我老婆五千蚊\n有冇搞錯呀，等咗成個鐘，垃圾！\n我嘅身份證係A123456(3)\n")
	var out, errb bytes.Buffer
	if code := cmdNLU(t.Context(), nil, in, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var got []nluLine
	for _, l := range lines {
		var n nluLine
		if err := json.Unmarshal([]byte(l), &n); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, n)
	}
	if got[0].Intent != "card_lost" || got[0].Action != "answer" || got[0].Slots["card_type"] == "" {
		t.Errorf("line 1: %+v", got[0])
	}
	if got[1].Intent != "fund_transfer" || got[1].Action != "handoff" || got[1].Normalized != "我想轉賬俾我老婆五千蚊" || got[1].Slots["amount"] != "5000" {
		t.Errorf("line 2: %+v", got[1])
	}
	if !got[2].Anger || got[2].AngerScore < 0.6 {
		t.Errorf("line 3: %+v", got[2])
	}
	if strings.Contains(got[3].Masked, "123456") {
		t.Errorf("line 4 not masked: %+v", got[3])
	}
	var rep bytes.Buffer
	if code := cmdNLU(t.Context(), []string{"-pack", "bank", "test", "../../dialog/testdata/bank.tsv"}, nil, &rep, &errb); code != 0 {
		t.Fatalf("nlu test: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(rep.String(), "card_lost") {
		t.Errorf("report:\n%s", rep.String())
	}
	t.Logf("yuecall nlu test dialog/testdata/bank.tsv:\n%s", rep.String())
}
