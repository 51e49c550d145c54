package dialog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldMap is foldPairs as a map; read-only after package initialisation.
var foldMap = func() map[rune]rune {
	m := make(map[rune]rune, utf8.RuneCountInString(foldPairs)/2)
	rs := []rune(foldPairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()

// isParticle reports sentence-final particles and fillers, which carry tone
// but not intent: they are dropped before matching.
func isParticle(r rune) bool {
	switch r {
	case '呀', '啊', '啦', '喇', '喎', '囉', '嘛', '吖', '㗎', '噃', '喔', '啫', '咋', '嘞',
		'嗯', '誒', '哦', '唉':
		return true
	}
	return false
}

// foldRune maps full-width ASCII to ASCII, upper to lower case and every
// character of a fold family to its one form.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= '！' && r <= '～':
		return foldRune(r - '！' + '!')
	case r == '\u3000':
		return ' '
	}
	if t, ok := foldMap[r]; ok {
		return t
	}
	return r
}

func isASCIIWord(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

// symbol is one matching unit inside a compact string: a Han (or other
// letter) character, or an ASCII word. seg counts punctuation-separated
// segments so that bigrams do not span a comma.
type symbol struct {
	start, end int32
	seg        int32
}

// analysis is an utterance prepared for matching.
type analysis struct {
	compact string   // folded, particles and punctuation removed, one space between ASCII words
	syms    []symbol // units of compact
}

// analyze folds s into its compact form and splits that into symbols,
// reusing syms. Digit-only ASCII words are kept in compact but are not
// symbols: amounts say nothing about intent.
func analyze(s string, b *strings.Builder, syms []symbol) analysis {
	b.Reset()
	syms = syms[:0]
	var seg int32
	prevWord, space := false, false
	wordStart, wordDigits := -1, true
	endWord := func() {
		if wordStart >= 0 && !wordDigits {
			syms = append(syms, symbol{start: int32(wordStart), end: int32(b.Len()), seg: seg})
		}
		wordStart, wordDigits = -1, true
	}
	for _, r := range s {
		r = foldRune(r)
		switch {
		case isASCIIWord(r):
			if wordStart < 0 {
				if prevWord && space {
					b.WriteByte(' ')
				}
				wordStart = b.Len()
			}
			wordDigits = wordDigits && r <= '9'
			b.WriteRune(r)
			prevWord, space = true, false
		case unicode.IsSpace(r):
			endWord()
			space = true
		case isParticle(r):
			endWord()
		case unicode.IsLetter(r):
			endWord()
			start := b.Len()
			b.WriteRune(r)
			syms = append(syms, symbol{start: int32(start), end: int32(b.Len()), seg: seg})
			prevWord, space = false, false
		default: // punctuation, symbols, digits of other scripts
			endWord()
			seg++
			prevWord, space = false, false
		}
	}
	endWord()
	return analysis{compact: b.String(), syms: syms}
}

// compact returns the folded compact form of s (see analysis).
func compact(s string) string {
	var b strings.Builder
	return analyze(s, &b, nil).compact
}
