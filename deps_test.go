// Package yuecall_test holds repository-wide checks.
package yuecall_test

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/yuecall/yuecall"

// allowed lists, for each package tree, the yuecall trees it may import
// (architecture.md: leaves never know each other; only call joins them).
var allowed = map[string][]string{
	"audio":     {},
	"internal":  {"internal"},
	"normalise": {},
	"redact":    {},
	"events":    {},
	"media":     {"audio", "media"},
	"asr":       {"audio", "asr", "normalise", "internal"},
	"tts":       {"audio", "tts", "normalise", "internal"},
	"dialog":    {"dialog", "normalise", "redact"},
	"ivr":       {"ivr", "audio"},
	"desk":      {"desk", "events", "redact"},
	"sim":       {"audio", "media", "sim"},
	"load":      {"audio", "media", "sim", "load"},
	"call":      {"audio", "media", "asr", "tts", "dialog", "ivr", "events", "normalise", "redact", "call"},
}

func TestDependencyRule(t *testing.T) {
	for tree, ok := range allowed {
		out, err := exec.Command("go", "list", "-deps", "./"+tree+"/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", tree, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if !strings.HasPrefix(dep, mod+"/") {
				if tree == "audio" && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
					t.Errorf("audio must import the standard library only, imports %s", dep)
				}
				continue
			}
			top := strings.SplitN(strings.TrimPrefix(dep, mod+"/"), "/", 2)[0]
			if top == tree {
				continue
			}
			if !contains(ok, top) {
				t.Errorf("%s imports %s: not allowed (may import %v)", tree, dep, ok)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
