package spoken

import (
	"slices"
	"strings"
	"unicode"
)

// Rate units for Options.RateUnit.
const (
	RateLi      = "厘"       // 2.5% → 二點五厘, as HK banks quote interest
	RatePercent = "percent" // 2.5% → 百分之二點五 (the default)
)

// BreakTag is the SSML pause Text puts between digit groups when
// Options.Breaks is set. Providers that take SSML (espeak -m) honour it.
const BreakTag = `<break time="300ms"/>`

// groupComma separates digit groups when Options.Breaks is not set: the
// voice pauses briefly at a comma.
const groupComma = "，"

// Options adjust how Text speaks.
type Options struct {
	// Breaks puts BreakTag between digit groups (phone, HKID, card) instead
	// of "，". Use it only with a provider that accepts SSML breaks.
	Breaks bool `yaml:"breaks"`
	// RateUnit is RateLi to say percentages as 厘 (the pack's choice for
	// interest rates), else they are said as 百分之….
	RateUnit string `yaml:"rate_unit"`
}

// Text returns s as a Hong Kong agent would say it:
//
//	9123 4567, +852 9123-4567   → 九一二三，四五六七 / 八五二，九一二三，四五六七
//	A123456(3)                  → A，一二三，四五六，括號三
//	HK$3,500 / $3.50 / $12.05   → 三千五百蚊 / 三個半 / 十二蚊零五仙
//	$23,000 / 1234 / 105        → 兩萬三千蚊 / 一千二百三十四 / 一百零五
//	2026年3月5日 / 2026-03-05   → 二零二六年三月五號
//	下午2:30 / 14:30 / 10:15    → 下晝兩點半 / 下晝兩點半 / 十點三個字
//	2.5% / 3.5                  → 百分之二點五 (or 二點五厘) / 三點五
//	你張卡尾號 **** 1234        → 你張卡尾號 一二三四
//
// Masked personal data is dropped except its unmasked last digits; the
// result never contains '*'. English words, product names and break tags
// are kept as written. In an English reply (no Han characters) only masks
// and identifiers change, the digits of identifiers spaced for the English
// voice (9 1 2 3, 4 5 6 7). Text is idempotent: Text(Text(s, o), o) ==
// Text(s, o).
func Text(s string, opt Options) string {
	if s == "" {
		return ""
	}
	in := fold([]rune(s))
	c := conv{opt: opt, out: make([]byte, 0, len(s)+len(s)/2)}
	if containsRune(in, '*') {
		// Judge the language on what will be said, without the masks.
		c.english = isEnglish(unmask(slices.Clone(in), tailNone, ""))
		tails := tailHan
		if c.english {
			tails = tailASCII
		}
		c.in = unmask(in, tails, c.sep())
	} else {
		c.english, c.in = isEnglish(in), in
	}
	c.run()
	return tidy(c.out)
}

// conv converts one text. in is read from i; out is the spoken text so far.
type conv struct {
	in      []rune
	i       int
	out     []byte
	opt     Options
	english bool // an English reply: only identifiers change, in ASCII digits
}

// isEnglish reports text with no Han characters and at least one English
// word (two or more Latin letters not glued to digits, other than am, pm
// and currency codes), which the voice reads in English as tts.LanguageOf
// decides. Fragments such as "A123456(3)", "10am" or "$3.50" are read in
// Cantonese.
func isEnglish(in []rune) bool {
	words := 0
	for i := 0; i < len(in); {
		r := in[i]
		if unicode.Is(unicode.Han, r) {
			return false
		}
		if r == '<' {
			if n := breakTagLen(in[i:]); n > 0 {
				i += n
				continue
			}
		}
		if !isLatin(r) {
			i++
			continue
		}
		j := i
		for j < len(in) && isLatin(in[j]) {
			j++
		}
		glued := j < len(in) && isDigit(in[j]) // HKID letters, not a word
		if n := j - i; n >= 2 && !glued && (n > 3 || !notWords[strings.ToLower(string(in[i:j]))]) {
			words++
		}
		i = j
	}
	return words > 0
}

// notWords are letter runs that do not make a text English.
var notWords = map[string]bool{"am": true, "pm": true, "hk": true, "us": true, "hkd": true, "usd": true}

// sep is what goes between digit groups.
func (c *conv) sep() string {
	switch {
	case c.opt.Breaks:
		return BreakTag
	case c.english:
		return ", "
	}
	return groupComma
}

// groups appends digit groups read one by one, sep between groups: 九一二三，
// 四五六七, or in English 9 1 2 3, 4 5 6 7.
func (c *conv) groups(groups ...string) {
	for k, g := range groups {
		if k > 0 {
			c.out = append(c.out, c.sep()...)
		}
		for j := 0; j < len(g); j++ {
			c.digit(g[j], j == 0)
		}
	}
}

