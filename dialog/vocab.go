package dialog

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxVocabulary caps the hotword list: providers limit its size (FunASR's
// FST build slows down, DashScope vocabularies hold a few hundred items) and
// long lists dilute the boost.
const maxVocabulary = 200

// Vocabulary returns the words a recogniser should favour on this pack's
// hotline: the intents' keyword phrases and the knowledge articles' titles,
// in HK Traditional Chinese, 2–15 characters each (DashScope's limit for
// non-ASCII hotwords), most specific (longest) first, without duplicates.
func (p *Pack) Vocabulary() []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		w = strings.TrimSpace(strings.TrimPrefix(w, "="))
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 15 || seen[w] || !hasHan(w) {
			return
		}
		seen[w] = true
		out = append(out, w)
	}
	for _, in := range p.intents {
		for _, k := range in.Keywords {
			for _, part := range strings.Split(k, "…") {
				add(part)
			}
		}
	}
	for _, a := range p.Articles() {
		add(a.Title)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return utf8.RuneCountInString(out[i]) > utf8.RuneCountInString(out[j])
	})
	if len(out) > maxVocabulary {
		out = out[:maxVocabulary]
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
