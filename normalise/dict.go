package normalise

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// OpenCC dictionaries, unmodified (Apache-2.0; see opencc/ATTRIBUTION.md).
var (
	//go:embed opencc/STPhrases.txt
	stPhrasesTxt string
	//go:embed opencc/STCharacters.txt
	stCharactersTxt string
	//go:embed opencc/TSCharacters.txt
	tsCharactersTxt string
	//go:embed opencc/HKVariants.txt
	hkVariantsTxt string
)

// Character classes used to tell Simplified from Traditional text.
const (
	classSimp uint8 = 1 << iota // only ever Simplified (an STCharacters key that is not its own value)
	classTrad                   // only ever Traditional (a TSCharacters key that is not its own value)
)

// maxPhraseRunes bounds the phrase length in runes (STPhrases' longest key is 12).
const maxPhraseRunes = 16

// tables is the compiled s2hk conversion. Stage 2 (HK variants) is folded into
// the stage 1 values at load time, so conversion is a single pass.
type tables struct {
	phrases   map[string]string // Simplified phrase -> HK Traditional phrase
	phraseMax map[rune]uint8    // longest phrase (in runes) starting with a rune
	chars     map[rune]rune     // Simplified char -> HK Traditional char (stages 1+2)
	hk        map[rune]rune     // Traditional char -> HK variant (stage 2 only)
	class     map[rune]uint8    // classSimp / classTrad
}

var (
	loadOnce sync.Once
	loaded   *tables
)

// Preload builds the conversion tables now (about 15-35 ms) instead of on
// the first call to ToHK or Text; call it at start-up to keep that off the
// first caller's latency. It is safe to call more than once.
func Preload() { dict() }

// dict returns the tables, building them on first use.
func dict() *tables {
	loadOnce.Do(func() { loaded = buildTables() })
	return loaded
}

// buildTables parses the embedded dictionaries. Keys and values are
// substrings of the embedded text, so the maps do not copy it.
func buildTables() *tables {
	t := &tables{
		phrases:   make(map[string]string, 50000),
		phraseMax: make(map[rune]uint8, 6000),
		chars:     make(map[rune]rune, 4100),
		hk:        make(map[rune]rune, 80),
		class:     make(map[rune]uint8, 8000),
	}
	t.loadHK()
	t.loadChars()
	t.loadClasses()
	t.loadPhrases()
	return t
}

func (t *tables) loadHK() {
	eachEntry(hkVariantsTxt, func(k, v string) {
		kr, ok1 := singleRune(k)
		vr, ok2 := singleRune(v)
		if ok1 && ok2 && kr != vr {
			t.hk[kr] = vr
		}
	})
	for _, r := range hkVariantExclusions {
		delete(t.hk, r)
	}
	for k, v := range hkVariantSupplements {
		t.hk[k] = v
	}
}

func (t *tables) loadChars() {
	eachEntry(stCharactersTxt, func(k, v string) {
		kr, ok1 := singleRune(k)
		vr, ok2 := singleRune(v)
		if !ok1 || !ok2 {
			return
		}
		if h, ok := t.hk[vr]; ok {
			vr = h
		}
		if kr != vr {
			t.chars[kr] = vr
		}
	})
	for _, r := range hkNative {
		delete(t.chars, r)
	}
	// A character that conversion produces must convert to itself, or a second
	// pass would change it again (苎 -> 苧 -> 薴).
	var unstable []rune
	for _, v := range t.chars {
		if w, ok := t.chars[v]; ok && w != v {
			unstable = append(unstable, v)
		}
	}
	for _, r := range unstable {
		delete(t.chars, r)
	}
}

// loadClasses marks characters that only one script uses. Hong Kong variant
// forms (户, 温, 揾 …) never count as Simplified, since Hong Kong text uses them.
func (t *tables) loadClasses() {
	hkForms := make(map[rune]bool, 80)
	eachLine(hkVariantsTxt, func(_, vals string) {
		for _, v := range strings.Fields(vals) {
			if r, ok := singleRune(v); ok {
				hkForms[r] = true
			}
		}
	})
	mark := func(txt string, c uint8) {
		eachLine(txt, func(k, vals string) {
			r, ok := singleRune(k)
			if !ok || c == classSimp && hkForms[r] || containsField(vals, k) {
				return
			}
			t.class[r] |= c
		})
	}
	mark(stCharactersTxt, classSimp)
	mark(tsCharactersTxt, classTrad)
	for r, c := range t.class {
		if c == classSimp|classTrad {
			delete(t.class, r)
		}
	}
	for _, r := range hkNative {
		delete(t.class, r)
	}
}

func (t *tables) loadPhrases() {
	add := func(k, v string) {
		t.phrases[k] = v
		first, _ := utf8.DecodeRuneInString(k)
		if n := uint8(min(utf8.RuneCountInString(k), maxPhraseRunes)); n > t.phraseMax[first] {
			t.phraseMax[first] = n
		}
	}
	eachEntry(stPhrasesTxt, func(k, v string) {
		if utf8.RuneCountInString(k) > maxPhraseRunes {
			return
		}
		add(k, t.applyHK(v))
	})
	for k, v := range cantonesePhrases {
		add(k, v)
	}
	// Some values keep a character that converts on its own (于正昇, 枱布下,
	// 么鳳士多). Register such values as identity phrases so that converting
	// the output again leaves it alone.
	var stable []string
	for _, v := range t.phrases {
		if _, ok := t.phrases[v]; !ok &&
			(t.convert(v, false) != v || t.hasSimp(v) && t.convert(v, true) != v) {
			stable = append(stable, v)
		}
	}
	for _, v := range stable {
		add(v, v)
	}
}

// applyHK maps v through the HK variant table, allocating only on change.
func (t *tables) applyHK(v string) string {
	for _, r := range v {
		if _, ok := t.hk[r]; ok {
			return strings.Map(func(r rune) rune {
				if h, ok := t.hk[r]; ok {
					return h
				}
				return r
			}, v)
		}
	}
	return v
}

// eachEntry calls fn with each key and its first (default) value.
func eachEntry(txt string, fn func(k, v string)) {
	eachLine(txt, func(k, vals string) {
		v, _, _ := strings.Cut(vals, " ")
		if v != "" {
			fn(k, v)
		}
	})
}

// eachLine calls fn for every "key<TAB>values" line, skipping comments.
func eachLine(txt string, fn func(k, vals string)) {
	for line := range strings.Lines(txt) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		k, vals, ok := strings.Cut(line, "\t")
		if ok && k != "" {
			fn(k, strings.TrimSpace(vals))
		}
	}
}

func singleRune(s string) (rune, bool) {
	r, n := utf8.DecodeRuneInString(s)
	return r, n == len(s) && r != utf8.RuneError
}

func containsField(vals, f string) bool {
	for v := range strings.FieldsSeq(vals) {
		if v == f {
			return true
		}
	}
	return false
}
