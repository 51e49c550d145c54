package kbimport

import (
	"os"
	"testing"
)

func fuzzProblems() problems { return problems{file: "f", list: new([]Problem)} }

func checkArticles(t *testing.T, arts []article) {
	for _, a := range arts {
		if a.File != "f" || a.Line < 0 {
			t.Fatalf("bad article %+v", a)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, name := range []string{"testdata/good.csv", "testdata/bad.csv"} {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte("id,title\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) { checkArticles(t, parseCSV(data, fuzzProblems())) })
}

func FuzzMarkdown(f *testing.F) {
	for _, name := range []string{"testdata/articles.md", "testdata/one.md"} {
		b, _ := os.ReadFile(name)
		f.Add(string(b))
	}
	f.Add("---\nid: [\n---\n")
	f.Add("## {#}\n## x {#a-b}")
	f.Fuzz(func(t *testing.T, s string) { checkArticles(t, parseMarkdown(s, fuzzProblems())) })
}

func FuzzDocx(f *testing.F) {
	f.Add(makeDocx(f, []para{{"Heading1", "標題"}, {"", "內容"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) { checkArticles(t, parseDocx(data, fuzzProblems())) })
}

func FuzzPDF(f *testing.F) {
	b, _ := os.ReadFile("testdata/faq.pdf")
	f.Add(b)
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) { checkArticles(t, parsePDF(data, fuzzProblems())) })
}

func FuzzCMap(f *testing.F) {
	f.Add([]byte("/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <4E00> <0002> (A) endbfchar 1 beginbfrange <0003> <0005> [<0041> <0042>] endbfrange endcmap"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fd := &fontDec{chars: map[string]string{}}
		var ops []cmapToken
		for tok := range cmapTokens(data) {
			if tok.kind != tokKeyword {
				ops = append(ops, tok)
				continue
			}
			fd.apply(tok.text, ops)
			ops = ops[:0]
		}
		_ = fd.decode("\x00\x01\x00\x04\x00\x05\xff")
	})
}
