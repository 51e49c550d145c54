package jyutping

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

var (
	//go:embed data/chars.txt
	charsData string
	//go:embed data/words.txt
	wordsData string
	//go:embed data/simp.txt
	simpData string
)

// maxWordRunes bounds the words kept for context (longer ones are dropped).
const maxWordRunes = 8

// table is the parsed data; it is never modified after load.
type table struct {
	runes   []rune   // sorted characters with readings
	start   []int32  // readings of runes[i] are read[start[i]:start[i+1]]
	maxWord []uint8  // longest word (in runes) that starts with runes[i]
	read    []string // readings, sharing the strings of charsData
	words   map[string][]string
	simp    map[rune]rune
}

var load = sync.OnceValue(func() *table { return parse(charsData, wordsData, simpData) })

func parse(chars, words, simp string) *table {
	t := &table{words: map[string][]string{}, simp: map[rune]rune{}}
	t.parseChars(chars)
	t.maxWord = make([]uint8, len(t.runes))
	t.parseSimp(simp)
	t.parseWords(words)
	return t
}

// reading is one (character, rank, syllable) triple of chars.txt.
type reading struct {
	r    rune
	rank int32
	syl  string
}

// parseChars reads "syl\tchars of rank 1\tchars of rank 2…" lines into
// the sorted tables.
func (t *table) parseChars(data string) {
	all := make([]reading, 0, 36000)
	for line := range strings.Lines(data) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		syl, rest, _ := strings.Cut(line, "\t")
		for rank := int32(0); ; rank++ {
			group, more, found := strings.Cut(rest, "\t")
			for _, r := range group {
				all = append(all, reading{r, rank, syl})
			}
			if !found {
				break
			}
			rest = more
		}
	}
	slices.SortFunc(all, func(a, b reading) int {
		if a.r != b.r {
			return int(a.r - b.r)
		}
		return int(a.rank - b.rank)
	})
	t.read = make([]string, 0, len(all))
	for i, e := range all {
		if i == 0 || e.r != all[i-1].r {
			t.runes = append(t.runes, e.r)
			t.start = append(t.start, int32(len(t.read)))
		}
		t.read = append(t.read, e.syl)
	}
	t.start = append(t.start, int32(len(t.read)))
}

// parseWords reads "word\tsyl syl…" lines.
func (t *table) parseWords(data string) {
	for line := range strings.Lines(data) {
		line = strings.TrimSuffix(line, "\n")
		word, syls, ok := strings.Cut(line, "\t")
		n := utf8.RuneCountInString(word)
		if !ok || line[0] == '#' || n > maxWordRunes {
			continue
		}
		sf := strings.Fields(syls)
		if len(sf) != n {
			continue
		}
		t.words[word] = slices.Clip(sf)
		first, _ := utf8.DecodeRuneInString(word)
		if i, found := t.index(first); found && t.maxWord[i] < uint8(n) {
			t.maxWord[i] = uint8(n)
		}
	}
}

// parseSimp reads pairs of runes: Simplified, Traditional.
func (t *table) parseSimp(data string) {
	for line := range strings.Lines(data) {
		if line[0] == '#' {
			continue
		}
		rs := []rune(strings.TrimSuffix(line, "\n"))
		for i := 0; i+1 < len(rs); i += 2 {
			t.simp[rs[i]] = rs[i+1]
		}
	}
}

func (t *table) index(r rune) (int, bool) { return slices.BinarySearch(t.runes, r) }

// readings returns r's readings, without folding.
func (t *table) readings(r rune) []string {
	i, ok := t.index(r)
	if !ok {
		return nil
	}
	return t.read[t.start[i]:t.start[i+1]:t.start[i+1]]
}
