package dialog

import (
	"math"
	"slices"
	"strings"
)

// Feature weights: a bigram (two neighbouring symbols) says more about
// intent than a single Chinese character; an English word is a word.
const (
	weightBigram  = 1.0
	weightHan     = 0.5
	weightASCII   = 1.0
	bigramJoiner  = "\x1f"
	keywordConf   = 0.9  // confidence of a clear keyword hit
	ambiguousConf = 0.75 // two intents' keywords of equal priority and length
	// exampleShare weighs an intent's best single example against its
	// centroid: the centroid rewards vocabulary spread over many examples
	// and resists one short example matching a short unrelated utterance.
	exampleShare = 0.3
	simMidpoint  = 0.25 // raw score that maps to confidence 0.5
	simSlope     = 12.0
)

// Methods by which Classify decided.
const (
	ByKeyword    = "keyword"
	BySimilarity = "similarity"
)

// posting is one document's weight for a feature. Documents are the
// examples, then one centroid per intent.
type posting struct {
	doc int32
	w   float32
}

// index is a TF-IDF model of the pack's examples, inverted by feature.
type index struct {
	feat       map[string]int32
	post       [][]posting // by feature id
	idf        []float32   // by feature id
	exIntent   []int32     // intent of each example document
	centroid0  int32       // document id of intent 0's centroid; examples come first
	unknownIDF float32     // weight of a feature no example has
	nEx        int
}

// scratch holds per-call buffers; Engine pools them.
type scratch struct {
	b       strings.Builder
	syms    []symbol
	key     []byte
	syl     []string // Jyutping of one Han run
	sounds  []byte   // toneless Jyutping of the utterance, for soundKeywords
	runes   []rune   // distinct runes of the utterance, for keywords
	q       []qfeat
	scores  []float32
	best    []float32 // by intent
	negated []bool    // by intent
}

// qfeat is one feature of a query: id (-1 unknown) and base weight.
type qfeat struct {
	id int32
	w  float32
}

// forFeatures calls fn for every unigram and bigram of a, with its kind
// weight, then for the toneless Jyutping syllables of its Han runs.
func forFeatures(a analysis, sc *scratch, fn func(key []byte, w float32)) {
	sc.key = charFeatures(a, sc.key, fn)
	sc.key, sc.syl = sylFeatures(a, sc.key, sc.syl, fn)
}

// charFeatures calls fn for every character (or ASCII word) unigram and
// bigram of a.
func charFeatures(a analysis, key []byte, fn func(key []byte, w float32)) []byte {
	for i, s := range a.syms {
		tok := a.compact[s.start:s.end]
		w := float32(weightHan)
		if s.end-s.start > 0 && a.compact[s.start] < 0x80 {
			w = weightASCII
		}
		key = append(key[:0], tok...)
		fn(key, w)
		if i+1 < len(a.syms) && a.syms[i+1].seg == s.seg {
			n := a.syms[i+1]
			key = append(key[:0], tok...)
			key = append(key, bigramJoiner...)
			key = append(key, a.compact[n.start:n.end]...)
			fn(key, weightBigram)
		}
	}
	return key
}

// buildIndex learns every example of the pack's intents: one unit-length
// TF-IDF vector per example, and per intent the normalised sum of its
// examples' vectors (its centroid).
func buildIndex(intents []Intent, prep func(string, *scratch) (string, analysis)) *index {
	idx := &index{feat: map[string]int32{}}
	docs, df := idx.countFeatures(intents, prep)
	n := float64(len(docs))
	idx.idf = make([]float32, len(df))
	var sum float64
	for id, d := range df {
		idx.idf[id] = float32(math.Log((n+1)/float64(d+1)) + 1)
		sum += float64(idx.idf[id])
	}
	if len(df) > 0 {
		idx.unknownIDF = float32(sum / float64(len(df)))
	}
	idx.post = make([][]posting, len(df))
	centroids := make([]map[int32]float32, len(intents))
	for i := range centroids {
		centroids[i] = map[int32]float32{}
	}
	for ex, doc := range docs {
		for id, w := range doc {
			doc[id] = w * idx.idf[id]
		}
		unitLength(doc)
		idx.addPostings(int32(ex), doc)
		for id, w := range doc {
			centroids[idx.exIntent[ex]][id] += w
		}
	}
	idx.centroid0 = int32(len(docs))
	for in, c := range centroids {
		unitLength(c)
		idx.addPostings(idx.centroid0+int32(in), c)
	}
	return idx
}

