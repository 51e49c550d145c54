package normalise

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusFiles returns the samples in testdata plus the full shared corpora
// when the checkout has them.
func corpusFiles() []string {
	files := []string{"testdata/cv-zh-HK-sample.txt", "testdata/hkcancor-sample.txt"}
	for _, f := range []string{
		"../../shared/data/hkcancor-utterances.txt",
		"../../shared/data/cv-zh-HK-sentences.txt",
		"../../shared/data/cv-yue-sentences.txt",
	} {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	return files
}

// TestCorpusRobustness runs every corpus line through Text and Values: Text
// must be idempotent, Values' spans must be sound on both the raw line and
// its normalised form, and normalising must not change what Values finds in
// text that is already normalised.
func TestCorpusRobustness(t *testing.T) {
	for _, f := range corpusFiles() {
		lines := readLines(t, f)
		counts := map[Kind]int{}
		for i, l := range lines {
			if raceEnabled && i%5 != 0 {
				continue
			}
			out := Text(l)
			if again := Text(out); again != out {
				t.Errorf("%s: Text not idempotent: %q -> %q -> %q", f, l, out, again)
			}
			raw := Values(l)
			checkOffsets(t, l, raw)
			norm := raw
			if out != l {
				norm = Values(out)
				checkOffsets(t, out, norm)
			}
			for _, v := range norm {
				counts[v.Kind]++
			}
			if _, ok := ParseNumber(l); ok && len(raw) != 1 {
				t.Errorf("%s: ParseNumber accepted %q holding %d values", f, l, len(raw))
			}
		}
		t.Logf("%s: %d lines, values by kind %v", f, len(lines), counts)
		if len(lines) > 5000 && counts[Number] == 0 {
			t.Errorf("%s: no numbers found", f)
		}
	}
}

// TestCorpusPhonesAndIDs checks that the corpora, which hold no HKIDs and
// only a couple of phone numbers, do not produce spurious ones.
func TestCorpusPhonesAndIDs(t *testing.T) {
	var phones, ids []string
	for _, f := range corpusFiles() {
		for i, l := range readLines(t, f) {
			if raceEnabled && i%5 != 0 {
				continue
			}
			for _, v := range Values(Text(l)) {
				switch v.Kind {
				case Phone:
					phones = append(phones, v.Text)
				case HKID:
					ids = append(ids, v.Text)
				}
			}
		}
	}
	t.Logf("phones %q, HKIDs %q", phones, ids)
	if len(ids) > 0 {
		t.Errorf("spurious HKIDs %q", ids)
	}
	if len(phones) > 10 {
		t.Errorf("%d phone numbers found, want a handful: %q", len(phones), phones)
	}
}

func FuzzValues(f *testing.F) {
	for _, s := range []string{
		"", "三千五蚊", "兩萬三", "HK$3,500", "3千5", "九一二三 四五六七", "+852 9123 4567",
		"A一二三四五六括號三", "a123456(3)", "二點五厘", "百分之二點五", "五千幾蚊", "三個半",
		"五球半", "嚿水", "十蚊零五", "九成九", "幾百", "三點五萬", "一億萬", "零點", "+",
		"$", "HK$", "百分之", "1,000,000,000,000,000,000", "九九九九九九九九九九九九九九九九九九九九",
		"\xff三千", "三\xff千", "１２３４５６７８", "A123456(", "千零", "廿幾", "兩三毫子",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vs := Values(s)
		ParseNumber(s)
		for _, v := range vs {
			if v.Start < 0 || v.End > len(s) || v.Start >= v.End || s[v.Start:v.End] != v.Text {
				t.Fatalf("Values(%q): bad span %+v", s, v)
			}
			if v.Kind < Number || v.Kind > HKID {
				t.Fatalf("Values(%q): bad kind %d", s, v.Kind)
			}
		}
		if !utf8.ValidString(s) {
			return
		}
		checkOffsets(t, s, vs)
		out := Text(s)
		if again := Text(out); again != out {
			t.Fatalf("Text not idempotent: %q -> %q -> %q", s, out, again)
		}
		checkOffsets(t, out, Values(out))
	})
}

// corpusForBench loads HKCanCor, or the sample when the shared data is absent.
func corpusForBench(b *testing.B) ([]string, int) {
	path := "../../shared/data/hkcancor-utterances.txt"
	data, err := os.ReadFile(path)
	if err != nil {
		if data, err = os.ReadFile("testdata/hkcancor-sample.txt"); err != nil {
			b.Skip("no corpus")
		}
	}
	var lines []string
	n := 0
	for l := range strings.Lines(string(data)) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
			n += len(l)
		}
	}
	return lines, n
}

// BenchmarkTextHKCanCor normalises every HKCanCor utterance per iteration;
// MB/s is over the raw text, and lines/s is reported too.
func BenchmarkTextHKCanCor(b *testing.B) {
	lines, n := corpusForBench(b)
	dict()
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, l := range lines {
			Text(l)
		}
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkValuesHKCanCor runs Values over every HKCanCor utterance.
func BenchmarkValuesHKCanCor(b *testing.B) {
	lines, n := corpusForBench(b)
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, l := range lines {
			Values(l)
		}
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkValuesUtterance is one typical caller utterance with an amount.
func BenchmarkValuesUtterance(b *testing.B) {
	const utt = "我想轉三千五蚊去我太太個戶口，佢電話係九一二三四五六七"
	b.ReportAllocs()
	b.SetBytes(int64(len(utt)))
	for b.Loop() {
		Values(utt)
	}
}
