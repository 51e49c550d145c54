package search

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// Doc is one article to index.
type Doc struct {
	ID    string
	Title string
	Text  string
}

// Hit is one search result.
type Hit struct {
	ID      string
	Score   float64 // BM25 score (see Index), higher is better
	Snippet string  // the document's sentence that best matches the query
}

// Options tune scoring; the zero value of a field means its default.
type Options struct {
	K1 float64 // term-frequency saturation (default 1.2)
	B  float64 // document-length normalisation, 0…1 (default 0.75)
	// MinEvidence is the relevance threshold: the weighted share of matched
	// non-character query terms a document needs, each counted as
	// kind weight × idf ÷ (idf of a term found in one document). One
	// distinctive bigram with its syllable bigram gives 1.6. Default 1.15.
	MinEvidence float64
	// MinCoverage is the share of the query's own evidence (what a document
	// matching all its non-character terms would get) that a document must
	// match, so that a long unrelated sentence sharing a word or two with
	// an article does not retrieve it. Default 0.2.
	MinCoverage float64
}

const (
	defaultK1          = 1.2
	defaultB           = 0.75
	defaultMinEvidence = 1.15
	defaultMinCoverage = 0.2
	titleRepeat        = 2 // the title counts as if written this many times
)

// Index is an immutable BM25 index; Search is safe for concurrent use.
type Index struct {
	opt      Options
	docs     []docInfo
	postings map[uint64][]posting
	idfOne   float64 // idf of a term found in one document
	avgLen   float64
	common   common
	glossary glossary
	scratch  sync.Pool // *scratch
}

type docInfo struct {
	id, text  string
	norm      float64 // k1·(1 − b + b·len/avgLen)
	sentences []sentence
}

// sentence is a span of the document's text and its sorted term hashes.
type sentence struct {
	start, end int
	terms      []uint64
}

type posting struct {
	doc int32
	tf  float32
}

// New indexes docs with the default Options.
func New(docs []Doc) *Index { return NewWithOptions(docs, Options{}) }

// NewWithOptions indexes docs.
func NewWithOptions(docs []Doc, opt Options) *Index {
	if opt.K1 <= 0 {
		opt.K1 = defaultK1
	}
	if opt.B <= 0 || opt.B > 1 {
		opt.B = defaultB
	}
	if opt.MinEvidence <= 0 {
		opt.MinEvidence = defaultMinEvidence
	}
	if opt.MinCoverage <= 0 {
		opt.MinCoverage = defaultMinCoverage
	}
	ix := &Index{opt: opt, postings: map[uint64][]posting{}, common: newCommon()}
	ix.glossary = newGlossary(ix.common)
	tk := &tokenizer{common: ix.common, glossary: ix.glossary}
	lengths := make([]float64, len(docs))
	total := 0.0
	for i, d := range docs {
		tf := map[uint64]float32{}
		var ts []term
		for range titleRepeat {
			ts = tk.terms(ts, d.Title)
		}
		ts = tk.terms(ts, d.Text)
		for _, t := range ts {
			tf[t.h]++
		}
		for h, n := range tf {
			ix.postings[h] = append(ix.postings[h], posting{doc: int32(i), tf: n})
		}
		lengths[i] = float64(len(ts))
		total += lengths[i]
		ix.docs = append(ix.docs, docInfo{id: d.ID, text: d.Text, sentences: splitSentences(tk, d.Text)})
	}
	if len(docs) > 0 {
		ix.avgLen = max(total/float64(len(docs)), 1)
	}
	for i := range ix.docs {
		ix.docs[i].norm = opt.K1 * (1 - opt.B + opt.B*lengths[i]/ix.avgLen)
	}
	ix.idfOne = ix.idf(1)
	ix.scratch.New = func() any {
		return &scratch{tk: tokenizer{common: ix.common, glossary: ix.glossary}, scores: make([]float64, len(docs))}
	}
	return ix
}

// idf is BM25's inverse document frequency for a term in n documents:
// ln(1 + (N − n + 0.5)/(n + 0.5)), always positive.
func (ix *Index) idf(n int) float64 {
	N := float64(len(ix.docs))
	return math.Log(1 + (N-float64(n)+0.5)/(float64(n)+0.5))
}

// Len returns the number of indexed documents.
func (ix *Index) Len() int { return len(ix.docs) }

// splitSentences cuts text at sentence-ending punctuation and line ends.
func splitSentences(tk *tokenizer, text string) []sentence {
	var out []sentence
	start := 0
	flush := func(end int) {
		if strings.TrimSpace(text[start:end]) != "" {
			var hs []uint64
			for _, t := range tk.terms(nil, text[start:end]) {
				hs = append(hs, t.h)
			}
			slices.Sort(hs)
			out = append(out, sentence{start: start, end: end, terms: slices.Compact(hs)})
		}
		start = end
	}
	for i, r := range text {
		if strings.ContainsRune("。！？；!?;\n", r) {
			flush(i + len(string(r)))
		}
	}
	flush(len(text))
	return out
}