// countFeatures returns each example's features (tf times kind weight) and
// each feature's document frequency, and fills idx.feat and idx.exIntent.
func (idx *index) countFeatures(intents []Intent, prep func(string, *scratch) (string, analysis)) ([]map[int32]float32, []int) {
	var (
		sc   scratch
		docs []map[int32]float32
		df   []int
	)
	for i, in := range intents {
		for _, ex := range in.Examples {
			_, a := prep(ex, &sc)
			doc := map[int32]float32{}
			forFeatures(a, &sc, func(k []byte, w float32) {
				id, ok := idx.feat[string(k)]
				if !ok {
					id = int32(len(df))
					idx.feat[string(k)] = id
					df = append(df, 0)
				}
				if _, seen := doc[id]; !seen {
					df[id]++
				}
				doc[id] += w
			})
			docs = append(docs, doc)
			idx.exIntent = append(idx.exIntent, int32(i))
		}
	}
	return docs, df
}

func unitLength(v map[int32]float32) {
	var norm float64
	for _, w := range v {
		norm += float64(w) * float64(w)
	}
	if norm == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(norm))
	for id := range v {
		v[id] *= inv
	}
}

// addPostings indexes vector v as document doc, in feature order so that
// scoring is deterministic.
func (idx *index) addPostings(doc int32, v map[int32]float32) {
	ids := make([]int32, 0, len(v))
	for id := range v {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		idx.post[id] = append(idx.post[id], posting{doc: doc, w: v[id]})
	}
}

// similarity fills sc.best with each intent's score against a: a blend of
// its best example's and its centroid's cosine (see exampleShare). Intents
// marked in sc.negated score 0.
func (idx *index) similarity(a analysis, sc *scratch) {
	norm := idx.score(a, sc)
	clear(sc.best)
	if norm == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(norm))
	for ex, s := range sc.scores[:idx.centroid0] {
		in := idx.exIntent[ex]
		sc.best[in] = max(sc.best[in], s*inv)
	}
	for in := range sc.best {
		if sc.negated[in] {
			sc.best[in] = 0
			continue
		}
		c := sc.scores[idx.centroid0+int32(in)] * inv
		sc.best[in] = exampleShare*sc.best[in] + (1-exampleShare)*c
	}
}

// score accumulates the dot product of a's features with every document in
// sc.scores and returns the squared norm of a's vector. A feature no example
// has still lengthens the query, so unrelated words lower every cosine.
func (idx *index) score(a analysis, sc *scratch) float64 {
	sc.q = sc.q[:0]
	forFeatures(a, sc, func(k []byte, w float32) {
		id, ok := idx.feat[string(k)]
		if !ok {
			id = -1
		}
		sc.q = append(sc.q, qfeat{id: id, w: w})
	})
	slices.SortFunc(sc.q, func(x, y qfeat) int { return int(x.id) - int(y.id) })
	clear(sc.scores)
	var norm float64
	for i := 0; i < len(sc.q); {
		f := sc.q[i]
		if f.id < 0 {
			w := float64(f.w * idx.unknownIDF)
			norm += w * w
			i++
			continue
		}
		tf := float32(0)
		for ; i < len(sc.q) && sc.q[i].id == f.id; i++ {
			tf += sc.q[i].w
		}
		w := tf * idx.idf[f.id]
		norm += float64(w * w)
		for _, p := range idx.post[f.id] {
			sc.scores[p.doc] += w * p.w
		}
	}
	return norm
}

// calibrate turns the best and runner-up intent scores into a confidence:
// the best score, discounted when the runner-up is close, through a
// logistic whose midpoint 0.5 sits at raw score simMidpoint. Midpoint and
// slope were chosen on the bank pack against held-out caller paraphrases and
// ~45,000 lines of unrelated Cantonese (HKCanCor, Common Voice).
func calibrate(best, second float32) float64 {
	if best <= 0 {
		return 0
	}
	r := float64(second / best)
	raw := float64(best) * (1 - 0.5*r*r)
	return 1 / (1 + math.Exp(-simSlope*(raw-simMidpoint)))
}
