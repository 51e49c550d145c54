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
}

// parseKeyword compiles "A", "A…B" (or "A...B") and "=A".
func parseKeyword(k string) (rule, error) {
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
// most negationReach characters.
func negatedBefore(prefix string, negators []string) bool {
	for _, n := range negators {
		window := prefix
		keep := utf8.RuneCountInString(n) + negationReach
		for i, count := len(prefix), 0; i > 0 && count < keep; count++ {
			_, size := utf8.DecodeLastRuneInString(prefix[:i])
			i -= size
			window = prefix[i:]
		}
		if strings.Contains(window, n) {
			return true
		}
	}
	return false
}
