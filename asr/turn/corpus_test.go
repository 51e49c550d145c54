package turn

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

const hkcancor = "../../../shared/data/hkcancor-utterances.txt"

// clauseBreaks are the punctuation marks HKCanCor uses inside a turn.
const clauseBreaks = ",.?!-\"，。？！、：；…"

func readCorpus(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestHKCanCorEarlyEnds measures the Final cue on real turns. Every HKCanCor
// line is one complete speaker turn, so:
//   - at the end of a line, Final is a win (the bot answers sooner) and Hold
//     a cost (it waits longer than needed);
//   - at a clause break inside a line (a comma, a dash), Final means a caller
//     pausing there for between Final and Base would now be cut off: the
//     line "would end early";
//   - inside a clause (not before a clause break nor inside a cluster of
//     particles such as 𡃉嚹), Final should be rare: a hesitation there is
//     not an end.
func TestHKCanCorEarlyEnds(t *testing.T) {
	lines := readCorpus(t, hkcancor)
	var endCues [3]int
	var breaks, breakFinal, earlyLines, mid, midFinal int
	for i, l := range lines {
		if raceEnabled && i%3 != 0 {
			continue
		}
		endCues[Classify(l)]++
		early := false
		for _, b := range clauseStarts(l) {
			breaks++
			if Classify(l[:b]) == CueFinal {
				breakFinal++
				early = true
			}
		}
		if early {
			earlyLines++
		}
		if i%4 != 0 || raceEnabled && i%20 != 0 { // a sample keeps the test fast
			continue
		}
		for j, r := range l {
			next, _ := utf8.DecodeRuneInString(l[j+utf8.RuneLen(r):])
			if j == 0 || strings.ContainsRune(clauseBreaks, r) || strings.ContainsRune(clauseBreaks, next) ||
				j+utf8.RuneLen(r) >= len(l) || strings.ContainsRune(finalParticles+"嘅咩未呢𠺢", next) {
				continue // not inside a clause (a particle cluster such as 㗎喎 ends one)
			}
			mid++
			if Classify(l[:j+utf8.RuneLen(r)]) == CueFinal {
				midFinal++
			}
		}
	}
	n := len(lines)
	if raceEnabled {
		n = (n + 2) / 3
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("HKCanCor: %d turns; at the end of a turn: final %d (%.1f%%), none %d, hold %d (%.1f%%)",
		n, endCues[CueFinal], pct(endCues[CueFinal], n), endCues[CueNone], endCues[CueHold], pct(endCues[CueHold], n))
	t.Logf("clause breaks inside turns: %d, final at %d (%.1f%%); turns that would end early: %d of %d (%.1f%%)",
		breaks, breakFinal, pct(breakFinal, breaks), earlyLines, n, pct(earlyLines, n))
	t.Logf("positions inside clauses (every 4th turn): %d, final at %d (%.2f%%)", mid, midFinal, pct(midFinal, mid))
	if pct(endCues[CueFinal], n) < 30 {
		t.Errorf("only %.1f%% of complete turns end on a final cue", pct(endCues[CueFinal], n))
	}
	if pct(endCues[CueHold], n) > 10 {
		t.Errorf("%.1f%% of complete turns end on a hold cue", pct(endCues[CueHold], n))
	}
	if pct(earlyLines, n) > 20 {
		t.Errorf("%.1f%% of turns would end early at a clause break", pct(earlyLines, n))
	}
	if pct(midFinal, mid) > 3 {
		t.Errorf("%.2f%% of positions inside clauses read as final", pct(midFinal, mid))
	}
}

// clauseStarts returns the byte offsets of the clause breaks inside l that
// have more words after them.
func clauseStarts(l string) []int {
	var out []int
	for j, r := range l {
		if !strings.ContainsRune(clauseBreaks, r) || j == 0 {
			continue
		}
		rest := strings.TrimLeftFunc(l[j:], func(r rune) bool { return strings.ContainsRune(clauseBreaks, r) || r == ' ' })
		if rest != "" {
			out = append(out, j)
		}
	}
	return out
}

// TestCorpusBackchannels checks IsBackchannel against real turns: short
// acknowledgements in HKCanCor (係啊, 嗯, 哦, and repetitions such as
// 係啊,係啊,係啊) are found; turns with more than four different characters
// never are.
func TestCorpusBackchannels(t *testing.T) {
	lines := readCorpus(t, hkcancor)
	var yes []string
	long := 0
	for _, l := range lines {
		if !IsBackchannel(l) {
			continue
		}
		yes = append(yes, l)
		distinct := map[rune]bool{}
		for _, r := range l {
			if !strings.ContainsRune(clauseBreaks+" ", r) {
				distinct[r] = true
			}
		}
		if len(distinct) > 4 {
			t.Errorf("backchannel %q has %d different characters", l, len(distinct))
			long++
		}
	}
	t.Logf("HKCanCor: %d of %d turns are backchannels, e.g. %q", len(yes), len(lines), yes[:min(len(yes), 20)])
	if len(yes) < 100 {
		t.Errorf("only %d backchannel turns found", len(yes))
	}
	if long > 0 {
		t.Errorf("%d long turns taken as backchannels", long)
	}
}
