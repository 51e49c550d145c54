package dialog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// ErrInvalidEvalSet wraps every problem Evaluate finds in a labelled set.
var ErrInvalidEvalSet = errors.New("dialog: invalid labelled set")

// EvalNow is the "now" Evaluate resolves relative dates against, so that a
// labelled set can state the slots it expects (上個月 = 2026-10).
var EvalNow = time.Date(2026, time.November, 21, 10, 0, 0, 0, time.FixedZone("HKT", 8*3600))

// Clarified stands for "asked the caller to rephrase" where Report names a
// predicted intent.
const Clarified = "(clarify)"

// Report is the result of Evaluate: how the engine's Understand did on a
// labelled set.
type Report struct {
	Total, Correct int
	// Accuracy is Correct/Total. A prediction is the understood intent when
	// Understand acts on it (confidence at or above the threshold, or a
	// sensitive hand-off), else Clarified; it is correct when it equals the
	// label, and an out-of-scope utterance that is clarified is correct too.
	Accuracy   float64
	Threshold  float64
	Clarified  int           // utterances asked to rephrase
	Intents    []IntentScore // by intent name
	Confusions []Confusion   // wrong predictions, most frequent first
	// Handoff covers utterances whose label must reach a human (sensitive
	// intents and hand-off intents): a hit is Action "handoff".
	Handoff Recall
	// Answered counts utterances labelled sensitive that were answered
	// (answer, end) instead of handed off or clarified: sensitive false
	// negatives.
	Answered int
	Review   Recall // labels of review intents; a hit is Action "review"
	// Buckets is the calibration table: top-guess accuracy by confidence,
	// in tenths.
	Buckets []Bucket
	// Slots counts the expected slots of lines with a third column.
	Slots Recall
}

// IntentScore is one intent's precision and recall.
type IntentScore struct {
	Intent                      string
	Support, Predicted, Correct int
	Precision, Recall           float64
}

// Confusion is a label predicted as another intent (or Clarified).
type Confusion struct {
	Want, Got string
	Count     int
	Example   string
}

// Recall is hits out of a total, with the utterances missed.
type Recall struct {
	Total, Hit int
	Misses     []string
}

// Value returns Hit/Total, 1 when Total is 0.
func (r Recall) Value() float64 {
	if r.Total == 0 {
		return 1
	}
	return float64(r.Hit) / float64(r.Total)
}

// Bucket is one confidence range of the calibration table.
type Bucket struct {
	Lo, Hi     float64
	N, Correct int // utterances whose top guess fell here, and how many were right
}

// Accuracy returns Correct/N (0 for an empty bucket).
func (b Bucket) Accuracy() float64 {
	if b.N == 0 {
		return 0
	}
	return float64(b.Correct) / float64(b.N)
}

// EvalCase is one line of a labelled set.
type EvalCase struct {
	Line      int
	Intent    string
	Text      string
	WantSlots map[string]string // optional third column: key=value,key=value
}

// ReadEvalSet reads a labelled set: one "intent<TAB>utterance" per line,
// optionally "<TAB>slot=value,slot=value"; blank lines and lines starting
// with # are skipped. Every intent must exist in p.
func ReadEvalSet(p *Pack, r io.Reader) ([]EvalCase, error) {
	var out []EvalCase
	var pr problems
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("line %d", n)
		f := strings.Split(line, "\t")
		if len(f) < 2 || len(f) > 3 || strings.TrimSpace(f[1]) == "" {
			pr.add(where, "want intent<TAB>utterance[<TAB>slots]")
			continue
		}
		c := EvalCase{Line: n, Intent: strings.TrimSpace(f[0]), Text: f[1]}
		if _, ok := p.Intent(c.Intent); !ok {
			pr.add(where, "unknown intent %q", c.Intent)
			continue
		}
		if len(f) == 3 {
			c.WantSlots = map[string]string{}
			for _, kv := range strings.Split(f[2], ",") {
				k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
				if !ok || k == "" {
					pr.add(where, "slot %q: want name=value", kv)
					continue
				}
				c.WantSlots[k] = v
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEvalSet, err)
	}
	if len(pr) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidEvalSet, strings.Join(pr, "; "))
	}
	return out, nil
}

