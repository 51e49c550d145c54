// Command genfold regenerates dialog/fold_table.go from OpenCC's
// STCharacters.txt and HKVariants.txt, the project's Cantonese corpora and
// the bank pack. Run it (go generate ./dialog) after changing the pack:
//
//	go run ./internal/genfold -data /work/shared/data -pack packs/bank -out fold_table.go
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// Families merged by hand: Cantonese spelling variants that OpenCC does not
// know, and Simplified forms whose first OpenCC candidate is wrong for
// Cantonese (系 is 係 far more often than 系 in speech).
var manual = []string{"裡裏", "綫線", "啓啟", "眞真", "峯峰", "帳賬", "臺台", "畀俾", "噉咁", "既嘅",
	"左咗", "麽麼", "着著", "岩啱", "野嘢", "哂晒", "黎嚟", "𠮶嗰", "系係", "钟鐘"}

const topChars = 2500

func main() {
	data := flag.String("data", "/work/shared/data", "shared data directory")
	pack := flag.String("pack", "packs/bank", "pack directory whose characters are fold targets")
	out := flag.String("out", "fold_table.go", "output Go file")
	flag.Parse()
	if err := run(*data, *pack, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genfold:", err)
		os.Exit(1)
	}
}

func run(data, pack, out string) error {
	packText, err := readTree(pack)
	if err != nil {
		return err
	}
	freq, err := corpusFreq(data)
	if err != nil {
		return err
	}
	uf := unionFind{}
	if err := readOpenCC(filepath.Join(data, "opencc", "STCharacters.txt"), true, uf.union); err != nil {
		return err
	}
	if err := readOpenCC(filepath.Join(data, "opencc", "HKVariants.txt"), false, uf.union); err != nil {
		return err
	}
	for _, p := range manual {
		r := []rune(p)
		uf.union(r[0], r[1])
	}
	want := map[rune]bool{}
	for _, r := range packText {
		want[r] = true
	}
	for _, r := range topRunes(freq, topChars) {
		want[r] = true
	}
	return writeTable(out, table(uf, want, packText, freq))
}

func readTree(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		b.Write(data)
		return err
	})
	return b.String(), err
}

func corpusFreq(data string) (map[rune]int, error) {
	freq := map[rune]int{}
	for _, name := range []string{"hkcancor-utterances.txt", "cv-zh-HK-sentences.txt", "cv-yue-sentences.txt"} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if err != nil {
			return nil, err
		}
		for _, r := range string(b) {
			if unicode.Is(unicode.Han, r) {
				freq[r]++
			}
		}
	}
	return freq, nil
}

func topRunes(freq map[rune]int, n int) []rune {
	rs := make([]rune, 0, len(freq))
	for r := range freq {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool {
		if freq[rs[i]] != freq[rs[j]] {
			return freq[rs[i]] > freq[rs[j]]
		}
		return rs[i] < rs[j]
	})
	return rs[:min(n, len(rs))]
}

// readOpenCC unions each key with its first value (firstOnly) or all values.
func readOpenCC(path string, firstOnly bool, union func(a, b rune)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		key, vals, _ := strings.Cut(line, "\t")
		k := []rune(key)
		if len(k) != 1 {
			continue
		}
		for i, v := range strings.Fields(vals) {
			if r := []rune(v); len(r) == 1 && (i == 0 || !firstOnly) {
				union(k[0], r[0])
			}
		}
	}
	return sc.Err()
}

type unionFind map[rune]rune

func (u unionFind) find(r rune) rune {
	if _, ok := u[r]; !ok {
		u[r] = r
	}
	for u[r] != r {
		u[r] = u[u[r]]
		r = u[r]
	}
	return r
}

func (u unionFind) union(a, b rune) { u[u.find(a)] = u.find(b) }

// table maps every member of a family touching want to the family's form:
// the one the pack uses most, else the most frequent in the corpora.
func table(uf unionFind, want map[rune]bool, packText string, freq map[rune]int) map[rune]rune {
	families := map[rune][]rune{}
	for r := range uf {
		root := uf.find(r)
		families[root] = append(families[root], r)
	}
	packCount := map[rune]int{}
	for _, r := range packText {
		packCount[r]++
	}
	out := map[rune]rune{}
	for _, members := range families {
		touch := false
		for _, m := range members {
			touch = touch || want[m]
		}
		if !touch || len(members) < 2 {
			continue
		}
		sort.Slice(members, func(i, j int) bool {
			a, b := members[i], members[j]
			if packCount[a] != packCount[b] {
				return packCount[a] > packCount[b]
			}
			if freq[a] != freq[b] {
				return freq[a] > freq[b]
			}
			return a < b
		})
		for _, m := range members[1:] {
			out[m] = members[0]
		}
	}
	return out
}

func writeTable(path string, t map[rune]rune) error {
	keys := make([]rune, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var b strings.Builder
	b.WriteString(header)
	for i, k := range keys {
		if i%16 == 0 {
			if i > 0 {
				b.WriteString("\" +\n")
			}
			b.WriteString("\t\"")
		}
		b.WriteRune(k)
		b.WriteRune(t[k])
	}
	b.WriteString("\"\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

const header = `// Code generated by internal/genfold from OpenCC data/dictionary/STCharacters.txt
// and HKVariants.txt (Apache-2.0, https://github.com/BYVoid/OpenCC), the
// project's Cantonese corpora and the bank pack. DO NOT EDIT.

package dialog

// foldPairs maps a character to the one form that matching uses for its
// whole family: Simplified and Traditional (转/轉, 为/爲/為), HK variants
// (户/戶, 説/說) and colloquial spellings a recogniser or caller may use
// (既/嘅, 左/咗, 野/嘢, 哂/晒, 黎/嚟, 畀/俾, 噉/咁, 系/係). Families are
// restricted to characters that occur in the bank pack or among the 2,500
// most frequent in the project's Cantonese corpora; the form the pack uses
// is the target. Folding applies to both sides of every comparison and never
// to text a caller hears. Two runes per pair: from, to.
const foldPairs = "" +
`
