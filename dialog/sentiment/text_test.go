package sentiment

import (
	"bufio"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTextScoreTable(t *testing.T) {
	for _, tc := range []struct {
		text     string
		min, max float64
		cues     []string // each must be among the cues
	}{
		{"", 0, 0, nil},
		{"你好，我想查下結餘", 0, 0, nil},
		{"有冇搞錯", 0.55, 0.65, []string{"有冇搞錯"}},
		{"有冇搞错", 0.55, 0.65, []string{"有冇搞錯"}},    // Simplified
		{"有 冇 搞 錯", 0.55, 0.65, []string{"有冇搞錯"}}, // spaced recogniser output
		{"有冇搞錯！！", 0.62, 0.7, nil},                // intensified
		{"我係唔係弱智", 0.6, 1, []string{"弱智"}},        // A-not-A is no negation
		{"如果我要投訴", 0, 0, nil},                     // hypothetical
		{"有冇搞錯，等咗成個鐘", 0.6, 1, []string{"有冇搞錯", "等咗成個鐘"}},
		{"等咗三個鐘", 0.45, 0.55, []string{"等咗三個鐘"}},
		{"叫你哋經理出嚟", 0.6, 1, []string{"叫你哋經理出嚟"}},
		{"屌你", 0.8, 1, []string{"屌"}},
		{"F**K", 0.8, 1, []string{"fxxk"}},
		{"ＷＴＦ", 0.6, 1, []string{"wtf"}},
		{"好useless", 0.4, 0.6, []string{"useless"}},
		{"唔係投訴", 0, 0, nil},
		{"我唔係想投訴", 0, 0, nil},
		{"投訴熱線幾號", 0, 0, nil},
		{"倒垃圾", 0, 0, nil},
		{"好鬼凍", 0, 0, nil},
		{"不嬲都係咁", 0, 0, nil},
		{"horse", 0, 0, nil},                      // no "hell"/"sue" inside words
		{"issue pursue", 0, 0, nil},               // "sue" only as a word
		{"等咗好耐，唔該", 0.25, 0.35, []string{"等咗好耐"}}, // politeness lowers
		{"垃圾，唔該", 0.45, 0.55, []string{"垃圾"}},     // but not insults
		{"屌，唔該", 0.8, 1, []string{"屌"}},           // but not profanity
		{"垃圾垃圾", 0.6, 0.8, []string{"垃圾"}},        // repetition counts less
	} {
		s, cues := TextScore(tc.text)
		if s < tc.min || s > tc.max || math.IsNaN(s) {
			t.Errorf("TextScore(%q) = %.3f %v, want [%g, %g]", tc.text, s, cues, tc.min, tc.max)
		}
		for _, c := range tc.cues {
			if !slices.Contains(cues, c) {
				t.Errorf("TextScore(%q) cues %v, want %q among them", tc.text, cues, c)
			}
		}
	}
}

// labelled is one line of testdata/anger.tsv.
type labelled struct {
	angry bool
	text  string
}

func readLabelled(t *testing.T) []labelled { return readLabelledFile(t, "testdata/anger.tsv") }

// readLabelledFile reads label<TAB>text lines, skipping blanks and # comments.
func readLabelledFile(t *testing.T, name string) []labelled {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []labelled
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok || (label != "angry" && label != "not") {
			t.Fatalf("%s:%d: bad line %q", name, n+1, line)
		}
		out = append(out, labelled{label == "angry", text})
	}
	return out
}

