package normalise

import (
	"strings"
	"unicode/utf8"
)

// script is what a string's characters say about how it was written.
type script uint8

const (
	scriptNeutral     script = iota // no script-specific characters (我想, 系唔系)
	scriptSimplified                // Simplified-only characters and no Traditional-only ones
	scriptTraditional               // Traditional-only characters and no Simplified-only ones
	scriptMixed                     // both
)

// ToHK converts Simplified Chinese to Hong Kong Traditional Chinese the way
// OpenCC s2hk does (forward longest match over STPhrases, then STCharacters,
// then HKVariants), with the yuecall calibration in hk_tables.go. Text that is
// already Traditional comes back unchanged.
//
// The whole string is classified first: text with Traditional-only characters
// and no Simplified-only ones is returned as is; text with both has only its
// Simplified-only characters (and phrases containing them) converted; other
// text (Simplified, or no script-specific characters at all) is fully
// converted. Non-Han text passes through. ToHK is idempotent.
func ToHK(s string) string {
	t := dict()
	// Converting converted text again is normally a no-op (the output reads as
	// Traditional), but phrase boundaries can shift (克制面 -> 剋制面 -> 剋製麵),
	// so iterate to a fixed point; it is reached within two passes in practice.
	out := t.once(s)
	for range maxPasses - 1 {
		next := t.once(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

// maxPasses bounds the fixed-point iteration of ToHK.
const maxPasses = 4

// once is one s2hk pass over s.
func (t *tables) once(s string) string {
	switch t.classify(s) {
	case scriptTraditional:
		return s
	case scriptMixed:
		return t.convert(s, true)
	default:
		return t.convert(s, false)
	}
}

// classify reports the script of s.
func (t *tables) classify(s string) script {
	var seen uint8
	for _, r := range s {
		if r < 0x2E80 {
			continue
		}
		seen |= t.class[r]
		if seen == classSimp|classTrad {
			return scriptMixed
		}
	}
	switch seen {
	case classSimp:
		return scriptSimplified
	case classTrad:
		return scriptTraditional
	}
	return scriptNeutral
}

// convert runs the forward-longest-match conversion. In conservative mode
// (mixed text) only phrases containing a Simplified-only character and
// Simplified-only characters themselves are converted.
func (t *tables) convert(s string, conservative bool) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x2E80 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		if k, v, ok := t.matchPhrase(s[i:], r); ok && (!conservative || t.hasSimp(k)) {
			b.WriteString(v)
			i += len(k)
			continue
		}
		b.WriteRune(t.convertRune(r, conservative))
		i += size
	}
	return b.String()
}

// convertRune converts one character: Simplified to HK Traditional, and (in
// full mode) Traditional to its HK variant.
func (t *tables) convertRune(r rune, conservative bool) rune {
	if conservative && t.class[r] != classSimp {
		return r
	}
	if v, ok := t.chars[r]; ok {
		return v
	}
	if v, ok := t.hk[r]; ok && !conservative {
		return v
	}
	return r
}

// matchPhrase finds the longest phrase key that prefixes s (whose first rune
// is first). It does not allocate.
func (t *tables) matchPhrase(s string, first rune) (key, val string, ok bool) {
	limit := int(t.phraseMax[first])
	if limit < 2 {
		return "", "", false
	}
	var ends [maxPhraseRunes]int
	n, off := 0, 0
	for n < limit && off < len(s) {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
		ends[n] = off
		n++
	}
	for ; n >= 2; n-- {
		if v, found := t.phrases[s[:ends[n-1]]]; found {
			return s[:ends[n-1]], v, true
		}
	}
	return "", "", false
}

// hasSimp reports whether s holds a Simplified-only character.
func (t *tables) hasSimp(s string) bool {
	for _, r := range s {
		if t.class[r] == classSimp {
			return true
		}
	}
	return false
}
