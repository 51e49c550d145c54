package dialog

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// kbHit is one retrieved article.
type kbHit struct {
	ID    string
	Score float64
}

// kbIndex is a small BM25 index over character bigrams of the articles'
// folded titles and bodies.
type kbIndex struct {
	ids  []string
	tf   []map[string]int
	lens []int
	df   map[string]int
	avg  float64
}

func newKBIndex(arts []Article) *kbIndex {
	ix := &kbIndex{df: map[string]int{}}
	total := 0
	for _, a := range arts {
		grams := bigrams(a.Title + "。" + a.Title + "。" + a.Body)
		tf := map[string]int{}
		for _, g := range grams {
			tf[g]++
		}
		for g := range tf {
			ix.df[g]++
		}
		ix.ids, ix.tf, ix.lens = append(ix.ids, a.ID), append(ix.tf, tf), append(ix.lens, len(grams))
		total += len(grams)
	}
	if len(arts) > 0 {
		ix.avg = float64(total) / float64(len(arts))
	}
	return ix
}

func bigrams(s string) []string {
	var out []string
	for _, seg := range strings.FieldsFunc(compact(s), func(r rune) bool { return r == ' ' }) {
		rs := []rune(seg)
		for i := 0; i+1 < len(rs); i++ {
			out = append(out, string(rs[i:i+2]))
		}
		if len(rs) == 1 && utf8.RuneLen(rs[0]) > 1 {
			out = append(out, seg)
		}
	}
	return out
}

// Search returns the k best articles for q with a positive score.
func (ix *kbIndex) Search(q string, k int) []kbHit {
	const k1, b = 1.2, 0.75
	seen := map[string]bool{}
	var hits []kbHit
	scores := make([]float64, len(ix.ids))
	n := float64(len(ix.ids))
	for _, g := range bigrams(q) {
		if seen[g] || ix.df[g] == 0 {
			continue
		}
		seen[g] = true
		idf := math.Log(1 + (n-float64(ix.df[g])+0.5)/(float64(ix.df[g])+0.5))
		for i, tf := range ix.tf {
			if f := float64(tf[g]); f > 0 {
				scores[i] += idf * f * (k1 + 1) / (f + k1*(1-b+b*float64(ix.lens[i])/ix.avg))
			}
		}
	}
	for i, s := range scores {
		if s > 0 {
			hits = append(hits, kbHit{ID: ix.ids[i], Score: s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}