// TestLabelledSet measures precision and recall of Anger on text alone
// (a fresh Tracker per line, neutral prosody).
func TestLabelledSet(t *testing.T) {
	set := readLabelled(t)
	var tp, fp, fn, tn int
	for _, l := range set {
		r := NewTracker(DefaultConfig()).Observe(l.text, Prosody{})
		switch {
		case r.Anger && l.angry:
			tp++
		case r.Anger:
			fp++
			t.Logf("false positive %.2f %v\t%s", r.Score, r.Cues, l.text)
		case l.angry:
			fn++
			t.Logf("false negative %.2f %v\t%s", r.Score, r.Cues, l.text)
		default:
			tn++
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("labelled set: %d lines (%d angry); precision %.3f recall %.3f (tp %d fp %d fn %d tn %d)",
		len(set), tp+fn, precision, recall, tp, fp, fn, tn)
	if len(set) < 300 || tp+fn < 120 {
		t.Errorf("labelled set too small: %d lines, %d angry", len(set), tp+fn)
	}
	if precision < 0.9 || recall < 0.9 {
		t.Errorf("precision %.3f recall %.3f, want both ≥ 0.9", precision, recall)
	}
}

// hkcancor is the everyday-conversation corpus the false-alert test reads.
const hkcancor = "/work/shared/data/hkcancor-utterances.txt"

// TestHKCanCorFalseAlerts runs the text scorer over every utterance of
// HKCanCor (everyday conversation: nobody there is angry at a bank) and
// counts the lines flagged angry and the alerts when lines are fed as
// calls of 20 turns.
func TestHKCanCorFalseAlerts(t *testing.T) {
	f, err := os.Open(hkcancor)
	if err != nil {
		t.Skipf("HKCanCor utterances not available (%v): false-alert rate not measured", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			lines = append(lines, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flagged, alerts, calls := 0, 0, 0
	var tr *Tracker
	for i, line := range lines {
		if i%20 == 0 {
			tr, calls = NewTracker(DefaultConfig()), calls+1
		}
		r := tr.Observe(line, Prosody{})
		if r.Anger {
			flagged++
			t.Logf("flagged %.2f %v\t%s", r.Score, r.Cues, line)
		}
		if r.Alert {
			alerts++
		}
	}
	rate := float64(flagged) / float64(len(lines))
	t.Logf("HKCanCor: %d lines, %d flagged angry (%.3f%%); %d alerts in %d calls of 20 turns (%.2f%% of calls)",
		len(lines), flagged, 100*rate, alerts, calls, 100*float64(alerts)/float64(calls))
	if len(lines) < 10000 {
		t.Errorf("only %d lines read from %s", len(lines), hkcancor)
	}
	if rate > 0.01 {
		t.Errorf("false anger rate %.3f%%, want ≤ 1%%", 100*rate)
	}
	if alerts > calls/20 {
		t.Errorf("%d alerts in %d everyday conversations, want ≤ 5%%", alerts, calls)
	}
}

func FuzzTextScore(f *testing.F) {
	for _, s := range []string{"", "有冇搞錯！！", "叫你哋經理出嚟", "f**k", "唔係投訴", "\xff\xfe", "等咗*個鐘", "|||", "ｗｔｆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		score, cues := TextScore(s)
		if !(score >= 0 && score <= 1) {
			t.Fatalf("TextScore(%q) = %v", s, score)
		}
		if score == 0 && len(cues) > 0 && !strings.Contains(s, "唔該") {
			// Cues always raise the score unless politeness scaled it.
			for _, c := range cues {
				if c == "" {
					t.Fatalf("empty cue for %q", s)
				}
			}
		}
		tr := NewTracker(DefaultConfig())
		r := tr.Observe(s, Prosody{LevelDBFS: -20, PitchHz: 150, VoicedFrames: 50})
		if !(r.Score >= 0 && r.Score <= 1) || r.Alert && !r.Anger {
			t.Fatalf("Observe(%q) = %+v", s, r)
		}
	})
}

func TestSyllableRate(t *testing.T) {
	for _, tc := range []struct {
		text string
		d    time.Duration
		want float64
	}{
		{"我想查結餘", time.Second, 5},
		{"check下個balance", time.Second, 5},
		{"有冇搞錯", 0, 0},
		{"", time.Second, 0},
		{"123", 500 * time.Millisecond, 6},
	} {
		if got := SyllableRate(tc.text, tc.d); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("SyllableRate(%q, %v) = %g, want %g", tc.text, tc.d, got, tc.want)
		}
	}
}

// BenchmarkTextScore reports turns per second of the text scorer on a mix
// of calm and angry turns.
func BenchmarkTextScore(b *testing.B) {
	turns := []string{
		"你好，我想查下我張信用卡嘅結餘",
		"有冇搞錯啊！我已經等咗成個鐘喇，叫你哋經理出嚟",
		"我想 check 下個 balance 唔該",
		"你哋啲服务真系垃圾",
	}
	TextScore(turns[0])
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		TextScore(turns[i%len(turns)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// TestHoldoutSet reports precision and recall on turns written apart
// from the tuning set: anger_holdout.tsv was written after the lexicon's
// first version (and its misses then led to additions, so it is no longer
// clean), anger_holdout2.tsv after the second version (0.20 recall when
// first measured, then used to broaden the lexicon), anger_holdout3.tsv
// after the last change (clean: 0.07 recall). Precision must hold; the
// recall bars only guard against regression. On phrasing it has never
// seen the lexicon misses most anger: prosody can lift the near misses,
// not the turns without any cue.
func TestHoldoutSet(t *testing.T) {
	for _, tc := range []struct {
		name      string
		minRecall float64
	}{
		{"testdata/anger_holdout.tsv", 0.75},
		{"testdata/anger_holdout2.tsv", 0.35},
		{"testdata/anger_holdout3.tsv", 0.05},
	} {
		name := tc.name
		set := readLabelledFile(t, name)
		var tp, fp, fn int
		for _, l := range set {
			r := NewTracker(DefaultConfig()).Observe(l.text, Prosody{})
			switch {
			case r.Anger && l.angry:
				tp++
			case r.Anger:
				fp++
				t.Logf("false positive %.2f %v\t%s", r.Score, r.Cues, l.text)
			case l.angry:
				fn++
				t.Logf("false negative %.2f %v\t%s", r.Score, r.Cues, l.text)
			}
		}
		precision := float64(tp) / float64(max(tp+fp, 1))
		recall := float64(tp) / float64(max(tp+fn, 1))
		t.Logf("%s: %d lines (%d angry); precision %.3f recall %.3f", name, len(set), tp+fn, precision, recall)
		if precision < 0.9 || recall < tc.minRecall {
			t.Errorf("%s: precision %.3f recall %.3f, want ≥ 0.9 and ≥ %g", name, precision, recall, tc.minRecall)
		}
	}
}
