package dialog

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuecall/yuecall/normalise"
)

// synonymSet rewrites code-mixed variants to the pack's canonical terms
// ("balance" -> 結餘) before matching, longest variant first.
type synonymSet struct {
	from, to []string // folded
}

func newSynonymSet(m map[string]string) synonymSet {
	var s synonymSet
	for f := range m {
		s.from = append(s.from, f)
	}
	slices.SortFunc(s.from, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, f := range s.from {
		s.to = append(s.to, m[f])
	}
	return s
}

// rewrite replaces every variant in the folded string s; ASCII edges of a
// variant must not touch other ASCII letters or digits ("card" is not in
// "cardiff").
func (ss *synonymSet) rewrite(s string) string {
	for i, f := range ss.from {
		if !strings.Contains(s, f) {
			continue
		}
		var b strings.Builder
		from := 0
		for {
			j := indexWord(s, f, from)
			if j < 0 {
				break
			}
			if insideCanonical(s, j, len(f), ss.to[i]) {
				b.WriteString(s[from : j+len(f)])
				from = j + len(f)
				continue
			}
			b.WriteString(s[from:j])
			b.WriteString(ss.to[i])
			from = j + len(f)
		}
		if b.Len() == 0 {
			continue
		}
		b.WriteString(s[from:])
		s = b.String()
	}
	return s
}

// insideCanonical reports whether the variant at s[j:j+n] lies inside an
// occurrence of its canonical term (結單 inside 月結單 stays as it is).
func insideCanonical(s string, j, n int, canon string) bool {
	if len(canon) <= n {
		return false
	}
	for k := max(0, j+n-len(canon)); k <= j; k++ {
		if strings.HasPrefix(s[k:], canon) {
			return true
		}
	}
	return false
}

// foldText folds every rune of s (case, full width, fold families) and
// collapses runs of white space to one space, keeping punctuation so that
// analyze still sees segment breaks.
func foldText(s string, b *strings.Builder) string {
	b.Reset()
	space := false
	for _, r := range s {
		r = foldRune(r)
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// prepare is the engine's view of an utterance: HK Traditional (ToHK),
// folded, code-mix synonyms rewritten, then analysed. It returns the HK
// Traditional text too.
func (e *Engine) prepare(text string, sc *scratch) (string, analysis) {
	hk := text
	if needsToHK(text) {
		hk = normalise.ToHK(text)
	}
	s := hk
	if len(e.syn.from) > 0 {
		s = e.syn.rewrite(foldText(hk, &sc.b))
	}
	a := analyze(s, &sc.b, sc.syms)
	sc.syms = a.syms
	return hk, a
}

// prepareCompact is prepare's compact form of a pack phrase.
func (e *Engine) prepareCompact(s string) string {
	var sc scratch
	_, a := e.prepare(s, &sc)
	return a.compact
}

// needsToHK reports whether s has any Han character that ToHK could
// change; pure ASCII and empty turns skip the dictionary.
func needsToHK(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x2E80 {
			return true
		}
		i += size
	}
	return false
}
