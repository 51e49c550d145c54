package dialog

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// holdoutBar is the held-out accuracy below which TestEvaluateHoldout fails.
const holdoutBar = 0.8

func packEngine(t testing.TB, name string) *Engine {
	t.Helper()
	p, err := BuiltinPack(name)
	if err != nil {
		t.Fatalf("BuiltinPack(%q): %v", name, err)
	}
	return NewEngine(p, Options{})
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".tsv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEvaluate runs each pack's labelled set and holds the engine to its
// bar: accuracy at least 0.9, every utterance of a sensitive or hand-off
// intent handed off (never answered, never merely clarified), every review
// utterance sent for review, and the expected slots found.
func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		pack    string
		minSize int
	}{{"bank", 345}, {"property", 150}} {
		t.Run(tc.pack, func(t *testing.T) {
			e := packEngine(t, tc.pack)
			rep, err := Evaluate(e, bytes.NewReader(readTestdata(t, tc.pack)))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := rep.Write(&b); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s pack:\n%s", tc.pack, b.String())
			if rep.Total < tc.minSize {
				t.Errorf("labelled set has %d utterances, want at least %d", rep.Total, tc.minSize)
			}
			if rep.Accuracy < 0.9 {
				t.Errorf("accuracy %.3f < 0.9", rep.Accuracy)
			}
			if rep.Handoff.Value() < 1 || rep.Answered > 0 {
				t.Errorf("hand-off recall %.3f (%d answered): missed %q", rep.Handoff.Value(), rep.Answered, rep.Handoff.Misses)
			}
			if rep.Review.Value() < 1 {
				t.Errorf("review recall %.3f: missed %q", rep.Review.Value(), rep.Review.Misses)
			}
			if rep.Slots.Value() < 0.95 {
				t.Errorf("slot accuracy %.3f: %q", rep.Slots.Value(), rep.Slots.Misses)
			}
			for _, s := range rep.Intents {
				if s.Support < 6 {
					t.Errorf("intent %s has only %d labelled utterances", s.Intent, s.Support)
				}
				if s.Precision > 1 || s.Recall > 1 || s.Correct > s.Predicted {
					t.Errorf("intent %s: inconsistent score %+v", s.Intent, s)
				}
			}
		})
	}
}

// TestEvaluateHoldout reports the held-out sets, written after the packs'
// keywords were tuned on the main sets and never used to tune them. The
// bar is looser than TestEvaluate's: it guards against regressions, while
// the log gives the honest figure. First run: bank 91/105 (0.867), hand-off
// recall 26/30 with the 4 misses clarified, none answered; property 44/51
// (0.863), hand-off recall 6/9 with one deposit payment answered as a
// mortgage question, review recall 0/3. After the packs learnt common
// Mandarin wording (不見了, 多少 …): bank 93/105 (0.886).
func TestEvaluateHoldout(t *testing.T) {
	for _, name := range BuiltinPacks {
		t.Run(name, func(t *testing.T) {
			e := packEngine(t, name)
			rep, err := Evaluate(e, bytes.NewReader(readTestdata(t, name+"_holdout")))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := rep.Write(&b); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s held-out:\n%s", name, b.String())
			if rep.Accuracy < holdoutBar {
				t.Errorf("held-out accuracy %.3f < %.2f", rep.Accuracy, holdoutBar)
			}
		})
	}
}
