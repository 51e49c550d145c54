package redact

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
)

// sharedData holds the project's public Cantonese corpora (see its README).
const sharedData = "/work/shared/data"

// TestCorpusFalsePositives runs Text over real spoken and written Cantonese
// (HKCanCor, Common Voice) where almost nothing is personal data, and bounds
// how many lines change. The known changes are phone numbers written in
// words (二五五九二二九七) and one count from one to ten.
func TestCorpusFalsePositives(t *testing.T) {
	files := []struct {
		name       string
		maxChanged int
	}{
		{"hkcancor-utterances.txt", 2},
		{"cv-zh-HK-sentences.txt", 4},
		{"cv-yue-sentences.txt", 2},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			fh, err := os.Open(filepath.Join(sharedData, f.name))
			if err != nil {
				t.Skipf("corpus not available: %v", err)
			}
			defer fh.Close()
			sc := bufio.NewScanner(fh)
			lines, changed := 0, 0
			for sc.Scan() {
				lines++
				if out := Text(sc.Text()); out != sc.Text() {
					changed++
					t.Logf("%q -> %q", sc.Text(), out)
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if changed > f.maxChanged {
				t.Fatalf("%d of %d lines changed, want at most %d", changed, lines, f.maxChanged)
			}
		})
	}
}
