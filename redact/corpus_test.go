package redact

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
)

// sharedData holds the project's public Cantonese corpora (see its README).
const sharedData = "/work/shared/data"

// readLines reads a corpus file from sharedData, skipping the test when it
// is absent (the corpora live outside the module and may not be checked out).
func readLines(tb testing.TB, name string) []string {
	tb.Helper()
	path := filepath.Join(sharedData, name)
	fh, err := os.Open(path)
	if err != nil {
		tb.Skipf("corpus %s not available (%v): it is shared data outside the module", path, err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	return lines
}

// TestCorpusFalsePositives runs Text over real spoken and written Cantonese
// (HKCanCor, Common Voice) where almost nothing is personal data, and bounds
// how many lines change. The known changes are phone numbers written in
// words (二五五九二二九七) and one count from one to ten in HKCanCor.
func TestCorpusFalsePositives(t *testing.T) {
	files := []struct {
		name       string
		maxChanged int
	}{
		{"hkcancor-utterances.txt", 1},
		{"cv-zh-HK-sentences.txt", 2},
		{"cv-yue-sentences.txt", 0},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			lines := readLines(t, f.name)
			changed := 0
			for _, l := range lines {
				if out := Text(l); out != l {
					changed++
					t.Logf("%q -> %q", l, out)
				}
			}
			t.Logf("%d of %d lines changed", changed, len(lines))
			if changed > f.maxChanged {
				t.Fatalf("%d of %d lines changed, want at most %d", changed, len(lines), f.maxChanged)
			}
		})
	}
}

// BenchmarkTextHKCanCor masks every HKCanCor utterance once per iteration:
// everyday speech, the common case where nothing is masked.
func BenchmarkTextHKCanCor(b *testing.B) {
	lines := readLines(b, "hkcancor-utterances.txt")
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, l := range lines {
			_ = Text(l)
		}
	}
}
