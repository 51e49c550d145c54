package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuecall/yuecall/dialog/jyutping"
)

// Kinds of term, each with its weight in scoring.
const (
	kindChar   = iota // one Han character (folded)
	kindBigram        // two adjacent Han characters
	kindJyutBi        // two adjacent toneless syllables: survives homophone errors
	kindWord          // an ASCII word or number, lower-cased
	numKinds
)

// kindWeight scales a term's BM25 contribution by kind: characters alone
// say little, bigrams most; a syllable bigram repeats its character bigram
// when the characters are right and stands in for it when a recogniser wrote
// a homophone.
var kindWeight = [numKinds]float64{kindChar: 0.2, kindBigram: 1, kindJyutBi: 0.6, kindWord: 1}

// tierFactor scales terms by how common they are in everyday Cantonese:
// index 0 is for terms that are not common; commonBigrams1 (the 300 most
// frequent bigrams), common characters and English function words get
// tierFactor[1], and so on.
var tierFactor = [4]float64{1, 0.15, 0.4, 0.7}

// term is one feature occurrence, identified by a 64-bit hash.
type term struct {
	h      uint64
	weight float64
	kind   uint8
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashByte(h uint64, c byte) uint64 { return (h ^ uint64(c)) * fnvPrime }

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = hashByte(h, s[i])
	}
	return h
}

func hashRune(h uint64, r rune) uint64 {
	for i := 0; i < 4; i++ {
		h = hashByte(h, byte(r>>(8*i)))
	}
	return h
}

func charHash(r rune) uint64      { return hashRune(hashByte(fnvOffset, kindChar), r) }
func bigramHash(a, b rune) uint64 { return hashRune(hashRune(hashByte(fnvOffset, kindBigram), a), b) }
func wordHash(w string) uint64    { return hashString(hashByte(fnvOffset, kindWord), w) }

func wordHashBytes(w []byte) uint64 {
	h := hashByte(fnvOffset, kindWord)
	for _, c := range w {
		h = hashByte(h, c)
	}
	return h
}
func jyutBiHash(a, b string) uint64 {
	return hashString(hashByte(hashString(hashByte(fnvOffset, kindJyutBi), a), ' '), b)
}

// common maps the hashes of common terms to their tier, 1 to 3 (see
// common_table.go).
type common map[uint64]uint8

func newCommon() common {
	c := common{}
	for i, list := range []string{commonBigrams1, commonBigrams2, commonBigrams3} {
		tier := uint8(i + 1)
		for _, bg := range strings.Fields(list) {
			rs := []rune(bg)
			c.set(bigramHash(rs[0], rs[1]), tier)
			if syl := jyutping.Syllables(bg); len(syl) == 2 {
				c.set(jyutBiHash(jyutping.Toneless(syl[0]), jyutping.Toneless(syl[1])), tier)
			}
		}
	}
	for _, ch := range strings.Fields(commonChars) {
		r, _ := utf8.DecodeRuneInString(ch)
		c.set(charHash(r), 1)
	}
	for _, w := range strings.Fields(commonEnglish) {
		c.set(wordHash(w), 1)
	}
	return c
}

// set keeps the commonest tier a term is in.
func (c common) set(h uint64, tier uint8) {
	if old, ok := c[h]; !ok || tier < old {
		c[h] = tier
	}
}

// commonEnglish are English function words, weighed down like common bigrams.
const commonEnglish = "a an and are can do does for how i in is it me my of on or please the to want what when where you your"

// tokenizer turns text into terms. Its buffers are reused: one tokenizer
// per goroutine.
type tokenizer struct {
	common   common
	glossary glossary
	runes    []rune
	syl      []string
	word     []byte
}

// terms appends the terms of s to dst. Han runs (with inner spaces) give
// characters, bigrams and syllable bigrams; punctuation ends a run.
func (tk *tokenizer) terms(dst []term, s string) []term {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		f := jyutping.Fold(r)
		switch {
		case isHan(f):
			j := hanRunEnd(s, i)
			dst = tk.hanTerms(dst, s[i:j])
			i = j
		case isWordRune(f):
			var w []byte
			w, i = tk.asciiWord(s, i)
			h := wordHashBytes(w)
			dst = tk.add(dst, h, kindWord)
			dst = append(dst, tk.glossary[h]...)
		default:
			i += n
		}
	}
	return dst
}

func (tk *tokenizer) add(dst []term, h uint64, kind uint8) []term {
	w := kindWeight[kind] * tierFactor[tk.common[h]]
	return append(dst, term{h: h, weight: w, kind: kind})
}

func isHan(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// hanRunEnd returns the end of the run of Han runes and inner spaces that
// starts at s[i].
func hanRunEnd(s string, i int) int {
	end := i
	for j := i; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		f := jyutping.Fold(r)
		if isHan(f) {
			end = j + n
		} else if !unicode.IsSpace(f) {
			break
		}
		j += n
	}
	return end
}

func (tk *tokenizer) hanTerms(dst []term, run string) []term {
	tk.runes = tk.runes[:0]
	for _, r := range run {
		if f := jyutping.Fold(r); isHan(f) {
			tk.runes = append(tk.runes, f)
		}
	}
	tk.syl = jyutping.AppendSyllables(tk.syl[:0], run)
	for k, r := range tk.runes {
		dst = tk.add(dst, charHash(r), kindChar)
		if k == 0 {
			continue
		}
		dst = tk.add(dst, bigramHash(tk.runes[k-1], r), kindBigram)
		if len(tk.syl) == len(tk.runes) {
			a, b := jyutping.Toneless(tk.syl[k-1]), jyutping.Toneless(tk.syl[k])
			dst = tk.add(dst, jyutBiHash(a, b), kindJyutBi)
		}
	}
	return dst
}

// asciiWord returns the lower-cased ASCII word at s[i] (in tk's buffer) and
// the index after it.
func (tk *tokenizer) asciiWord(s string, i int) ([]byte, int) {
	tk.word = tk.word[:0]
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		f := jyutping.Fold(r)
		if !isWordRune(f) {
			break
		}
		if f >= 'A' && f <= 'Z' {
			f += 'a' - 'A'
		}
		tk.word = append(tk.word, byte(f))
		i += n
	}
	return tk.word, i
}
