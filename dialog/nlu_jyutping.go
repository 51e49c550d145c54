package dialog

import (
	"iter"
	"unicode"

	"github.com/yuecall/yuecall/dialog/jyutping"
)

// Jyutping feature weights: sounds back up characters. A recogniser that
// writes a homophone (結於 for 結餘, 專賬 for 轉賬) loses the character
// features of that word but keeps its toneless syllables.
const (
	weightSyl       = 0.25
	weightSylBigram = 0.6
	sylPrefix       = "\x1e"
)

// sylFeatures calls fn for the toneless Jyutping unigrams and bigrams of
// every run of Han characters in a (runs end at punctuation and ASCII
// words), reading each run in context (銀行 is ngan hong, 行 alone haang).
func sylFeatures(a analysis, key []byte, syl []string, fn func(key []byte, w float32)) ([]byte, []string) {
	for run := range hanRuns(a) {
		syl = jyutping.AppendSyllables(syl[:0], run)
		for k, s := range syl {
			s = jyutping.Toneless(s)
			key = append(append(key[:0], sylPrefix...), s...)
			fn(key, weightSyl)
			if k+1 < len(syl) {
				key = append(append(key, bigramJoiner...), jyutping.Toneless(syl[k+1])...)
				fn(key, weightSylBigram)
			}
		}
	}
	return key, syl
}

// hanRuns yields each run of Han characters of a's compact text: runs end
// at punctuation, segment breaks and ASCII words.
func hanRuns(a analysis) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(a.syms); {
			if !isHanSym(a, i) {
				i++
				continue
			}
			j := i + 1
			for j < len(a.syms) && isHanSym(a, j) && a.syms[j].seg == a.syms[i].seg && a.syms[j].start == a.syms[j-1].end {
				j++
			}
			if !yield(a.compact[a.syms[i].start:a.syms[j-1].end]) {
				return
			}
			i = j
		}
	}
}

func isHanSym(a analysis, i int) bool { return a.compact[a.syms[i].start] >= 0x80 }

// soundConf is the confidence of a keyword that only matched by sound.
const soundConf = 0.8

// BySound is the Classification method of a keyword matched by its
// Jyutping only (a recogniser's homophone: 專賬 for 轉賬).
const BySound = "sound"

// soundsOf returns the Jyutping of a compact phrase of two or more Han
// characters, padded with spaces: with tones for two characters
// (" zyun3 zoeng3 ": toneless pairs collide too often, 的士 and 的時),
// toneless for longer phrases (" jap sau mat maa "); "" for anything else.
func soundsOf(c string) string {
	n := 0
	for _, r := range c {
		if r < 0x80 || !isHanRune(r) {
			return ""
		}
		n++
	}
	if n < 2 {
		return ""
	}
	b := []byte{' '}
	for _, s := range jyutping.Syllables(c) {
		if n > 2 {
			s = jyutping.Toneless(s)
		}
		b = append(append(b, s...), ' ')
	}
	return string(b)
}

// utteranceSounds writes the Jyutping of a's Han runs into b, padded and
// space separated, runs separated by " | ": first with tones, then after
// a tab toneless.
func utteranceSounds(a analysis, b []byte, syl []string) ([]byte, []string) {
	b = append(b[:0], ' ')
	b, syl = appendSounds(a, b, syl, false)
	b = append(b, "\t "...)
	return appendSounds(a, b, syl, true)
}

func appendSounds(a analysis, b []byte, syl []string, toneless bool) ([]byte, []string) {
	first := true
	for run := range hanRuns(a) {
		syl = jyutping.AppendSyllables(syl[:0], run)
		if !first {
			b = append(b, "| "...)
		}
		first = false
		for _, s := range syl {
			if toneless {
				s = jyutping.Toneless(s)
			}
			b = append(append(b, s...), ' ')
		}
	}
	return b, syl
}

func isHanRune(r rune) bool { return unicode.Is(unicode.Han, r) }
