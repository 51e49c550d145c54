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
// hotline, in HK Traditional Chinese, 2–15 characters each (DashScope's
// limit for non-ASCII hotwords), without duplicates, most specific (longest)
// first. When there are more than maxVocabulary candidates, the pack's
// domain terms come first (synonym targets, slot values and their Chinese
// synonyms, knowledge article titles), then the keyword phrases that most
// examples use.
func (p *Pack) Vocabulary() []string {
	seen := map[string]bool{}
	var domain, phrases []string
	add := func(list *[]string, w string) {
		w = strings.TrimSpace(strings.TrimPrefix(w, "="))
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 15 || seen[w] || !hasHan(w) {
			return
		}
		seen[w] = true
		*list = append(*list, w)
	}
	for _, canon := range sortedKeys(p.synonyms) {
		add(&domain, p.synonyms[canon])
	}
	for _, t := range p.slotTypes {
		for _, v := range t.Values {
			add(&domain, v.Value)
			for _, syn := range v.Synonyms {
				add(&domain, syn)
			}
		}
	}
	for _, a := range p.Articles() {
		add(&domain, a.Title)
	}
	for _, in := range p.intents {
		for _, k := range in.Keywords {
			for _, part := range strings.Split(strings.ReplaceAll(k, "...", "…"), "…") {
				add(&phrases, part)
			}
		}
	}
	uses := p.exampleUses(phrases)
	sort.SliceStable(phrases, func(i, j int) bool { return uses[phrases[i]] > uses[phrases[j]] })
	out := append(domain, phrases...)
	if len(out) > maxVocabulary {
		out = out[:maxVocabulary]
	}
	sort.SliceStable(out, func(i, j int) bool {
		return utf8.RuneCountInString(out[i]) > utf8.RuneCountInString(out[j])
	})
	return out
}

// exampleUses counts how many of the pack's examples contain each phrase.
func (p *Pack) exampleUses(phrases []string) map[string]int {
	uses := make(map[string]int, len(phrases))
	for _, in := range p.intents {
		for _, ex := range in.Examples {
			for _, w := range phrases {
				if strings.Contains(ex, w) {
					uses[w]++
				}
			}
		}
	}
	return uses
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
