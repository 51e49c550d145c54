package dialog

import (
	"log/slog"
	"sync"
)

// DefaultThreshold is the confidence below which the engine asks the caller
// to rephrase instead of acting on its best guess.
const DefaultThreshold = 0.5

// DefaultQueue takes callers the engine could not understand.
const DefaultQueue = "general"

// Options configure an Engine.
type Options struct {
	// Threshold in (0, 1]: classifications below it are treated as not
	// understood. 0 means DefaultThreshold.
	Threshold float64
	// Log receives one debug record per turn (text masked by redact); nil discards.
	Log *slog.Logger
}

// Engine answers callers from one Pack. It is immutable and safe for
// concurrent use by many Conversations.
type Engine struct {
	pack      *Pack
	threshold float64
	log       *slog.Logger
	rules     []rule
	idx       *index
	pool      sync.Pool // *scratch
}

// NewEngine compiles p's keywords and examples. p must come from LoadPack
// or BankPack.
func NewEngine(p *Pack, opt Options) *Engine {
	e := &Engine{pack: p, threshold: opt.Threshold, log: opt.Log}
	if e.threshold <= 0 || e.threshold > 1 {
		e.threshold = DefaultThreshold
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for i, in := range p.intents {
		for _, k := range in.Keywords {
			r, err := parseKeyword(k)
			if err != nil {
				continue // LoadPack has rejected it already
			}
			r.intent = i
			e.rules = append(e.rules, r)
		}
	}
	e.idx = buildIndex(p.intents)
	n := len(p.intents)
	e.pool.New = func() any {
		return &scratch{scores: make([]float32, int(e.idx.centroid0)+n), best: make([]float32, n), negated: make([]bool, n)}
	}
	return e
}

// Pack returns the engine's pack.
func (e *Engine) Pack() *Pack { return e.pack }

// Threshold returns the confidence threshold in use.
func (e *Engine) Threshold() float64 { return e.threshold }

// Classification is the NLU's verdict on one utterance.
type Classification struct {
	Intent     string  // best intent; "" when nothing matched at all
	Confidence float64 // in [0, 1]
	Method     string  // ByKeyword, BySimilarity or "" (nothing matched)
	Keyword    string  // the keyword that decided, for ByKeyword
	Empty      bool    // nothing to classify: silence, noise, fillers, punctuation
}

// Classify runs keyword rules, then similarity against the pack's examples.
// It ignores the threshold; Respond applies it.
func (e *Engine) Classify(text string) Classification {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	return e.classify(text, sc)
}

func (e *Engine) classify(text string, sc *scratch) Classification {
	a := analyze(text, &sc.b, sc.syms)
	sc.syms = a.syms
	if a.compact == "" {
		return Classification{Empty: true}
	}
	kw, kwConf, kwRule := e.keywords(a.compact, sc)
	e.idx.similarity(a, sc)
	best, second := -1, -1
	for i, s := range sc.best {
		switch {
		case best < 0 || s > sc.best[best]:
			best, second = i, best
		case second < 0 || s > sc.best[second]:
			second = i
		}
	}
	simConf := 0.0
	if best >= 0 {
		s2 := float32(0)
		if second >= 0 {
			s2 = sc.best[second]
		}
		simConf = calibrate(sc.best[best], s2)
	}
	if kw >= 0 {
		conf := kwConf
		if kw == best {
			conf = max(conf, simConf)
		}
		return Classification{Intent: e.pack.intents[kw].Name, Confidence: conf, Method: ByKeyword, Keyword: kwRule}
	}
	if best < 0 || sc.best[best] <= 0 {
		return Classification{}
	}
	return Classification{Intent: e.pack.intents[best].Name, Confidence: min(simConf, 1), Method: BySimilarity}
}

// keywords returns the winning intent of the keyword rules (-1 if none),
// its confidence and the rule, and marks negated intents in sc.negated.
func (e *Engine) keywords(c string, sc *scratch) (int, float64, string) {
	clear(sc.negated)
	best, tie := -1, false
	var bestRule *rule
	for i := range e.rules {
		r := &e.rules[i]
		hit, negated := r.match(c, e.pack.negators)
		if !hit {
			continue
		}
		if negated {
			sc.negated[r.intent] = true
			continue
		}
		if best < 0 {
			best, bestRule = r.intent, r
			continue
		}
		cmp := e.compareRules(r, bestRule)
		if cmp > 0 {
			best, bestRule, tie = r.intent, r, false
		} else if cmp == 0 && r.intent != best {
			tie = true
		}
	}
	if best < 0 {
		return -1, 0, ""
	}
	if tie {
		return best, ambiguousConf, bestRule.raw
	}
	return best, keywordConf, bestRule.raw
}

// compareRules ranks two hits: higher intent priority, then longer keyword.
// Equal rank keeps the earlier intent in the file.
func (e *Engine) compareRules(a, b *rule) int {
	pa, pb := e.pack.intents[a.intent].Priority, e.pack.intents[b.intent].Priority
	switch {
	case pa != pb:
		return pa - pb
	case a.runes != b.runes:
		return a.runes - b.runes
	}
	return 0
}
