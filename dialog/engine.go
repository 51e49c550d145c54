package dialog

import (
	"log/slog"
	"slices"
	"strings"
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
	// SensitiveThreshold in (0, Threshold]: a sensitive best guess at or
	// above it hands off in Understand even below Threshold. 0 means
	// DefaultSensitiveThreshold (capped at Threshold).
	SensitiveThreshold float64
	// Log receives one debug record per turn (text masked by redact); nil discards.
	Log *slog.Logger
}

// Engine answers callers from one Pack. It is immutable and safe for
// concurrent use by many Conversations.
type Engine struct {
	pack               *Pack
	threshold          float64
	sensitiveThreshold float64
	log                *slog.Logger
	rules              []rule
	idx                *index
	syn                synonymSet
	enums              []enumPhrase // pack slot values, longest first
	pool               sync.Pool    // *scratch
}

// NewEngine compiles p's keywords and examples. p must come from LoadPack
// or BankPack.
func NewEngine(p *Pack, opt Options) *Engine {
	e := &Engine{pack: p, threshold: opt.Threshold, log: opt.Log}
	if e.threshold <= 0 || e.threshold > 1 {
		e.threshold = DefaultThreshold
	}
	e.sensitiveThreshold = opt.SensitiveThreshold
	if e.sensitiveThreshold <= 0 || e.sensitiveThreshold > e.threshold {
		e.sensitiveThreshold = min(DefaultSensitiveThreshold, e.threshold)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.syn = newSynonymSet(p.synonyms)
	for i, in := range p.intents {
		for _, k := range in.Keywords {
			r, err := parseKeywordWith(k, e.prepareCompact)
			if err != nil {
				continue // LoadPack has rejected it already (or synonyms emptied it)
			}
			r.intent = i
			if !r.exact {
				r.sounds = partSounds(r.parts)
			}
			e.rules = append(e.rules, r)
		}
	}
	e.idx = buildIndex(p.intents, e.prepare)
	e.enums = compileEnums(p.slotTypes, e.prepareCompact)
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

// SensitiveThreshold returns the confidence from which a sensitive best
// guess hands off (see Options).
func (e *Engine) SensitiveThreshold() float64 { return e.sensitiveThreshold }

// Classification is the NLU's verdict on one utterance.
type Classification struct {
	Intent     string  // best intent; "" when nothing matched at all
	Confidence float64 // in [0, 1]
	Method     string  // ByKeyword, BySound, BySimilarity or "" (nothing matched)
	Keyword    string  // the keyword that decided, for ByKeyword
	Empty      bool    // nothing to classify: silence, noise, fillers, punctuation
}

// Classify runs keyword rules (by characters, then by sound), then
// similarity against the pack's examples.
// It ignores the threshold; Respond applies it.
func (e *Engine) Classify(text string) Classification {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	return e.classify(text, sc)
}

func (e *Engine) classify(text string, sc *scratch) Classification {
	_, a := e.prepare(text, sc)
	return e.classifyAnalysis(a, sc)
}

func (e *Engine) classifyAnalysis(a analysis, sc *scratch) Classification {
	if a.compact == "" {
		return Classification{Empty: true}
	}
	kw, kwConf, kwRule := e.keywords(a, sc)
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
		method := ByKeyword
		if kwConf == soundConf {
			method = BySound
		}
		return Classification{Intent: e.pack.intents[kw].Name, Confidence: conf, Method: method, Keyword: kwRule}
	}
	if best < 0 || sc.best[best] <= 0 {
		return Classification{}
	}
	return Classification{Intent: e.pack.intents[best].Name, Confidence: min(simConf, 1), Method: BySimilarity}
}

// keywords returns the winning intent of the keyword rules (-1 if none),
// its confidence and the rule, and marks negated intents in sc.negated.
func (e *Engine) keywords(a analysis, sc *scratch) (int, float64, string) {
	c := a.compact
	clear(sc.negated)
	sc.runes = sc.runes[:0]
	for _, r := range c {
		if !slices.Contains(sc.runes, r) {
			sc.runes = append(sc.runes, r)
		}
	}
	best, tie := -1, false
	var bestRule *rule
	for i := range e.rules {
		r := &e.rules[i]
		if !slices.Contains(sc.runes, r.first) {
			continue
		}
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
		return e.soundKeywords(a, sc)
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

// partSounds returns the sounds of every part, or nil unless every part
// has them.
func partSounds(parts []string) []string {
	var out []string
	for _, p := range parts {
		s := soundsOf(p)
		if s == "" {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// soundKeywords is the keyword pass by sound, run when no keyword matched
// by characters: the best rule whose Jyutping occurs in the utterance's, at
// soundConf. An utterance with a negator anywhere is left to similarity.
func (e *Engine) soundKeywords(a analysis, sc *scratch) (int, float64, string) {
	for _, n := range e.pack.negators {
		if strings.Contains(a.compact, n) {
			return -1, 0, ""
		}
	}
	sc.sounds, sc.syl = utteranceSounds(a, sc.sounds, sc.syl)
	syl := string(sc.sounds)
	best := -1
	var bestRule *rule
	for i := range e.rules {
		r := &e.rules[i]
		if !r.matchSounds(syl) {
			continue
		}
		if best < 0 || e.compareRules(r, bestRule) > 0 {
			best, bestRule = r.intent, r
		}
	}
	if best < 0 {
		return -1, 0, ""
	}
	return best, soundConf, bestRule.raw
}
