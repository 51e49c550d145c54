package normalise

import (
	"unicode/utf8"
)

// scanner holds a string decoded to runes for the number parsers. rs is a
// matching form of the text: full-width digits, letters and a few symbols are
// folded to ASCII and Simplified numeral characters to Traditional (万 → 萬),
// one rune for one rune, so that off maps every index back to a byte offset
// of the original string.
type scanner struct {
	s   string
	rs  []rune
	off []int // off[i] is the byte offset of rs[i]; off[len(rs)] == len(s)
}

func newScanner(s string) *scanner {
	n := utf8.RuneCountInString(s)
	sc := &scanner{s: s, rs: make([]rune, 0, n), off: make([]int, 0, n+1)}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		sc.rs = append(sc.rs, matchForm(r))
		sc.off = append(sc.off, i)
		i += size
	}
	sc.off = append(sc.off, len(s))
	return sc
}

// matchForms maps characters to the form the parsers match on.
var matchForms = map[rune]rune{
	'万': '萬', '亿': '億', '两': '兩', '块': '塊', '个': '個', '点': '點',
	'几': '幾', '号': '號', '旧': '舊', '币': '幣', '纸': '紙', '圆': '圓',
	'钟': '鐘', '时': '時', '礼': '禮', '张': '張', '只': '隻', '条': '條',
	'间': '間', '岁': '歲', '对': '對', '达': '達', '龙': '龍', '齐': '齊',
	'样': '樣', '于': '於', '统': '統', '货': '貨', '铁': '鐵', '肤': '膚',
	'带': '帶', '赛': '賽', '队': '隊', '员': '員', '会': '會', '证': '證',
	'％': '%', '＄': '$', '（': '(', '）': ')', '＋': '+',
}

// matchForm folds one rune to its matching form.
func matchForm(r rune) rune {
	switch {
	case r < 0x80:
		return r
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
		return r - 0xFEE0
	}
	if m, ok := matchForms[r]; ok {
		return m
	}
	return r
}

// at returns rs[i], or 0 outside the text.
func (sc *scanner) at(i int) rune {
	if i < 0 || i >= len(sc.rs) {
		return 0
	}
	return sc.rs[i]
}

// has reports whether the text at rune index i starts with w (in matching
// form; ASCII letters compare case-insensitively).
func (sc *scanner) has(i int, w string) bool {
	if i < 0 {
		return false
	}
	for _, r := range w {
		if i >= len(sc.rs) || lower(sc.rs[i]) != lower(r) {
			return false
		}
		i++
	}
	return true
}

// hasAny returns the length in runes of the first word of ws found at i.
func (sc *scanner) hasAny(i int, ws []string) int {
	for _, w := range ws {
		if sc.has(i, w) {
			return utf8.RuneCountInString(w)
		}
	}
	return 0
}

// text returns the original text of runes [i, j).
func (sc *scanner) text(i, j int) string { return sc.s[sc.off[i]:sc.off[j]] }

func lower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }

// cnDigit returns the value of a Chinese digit character. 幺 (1, as read in
// phone numbers) and 兩 (2) count; the caller decides where they may stand.
func cnDigit(r rune) (int, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一', '幺':
		return 1, true
	case '二', '兩':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

// anyDigit returns the value of a Chinese or ASCII digit.
func anyDigit(r rune) (int, bool) {
	if isDigit(r) {
		return int(r - '0'), true
	}
	return cnDigit(r)
}

// unitPow returns the power of ten of a numeral unit character.
func unitPow(r rune) (int, bool) {
	switch r {
	case '十':
		return 1, true
	case '百':
		return 2, true
	case '千':
		return 3, true
	case '萬':
		return 4, true
	case '億':
		return 8, true
	}
	return 0, false
}

// tensChar returns the tens digit of 廿 (20) and 卅 (30).
func tensChar(r rune) (int, bool) {
	switch r {
	case '廿':
		return 2, true
	case '卅':
		return 3, true
	}
	return 0, false
}

// isNumeralRune reports whether r can start or continue a Chinese numeral.
func isNumeralRune(r rune) bool {
	_, d := cnDigit(r)
	_, u := unitPow(r)
	_, t := tensChar(r)
	return d || u || t
}

// mayHoldValues is the fast path of Values: text without digits, Chinese
// numerals or the bare slang amount 嚿水 holds no value.
func mayHoldValues(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x80:
			if isDigit(r) {
				return true
			}
		case r >= '０' && r <= '９', r == '嚿', r == '舊', r == '旧', r == '万', r == '亿', r == '两':
			return true
		case isNumeralRune(r):
			return true
		}
	}
	return false
}

// isSep reports whether r may separate groups of a digit string
// (9123 4567, 9123-4567, 九一二三，四五六七).
func isSep(r rune) bool {
	switch r {
	case ' ', '-', ',', '，', '、', '\u3000':
		return true
	}
	return false
}
