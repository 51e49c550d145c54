package dialog

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// negationReach is how many characters may stand between a negator and the
// keyword it negates: "唔使|幫我|轉人工".
const negationReach = 2

// rule is one compiled keyword.
type rule struct {
	intent int
	raw    string
	exact  bool     // "=A": the whole utterance
	parts  []string // "A…B": A, then later B (folded)
	runes  int      // total length of parts, ranks competing hits
	first  rune     // first rune of the first part: a quick reject
	// sounds are the parts as toneless Jyutping (" zyun zoeng "), set when
	// every part is two or more Han characters: a homophone still hits.
	sounds []string
}

// parseKeyword compiles "A", "A…B" (or "A...B") and "=A".
func parseKeyword(k string) (rule, error) { return parseKeywordWith(k, compact) }

// parseKeywordWith is parseKeyword with the engine's compact form (which
// also rewrites synonyms).
func parseKeywordWith(k string, compact func(string) string) (rule, error) {
	r := rule{raw: k}
	s := strings.TrimSpace(k)
	if rest, ok := strings.CutPrefix(s, "="); ok {
		r.exact, s = true, rest
	}
	s = strings.ReplaceAll(s, "...", "…")
	for _, part := range strings.Split(s, "…") {
		c := compact(part)
		if c == "" {
			return rule{}, errors.New("empty after folding (only punctuation or particles?)")
		}
		r.parts = append(r.parts, c)
		r.runes += utf8.RuneCountInString(c)
	}
	r.first, _ = utf8.DecodeRuneInString(r.parts[0])
	if r.exact && len(r.parts) > 1 {
		return rule{}, errors.New(`"=" and "…" cannot be combined`)
	}
	return r, nil
}

// match reports whether the rule matches the compact utterance c, and
// whether the hit is negated by a preceding negator.
func (r *rule) match(c string, negators []string) (hit, negated bool) {
	if r.exact {
		return c == r.parts[0], false
	}
	pos, first := 0, -1
	for _, p := range r.parts {
		j := indexWord(c, p, pos)
		if j < 0 {
			return false, false
		}
		if first < 0 {
			first = j
		}
		pos = j + len(p)
	}
	return true, negatedBefore(c[:first], negators)
}

// indexWord finds p in c at or after from; an ASCII word edge of p must not
// touch another ASCII letter or digit ("pin" is not in "shopping").
func indexWord(c, p string, from int) int {
	for from <= len(c) {
		j := strings.Index(c[from:], p)
		if j < 0 {
			return -1
		}
		j += from
		end := j + len(p)
		leftOK := !isASCIIWord(rune(p[0])) || j == 0 || !isASCIIWord(rune(c[j-1]))
		rightOK := !isASCIIWord(rune(p[len(p)-1])) || end == len(c) || !isASCIIWord(rune(c[end]))
		if leftOK && rightOK {
			return j
		}
		from = j + 1
	}
	return -1
}

// negatedBefore reports whether prefix ends with a negator followed by at
// most negationReach characters. A negator inside an A-not-A question
// (使唔使, 要唔要) does not negate.
func negatedBefore(prefix string, negators []string) bool {
	for _, n := range negators {
		keep := utf8.RuneCountInString(n) + negationReach
		start := len(prefix)
		for count := 0; start > 0 && count < keep; count++ {
			_, size := utf8.DecodeLastRuneInString(prefix[:start])
			start -= size
		}
		for from := start; from < len(prefix); {
			j := strings.Index(prefix[from:], n)
			if j < 0 {
				break
			}
			j += from
			if !isAnotA(prefix, j, n) {
				return true
			}
			from = j + len(n)
		}
	}
	return false
}

// isAnotA reports whether the negator n at s[j:] is the middle of an
// A-not-A question: the rune before it is the rune after its 唔.
func isAnotA(s string, j int, n string) bool {
	rest, ok := strings.CutPrefix(n, "唔")
	if !ok || j == 0 || rest == "" {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:j])
	after, _ := utf8.DecodeRuneInString(rest)
	return before == after
}

// matchSounds reports whether the rule's sounds occur in order in the
// utterance's syllables: syl is the toned form, a tab, the toneless form
// (utteranceSounds). Toned parts (with tone digits) match the first,
// toneless parts the second, each after the previous part.
func (r *rule) matchSounds(syl string) bool {
	if len(r.sounds) == 0 {
		return false
	}
	toned, toneless, _ := strings.Cut(syl, "\t")
	posToned, posToneless := 0, 0
	for _, p := range r.sounds {
		src, pos := toneless, &posToneless
		if strings.ContainsAny(p, "123456") {
			src, pos = toned, &posToned
		}
		j := strings.Index(src[*pos:], p)
		if j < 0 {
			return false
		}
		*pos += j + len(p) - 1 // the next part may share the separating space
	}
	return true
}
