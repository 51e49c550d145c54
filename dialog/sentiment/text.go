package sentiment

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuecall/yuecall/normalise"
)

// Score shaping for TextScore.
const (
	// maxBoost caps what intensifiers and exclamation marks add, as a
	// fraction of the distance left to 1.
	maxBoost = 0.3
	// bangBoost is what a run of two or more '!' (or "?!") adds; a single
	// '!' adds bangBoost/3.
	bangBoost = 0.15
	// addressBoost is what addressing the bank or its staff as a group
	// (你哋, 你班, your bank) adds to a turn with cues: complaints are aimed
	// at someone, everyday banter rarely at "you people".
	addressBoost = 0.2
	// politeFactor scales the score of a polite turn without profanity or
	// insults (唔該你用下腦啦 is not polite).
	politeFactor = 0.7
	// wildMax is how many characters a '*' in a pattern stands for at most.
	wildMax = 4
	// clauseBreak replaces punctuation in folded text; cues never span it.
	clauseBreak = '|'
)

// compiled is the lexicon ready for matching: patterns as runes, indexed
// by their first rune, longest first.
type compiled struct {
	pats    [][]rune
	byFirst map[rune][]int
	neg     [][]rune
}

var lex = compile()

func compile() *compiled {
	c := &compiled{byFirst: make(map[rune][]int)}
	for i, e := range lexicon {
		rs := []rune(e.pat)
		c.pats = append(c.pats, rs)
		c.byFirst[rs[0]] = append(c.byFirst[rs[0]], i)
	}
	for _, list := range c.byFirst {
		slices.SortStableFunc(list, func(a, b int) int {
			if d := len(c.pats[b]) - len(c.pats[a]); d != 0 {
				return d
			}
			return b2i(slices.Contains(c.pats[a], '*')) - b2i(slices.Contains(c.pats[b], '*'))
		})
	}
	for _, n := range negators {
		c.neg = append(c.neg, []rune(n))
	}
	return c
}

// TextScore rates how angry the words of one caller turn are, from 0
// (nothing angry) to 1, and returns the cues found (as written in the
// folded text, in order, without repeats). It accepts Traditional or
// Simplified Chinese, with or without punctuation, mixed with English.
//
// The first call loads the Simplified-to-Traditional tables of normalise
// (a few tens of milliseconds); call normalise.Preload at start-up to move
// that off the first caller's turn.
func TextScore(text string) (score float64, cues []string) {
	a := analyse(text)
	return a.score, a.cues
}

// analysis is the result of reading one turn.
type analysis struct {
	score     float64
	cues      []string
	complaint []string // complaint, insult and escalation cues, for repetition
	abuse     bool     // profanity or insults: politeness does not soften them
}

// analyse folds text and scores its cues.
func analyse(text string) analysis {
	rs, bangs := fold(text)
	var a analysis
	prod, boost, polite := 1.0, 0.0, false
	seen := map[string]int{}
	maxEnd := 0 // end of the last cue taken
	for i := 0; i < len(rs); i++ {
		if i < maxEnd {
			continue // one stretch of text is one cue
		}
		ei, end := lex.longest(rs, i)
		if ei < 0 {
			continue
		}
		maxEnd = end
		e := lexicon[ei]
		switch e.k {
		case kindVeto:
			continue
		case kindIntensifier:
			boost += e.w
			continue
		case kindPolite:
			polite = true
			continue
		case kindProfanity:
			a.abuse = true
		default:
			if lex.negated(rs, i) || hypothetical(rs, end) {
				continue
			}
			a.abuse = a.abuse || e.k == kindInsult
		}
		cue := string(rs[i:end])
		seen[cue]++
		// The same cue again in one turn counts less each time.
		prod *= 1 - e.w/float64(seen[cue])
		if seen[cue] == 1 {
			a.cues = append(a.cues, cue)
			if e.k != kindProfanity {
				a.complaint = append(a.complaint, cue)
			}
		}
	}
	a.score = shape(1-prod, boost, bangs, rs, polite && !a.abuse)
	return a
}

// shape turns the combined cue evidence s into the turn's score:
// intensifiers, exclamation marks and addressing the bank raise a turn
// that has cues; politeness lowers it.
func shape(s, boost float64, bangs int, rs []rune, polite bool) float64 {
	if s > 0 {
		boost += bangBoost * float64(bangs) / 3
		if addressed(rs) {
			boost += addressBoost
		}
		s += (1 - s) * min(boost, maxBoost)
	}
	if polite {
		s *= politeFactor
	}
	return min(max(s, 0), 1)
}

// addressees are the ways of addressing the bank or its staff as a group.
var addressees = [][]rune{
	[]rune("你哋"), []rune("你地"), []rune("你們"), []rune("你班"), []rune("你間"), []rune("你公司"),
	[]rune("you guys"), []rune("your bank"), []rune("your service"), []rune("your company"),
}