// digit appends one ASCII digit read on its own.
func (c *conv) digit(d byte, first bool) {
	if !c.english {
		c.out = append(c.out, digitHan[d-'0']...)
		return
	}
	n := len(c.out)
	if !first || (n > 0 && c.out[n-1] < 0x80 && (isLatin(rune(c.out[n-1])) || isDigit(rune(c.out[n-1])))) {
		c.out = append(c.out, ' ') // apart, and apart from a word or number before
	}
	c.out = append(c.out, d)
}

func (c *conv) run() {
	for c.i < len(c.in) {
		r := c.in[c.i]
		switch {
		case r == '<':
			if n := breakTagLen(c.in[c.i:]); n > 0 {
				c.out = append(c.out, string(c.in[c.i:c.i+n])...)
				c.i += n
				continue
			}
		case isDigit(r) || r == '$' || r == '+':
			if c.number() {
				continue
			}
		case isLatin(r):
			c.word()
			continue
		}
		c.out = append(c.out, string(r)...)
		c.i++
	}
}

// word copies a run of Latin letters and digits as written, unless it is an
// HKID or starts with a currency (HK$, US$, HKD, USD).
func (c *conv) word() {
	le := c.i
	for le < len(c.in) && isLatin(c.in[le]) {
		le++
	}
	if c.currency(string(c.in[c.i:le]), le) || c.hkid(le) {
		return
	}
	end := alnumEnd(c.in, c.i)
	c.out = append(c.out, string(c.in[c.i:end])...)
	c.i = end
}

// currency speaks an amount after the currency word w ending at le:
// HK$ and US$ need the '$', HKD and USD may be followed by a space.
func (c *conv) currency(w string, le int) bool {
	cur := currencyNone
	j := le
	if c.english {
		return false
	}
	switch w {
	case "HK", "US":
		if j >= len(c.in) || c.in[j] != '$' {
			return false
		}
		j++
		cur = currencyHKD
	case "HKD":
		cur = currencyHKD
	case "USD":
		cur = currencyUSD
	default:
		return false
	}
	if w == "US" {
		cur = currencyUSD
	}
	if j < len(c.in) && c.in[j] == ' ' {
		j++
	}
	if j >= len(c.in) || !isDigit(c.in[j]) {
		return false
	}
	start := c.i
	c.i = j
	c.numeral(cur, start)
	return true
}

// alnumEnd returns the end of the word of Latin letters and digits at i,
// with inner '-', '.', '\” and '_' joining parts (e-banking, v2.5, don't).
func alnumEnd(in []rune, i int) int {
	j := i
	for j < len(in) {
		r := in[j]
		if isLatin(r) || isDigit(r) {
			j++
			continue
		}
		if (r == '-' || r == '.' || r == '\'' || r == '_') && j > i && j+1 < len(in) &&
			(isLatin(in[j+1]) || isDigit(in[j+1])) {
			j++
			continue
		}
		break
	}
	return j
}

// breakTagLen returns the length of an SSML break tag at the start of in
// (<break time="300ms"/> or <break/>), 0 if there is none.
func breakTagLen(in []rune) int {
	const prefix = "<break"
	if len(in) < len(prefix)+2 || string(in[:len(prefix)]) != prefix {
		return 0
	}
	for j := len(prefix); j < len(in) && j < 64; j++ {
		switch in[j] {
		case '<', '\n':
			return 0
		case '>':
			if in[j-1] != '/' {
				return 0
			}
			if j == len(prefix)+1 || in[len(prefix)] == ' ' {
				return j + 1
			}
			return 0
		}
	}
	return 0
}

// fold maps full-width digits, letters and the symbols numbers use to
// ASCII, leaving full-width punctuation (，。：) alone except a colon
// between digits (9：30).
func fold(in []rune) []rune {
	for k, r := range in {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ',
			r == '＄', r == '％', r == '＊', r == '＋':
			in[k] = r - 0xFEE0
		case r == '：' && k > 0 && k+1 < len(in) && isDigit(in[k-1]) && isDigit(fw(in[k+1])):
			in[k] = ':'
		}
	}
	return in
}

func fw(r rune) rune {
	if r >= '０' && r <= '９' {
		return r - 0xFEE0
	}
	return r
}

// tidy collapses runs of spaces, drops spaces next to a full-width comma or
// at either end, and removes any stray '*'.
func tidy(b []byte) string {
	s := string(b)
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '*':
			continue
		case r == ' ' || r == '\t' || r == '\u3000':
			space = true
			continue
		case space && sb.Len() > 0 && r != '，' && !endsWith(sb.String(), "，"):
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteRune(r)
	}
	return sb.String()
}

func endsWith(s, suffix string) bool { return strings.HasSuffix(s, suffix) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isLatin(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

// hasSuffix reports whether out ends with s.
func hasSuffix(out []byte, s string) bool {
	return len(out) >= len(s) && string(out[len(out)-len(s):]) == s
}
