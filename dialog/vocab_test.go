package dialog

import (
	"testing"
	"unicode/utf8"
)

func TestVocabulary(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	v := p.Vocabulary()
	if len(v) < 20 || len(v) > maxVocabulary {
		t.Fatalf("vocabulary of %d words", len(v))
	}
	seen := map[string]bool{}
	for i, w := range v {
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 15 || !hasHan(w) {
			t.Errorf("word %q out of bounds", w)
		}
		if seen[w] {
			t.Errorf("duplicate %q", w)
		}
		seen[w] = true
		if i > 0 && utf8.RuneCountInString(v[i-1]) < n {
			t.Errorf("not longest first at %q", w)
		}
	}
	for _, want := range []string{"轉賬", "遺失信用卡或提款卡", "月結單"} {
		if !seen[want] {
			t.Errorf("vocabulary lacks %q: %v", want, v)
		}
	}
}