// Evaluate runs e.Understand over the labelled set read from r (see
// ReadEvalSet) and scores it.
func Evaluate(e *Engine, r io.Reader) (Report, error) {
	cases, err := ReadEvalSet(e.pack, r)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Total: len(cases), Threshold: e.threshold}
	for i := range 10 {
		rep.Buckets = append(rep.Buckets, Bucket{Lo: float64(i) / 10, Hi: float64(i+1) / 10})
	}
	support, predicted, correct := map[string]int{}, map[string]int{}, map[string]int{}
	confusions := map[[2]string]*Confusion{}
	for _, c := range cases {
		u := e.Understand(c.Text, EvalNow)
		pred := e.predicted(u)
		support[c.Intent]++
		in, _ := e.pack.Intent(c.Intent)
		ok := pred == c.Intent || (pred == Clarified && in.Action == Clarify)
		if ok {
			predicted[c.Intent]++ // a clarified out-of-scope label counts as predicted
		} else {
			predicted[pred]++
		}
		if ok {
			rep.Correct++
			correct[c.Intent]++
		} else {
			k := [2]string{c.Intent, pred}
			if confusions[k] == nil {
				confusions[k] = &Confusion{Want: c.Intent, Got: pred, Example: c.Text}
			}
			confusions[k].Count++
		}
		if pred == Clarified {
			rep.Clarified++
		}
		rep.score(in, c, u)
	}
	rep.Accuracy = ratio(rep.Correct, rep.Total)
	rep.Intents = intentScores(support, predicted, correct)
	for _, c := range confusions {
		rep.Confusions = append(rep.Confusions, *c)
	}
	slices.SortFunc(rep.Confusions, func(a, b Confusion) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Want+a.Got, b.Want+b.Got)
	})
	return rep, nil
}

// predicted is what the engine acts on: the intent, or Clarified.
func (e *Engine) predicted(u Understanding) string {
	if u.Intent == "" || (u.Confidence < e.threshold && u.Action != Handoff.String()) {
		return Clarified
	}
	return u.Intent
}

// score adds one utterance to the safety, calibration and slot tallies.
func (rep *Report) score(in Intent, c EvalCase, u Understanding) {
	if in.Sensitive || in.Action == Handoff {
		rep.Handoff.Total++
		if u.Action == Handoff.String() {
			rep.Handoff.Hit++
		} else {
			rep.Handoff.Misses = append(rep.Handoff.Misses, c.Text)
			if u.Action == Answer.String() || u.Action == End.String() {
				rep.Answered++
			}
		}
	}
	if in.Action == Review {
		rep.Review.Total++
		if u.Action == Review.String() {
			rep.Review.Hit++
		} else {
			rep.Review.Misses = append(rep.Review.Misses, c.Text)
		}
	}
	b := min(int(u.Confidence*10), 9)
	rep.Buckets[b].N++
	if u.Intent == c.Intent {
		rep.Buckets[b].Correct++
	}
	for k, v := range c.WantSlots {
		rep.Slots.Total++
		if u.Slots[k] == v {
			rep.Slots.Hit++
		} else {
			rep.Slots.Misses = append(rep.Slots.Misses, fmt.Sprintf("%s: %s=%q, want %q", c.Text, k, u.Slots[k], v))
		}
	}
}

func intentScores(support, predicted, correct map[string]int) []IntentScore {
	var out []IntentScore
	for name, n := range support {
		out = append(out, IntentScore{Intent: name, Support: n, Predicted: predicted[name], Correct: correct[name],
			Precision: ratio(correct[name], predicted[name]), Recall: ratio(correct[name], n)})
	}
	slices.SortFunc(out, func(a, b IntentScore) int { return strings.Compare(a.Intent, b.Intent) })
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Write prints the report as readable tables.
func (r Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "accuracy\t%.3f\t(%d/%d, threshold %.2f, %d clarified)\t\n", r.Accuracy, r.Correct, r.Total, r.Threshold, r.Clarified)
	fmt.Fprintf(tw, "hand-off recall\t%.3f\t(%d/%d, %d sensitive answered)\t\n", r.Handoff.Value(), r.Handoff.Hit, r.Handoff.Total, r.Answered)
	fmt.Fprintf(tw, "review recall\t%.3f\t(%d/%d)\t\n", r.Review.Value(), r.Review.Hit, r.Review.Total)
	if r.Slots.Total > 0 {
		fmt.Fprintf(tw, "slot accuracy\t%.3f\t(%d/%d)\t\n", r.Slots.Value(), r.Slots.Hit, r.Slots.Total)
	}
	fmt.Fprintf(tw, "\nintent\tsupport\tpredicted\tprecision\trecall\t\n")
	for _, s := range r.Intents {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t\n", s.Intent, s.Support, s.Predicted, s.Precision, s.Recall)
	}
	fmt.Fprintf(tw, "\nconfidence\tutterances\ttop-1 accuracy\t\n")
	for _, b := range r.Buckets {
		fmt.Fprintf(tw, "%.1f–%.1f\t%d\t%.2f\t\n", b.Lo, b.Hi, b.N, b.Accuracy())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Confusions) > 0 {
		fmt.Fprintf(w, "\nconfusions (label -> predicted ×count: example)\n")
	}
	for _, c := range r.Confusions {
		fmt.Fprintf(w, "  %s -> %s ×%d: %s\n", c.Want, c.Got, c.Count, c.Example)
	}
	for _, m := range r.Handoff.Misses {
		fmt.Fprintf(w, "  hand-off missed: %s\n", m)
	}
	for _, m := range r.Slots.Misses {
		fmt.Fprintf(w, "  slot missed: %s\n", m)
	}
	_, err := fmt.Fprint(w, "")
	return err
}
