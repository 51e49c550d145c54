package jyutping

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Char returns the readings of one character, most common first, e.g.
// Char('我') = ["ngo5"] and Char('行') = ["haang4", "hang4", "hong4", …].
// A Simplified character without readings of its own has those of its
// Traditional form (Char('发') = Char('發')). It returns nil for a rune
// without readings. The slice is the caller's.
func Char(r rune) []string {
	t := load()
	rs := t.readings(r)
	if len(rs) == 0 {
		rs = t.readings(t.fold(r))
	}
	if len(rs) == 0 {
		return nil
	}
	return append([]string(nil), rs...)
}

// Syllables returns one reading per Han rune of s, in order: the reading
// the word table gives in context (銀行 → ngan4 hong4), else the character's
// most common reading. Simplified and full-width forms are folded first
// (see Fold). A run of ASCII letters and digits is one token, lower-cased
// ("ATM" → "atm"); punctuation, spaces and other symbols are dropped. A Han
// rune without any reading stands for itself, so that the result still has
// one token per Han rune.
func Syllables(s string) []string { return AppendSyllables(nil, s) }

// AppendSyllables appends the tokens of Syllables(s) to dst and returns the
// extended slice. It allocates nothing beyond growing dst unless s has an
// ASCII word with upper-case or full-width letters, or a Han rune without a
// reading. The appended strings must not be modified (they are shared).
func AppendSyllables(dst []string, s string) []string {
	t := load()
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		f := t.fold(r)
		switch {
		case isWordByte(f):
			var tok string
			tok, i = asciiWord(t, s, i)
			dst = append(dst, tok)
		case unicode.Is(unicode.Han, f):
			dst, i = t.appendHan(dst, s, i)
		default:
			i += n
		}
	}
	return dst
}

// Toneless strips the tone number of a syllable: "ngo5" → "ngo". Anything
// else (an ASCII word, a number) is returned unchanged.
func Toneless(syl string) string {
	n := len(syl)
	if n >= 2 && syl[n-1] >= '1' && syl[n-1] <= '6' && syl[n-2] >= 'a' && syl[n-2] <= 'z' {
		return syl[:n-1]
	}
	return syl
}

// Fold maps a full-width ASCII form to ASCII (Ａ → A, ＡＴＭ's letters,
// U+3000 to a space) and a Simplified character to the Traditional form
// whose readings it shares (发 → 發, 个 → 個; 了, 只 and 台, common in HK
// text, stay). Any other rune is returned unchanged. Matching code can fold
// both sides with it.
func Fold(r rune) rune { return load().fold(r) }

func (t *table) fold(r rune) rune {
	switch {
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	if f, ok := t.simp[r]; ok {
		return f
	}
	return r
}

func isWordByte(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// asciiWord returns the lower-cased run of ASCII letters and digits (after
// folding) that starts at s[i], and the index after it. The run is a
// substring of s when it needs no change.
func asciiWord(t *table, s string, i int) (string, int) {
	j, plain := i, true
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		f := t.fold(r)
		if !isWordByte(f) {
			break
		}
		plain = plain && r == f && !(r >= 'A' && r <= 'Z')
		j += n
	}
	if plain {
		return s[i:j], j
	}
	var b strings.Builder
	for _, r := range s[i:j] {
		f := t.fold(r)
		if f >= 'A' && f <= 'Z' {
			f += 'a' - 'A'
		}
		b.WriteByte(byte(f))
	}
	return b.String(), j
}

// appendHan appends the reading(s) of the Han rune at s[i] (a whole word's
// when the word table knows the text from there) and returns the index
// after what it read.
func (t *table) appendHan(dst []string, s string, i int) ([]string, int) {
	r, n := utf8.DecodeRuneInString(s[i:])
	f := t.fold(r)
	if idx, ok := t.index(f); ok && t.maxWord[idx] >= 2 {
		if syl, end := t.word(s, i, int(t.maxWord[idx])); syl != nil {
			return append(dst, syl...), end
		}
	}
	rs := t.readings(f)
	if len(rs) == 0 {
		rs = t.readings(r)
	}
	if len(rs) == 0 {
		return append(dst, s[i:i+n]), i + n
	}
	return append(dst, rs[0]), i + n
}

// word finds the longest word of at most max runes in the folded Han text
// starting at s[i]; it returns its readings and the index after it.
func (t *table) word(s string, i, max int) ([]string, int) {
	var buf [maxWordRunes * utf8.UTFMax]byte
	var blen, ends [maxWordRunes]int
	k, b := 0, 0
	for j := i; j < len(s) && k < max; k++ {
		r, n := utf8.DecodeRuneInString(s[j:])
		f := t.fold(r)
		if !unicode.Is(unicode.Han, f) {
			break
		}
		b += utf8.EncodeRune(buf[b:], f)
		j += n
		blen[k], ends[k] = b, j
	}
	for L := k; L >= 2; L-- {
		if syl, ok := t.words[string(buf[:blen[L-1]])]; ok {
			return syl, ends[L-1]
		}
	}
	return nil, i
}