// addressed reports whether rs addresses the bank or its staff as a group.
func addressed(rs []rune) bool {
	for i := range rs {
		for _, a := range addressees {
			if len(rs)-i >= len(a) && slices.Equal(rs[i:i+len(a)], a) {
				return true
			}
		}
	}
	return false
}

// longest returns the lexicon entry with the longest match at rs[i] and
// where its match ends, or -1. Of equally long matches the literal pattern
// wins over one with a wildcard.
func (c *compiled) longest(rs []rune, i int) (int, int) {
	best, bestEnd := -1, 0
	for _, ei := range c.byFirst[rs[i]] {
		p := c.pats[ei]
		if isWord(p[0]) && i > 0 && isWord(rs[i-1]) {
			continue
		}
		end := match(rs, i, p)
		if end <= bestEnd || isWord(p[len(p)-1]) && end < len(rs) && isWord(rs[end]) {
			continue
		}
		best, bestEnd = ei, end
	}
	return best, bestEnd
}

// match reports where pattern p matches rs from i, or -1. A '*' in p
// stands for up to wildMax characters that are not a clause break,
// shortest first.
func match(rs []rune, i int, p []rune) int {
	for k, r := range p {
		if r == '*' {
			for n := 0; n <= wildMax && i+n <= len(rs); n++ {
				if n > 0 && rs[i+n-1] == clauseBreak {
					break
				}
				if end := match(rs, i+n, p[k+1:]); end >= 0 {
					return end
				}
			}
			return -1
		}
		if i >= len(rs) || rs[i] != r {
			return -1
		}
		i++
	}
	return i
}

// negated reports whether a negator ends at most negationGap characters
// before rs[start], within the same clause.
func (c *compiled) negated(rs []rune, start int) bool {
	for gap := 0; gap <= negationGap && start-gap >= 0; gap++ {
		p := start - gap
		if gap > 0 && rs[p] == clauseBreak {
			return false
		}
		for _, n := range c.neg {
			q := p - len(n)
			if q < 0 || !slices.Equal(rs[q:p], n) {
				continue
			}
			if isWord(n[0]) && q > 0 && isWord(rs[q-1]) {
				continue
			}
			if q > 0 && (len(n) > 1 && rs[q-1] == n[1] || n[0] == '冇' && rs[q-1] == '有') {
				continue // A-not-A question: 係唔係, 會唔會, 有冇
			}
			if rs[p] == '就' || p+1 < len(rs) && rs[p] == '我' && rs[p+1] == '就' {
				continue // 唔係(我)就…: "or else"
			}
			return true
		}
	}
	return false
}

// conditionals after a cue make it hypothetical (我要投訴嘅話…).
var conditionals = [][]rune{[]rune("嘅話"), []rune("的話"), []rune("先得"), []rune("點做"), []rune("係咪打")}

// hypothetical reports whether a conditional follows the cue ending at end.
func hypothetical(rs []rune, end int) bool {
	for _, c := range conditionals {
		if len(rs)-end >= len(c) && slices.Equal(rs[end:end+len(c)], c) {
			return true
		}
	}
	return false
}

// fold returns text as HK Traditional Chinese runes with ASCII folded to
// lower case, spaces kept only between ASCII words, and punctuation runs
// turned into one clauseBreak; bangs is 3 for each run of two or more '!'
// (or a "?!"), 1 for each single '!'.
func fold(text string) (rs []rune, bangs int) {
	if !utf8.ValidString(text) {
		text = string([]rune(text))
	}
	text = normalise.ToHK(text)
	rs = make([]rune, 0, len(text))
	space, run, q := false, 0, false
	flush := func() {
		switch {
		case run >= 2 || run == 1 && q:
			bangs += 3
		case run == 1:
			bangs++
		}
		run, q = 0, false
	}
	for _, r := range text {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0 // full-width ASCII
		}
		r = unicode.ToLower(r)
		switch {
		case r == '*' && len(rs) > 0 && isWord(rs[len(rs)-1]):
			r = 'x' // f**k
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' {
			run, q = run+b2i(r == '!'), q || r == '?'
			if len(rs) > 0 && rs[len(rs)-1] != clauseBreak {
				rs = append(rs, clauseBreak)
			}
			space = false
			continue
		}
		flush()
		if space && len(rs) > 0 && isWord(rs[len(rs)-1]) && isWord(r) {
			rs = append(rs, ' ')
		}
		space = false
		rs = append(rs, r)
	}
	flush()
	return rs, bangs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isWord reports whether r belongs to an ASCII word.
func isWord(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
}

// SyllableRate estimates speech rate in syllables per second from the
// recognised text of a turn and how long the caller spoke: one syllable per
// Chinese character or digit, 1.5 per English word. It returns 0 when
// speech is not positive.
func SyllableRate(text string, speech time.Duration) float64 {
	if speech <= 0 {
		return 0
	}
	syl, inWord := 0.0, false
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.IsDigit(r):
			syl++
			inWord = false
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			if !inWord {
				syl += 1.5
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return syl / speech.Seconds()
}
