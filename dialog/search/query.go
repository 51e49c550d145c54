package search

import (
	"slices"
	"strings"
)

// scratch is one query's working memory, pooled so that a query allocates
// only its result.
type scratch struct {
	tk       tokenizer
	terms    []term
	scores   []float64
	evidence []float64
	touched  []int32
	top      []int32
}

// Search returns up to k documents relevant to query, best first. A document
// is scored with BM25 (see Options) over the query's distinct terms, each
// scaled by its kind weight; it is returned only if its matched terms carry
// enough evidence (Options.MinEvidence), so that a query unrelated to every
// document returns nothing.
func (ix *Index) Search(query string, k int) []Hit {
	if k <= 0 || len(ix.docs) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	sc.terms = dedupe(sc.tk.terms(sc.terms[:0], query))
	if len(sc.evidence) < len(ix.docs) {
		sc.evidence = make([]float64, len(ix.docs))
	}
	sc.touched = sc.touched[:0]
	mass := 0.0 // the evidence a document matching every term would have
	for _, t := range sc.terms {
		mass += ix.accumulate(sc, t)
	}
	sc.top = sc.top[:0]
	for _, d := range sc.touched {
		if ix.relevant(sc.evidence[d], mass) {
			sc.top = append(sc.top, d)
		}
	}
	slices.SortFunc(sc.top, func(a, b int32) int {
		if sa, sb := sc.scores[a], sc.scores[b]; sa != sb {
			if sa > sb {
				return -1
			}
			return 1
		}
		return strings.Compare(ix.docs[a].id, ix.docs[b].id)
	})
	var hits []Hit
	if top := sc.top[:min(k, len(sc.top))]; len(top) > 0 {
		hits = make([]Hit, 0, len(top))
		for _, d := range top {
			doc := &ix.docs[d]
			hits = append(hits, Hit{ID: doc.id, Score: sc.scores[d], Snippet: ix.snippet(doc, sc.terms)})
		}
	}
	for _, d := range sc.touched {
		sc.scores[d], sc.evidence[d] = 0, 0
	}
	return hits
}

// relevant applies the relevance threshold to a document's evidence.
func (ix *Index) relevant(evidence, mass float64) bool {
	return evidence >= ix.opt.MinEvidence && evidence >= ix.opt.MinCoverage*mass
}

// accumulate adds t's BM25 contribution to every document that has it and
// returns the evidence t would give (a term no document has counts as one
// found in one document: the query asks for something the index lacks).
func (ix *Index) accumulate(sc *scratch, t term) float64 {
	ps := ix.postings[t.h]
	if len(ps) == 0 {
		if t.kind == kindChar {
			return 0
		}
		return t.weight
	}
	idf := ix.idf(len(ps))
	for _, p := range ps {
		if sc.scores[p.doc] == 0 && sc.evidence[p.doc] == 0 {
			sc.touched = append(sc.touched, p.doc)
		}
		tf := float64(p.tf)
		sc.scores[p.doc] += t.weight * idf * tf * (ix.opt.K1 + 1) / (tf + ix.docs[p.doc].norm)
		if t.kind != kindChar {
			sc.evidence[p.doc] += t.weight * idf / ix.idfOne
		}
	}
	if t.kind == kindChar {
		return 0
	}
	return t.weight * idf / ix.idfOne
}

// dedupe keeps the first occurrence of each term.
func dedupe(ts []term) []term {
	slices.SortStableFunc(ts, func(a, b term) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	})
	return slices.CompactFunc(ts, func(a, b term) bool { return a.h == b.h })
}

// snippet returns the sentence of doc with the most query weight.
func (ix *Index) snippet(doc *docInfo, ts []term) string {
	best, bestScore := -1, 0.0
	for i, s := range doc.sentences {
		score := 0.0
		for _, t := range ts {
			if _, ok := slices.BinarySearch(s.terms, t.h); ok {
				score += t.weight * ix.idf(len(ix.postings[t.h]))
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ""
	}
	s := doc.sentences[best]
	return strings.TrimSpace(doc.text[s.start:s.end])
}
