package normalise

import (
	"strings"
	"unicode"
)

// Punctuate tidies the layout of recogniser or model text for Hong Kong
// writing, leaving the characters' script alone:
//   - strips SenseVoice-style tags such as <|yue|><|NEUTRAL|><|withitn|>;
//   - folds full-width digits and letters (０-９ Ａ-Ｚ ａ-ｚ) to ASCII, and
//     nothing else (full-width punctuation stays; no NFKC);
//   - turns ASCII , ? ! : ; . next to CJK into ，？！：；。 (a run of dots
//     becomes ……), so 好,ok becomes 好，ok while 3.5 and 1,000 stay;
//   - deletes whitespace next to CJK, including between CJK and Latin words
//     ("check 下個 balance" -> "check下個balance"); other whitespace runs
//     become one space; the ends are trimmed.
//
// Punctuate is idempotent.
func Punctuate(s string) string {
	rs := []rune(StripTags(foldWidth(s)))
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev rune // last rune written, 0 at the start
	for i := 0; i < len(rs); {
		if !isGap(rs[i]) {
			b.WriteRune(rs[i])
			prev = rs[i]
			i++
			continue
		}
		j := i
		for j < len(rs) && isGap(rs[j]) {
			j++
		}
		var next rune
		if j < len(rs) {
			next = rs[j]
		}
		if last := writeGap(&b, rs[i:j], prev, next); last != 0 {
			prev = last
		}
		i = j
	}
	return b.String()
}

// writeGap writes a run of whitespace and ASCII sentence punctuation found
// between prev and next (0 at either end of the text) and returns the last
// rune it wrote, or 0.
func writeGap(b *strings.Builder, gap []rune, prev, next rune) rune {
	cjk := isCJK(prev) || isCJK(next)
	var last rune
	for k := 0; k < len(gap); k++ {
		r := gap[k]
		switch {
		case isSpace(r):
			if cjk || prev == 0 || next == 0 || k+1 < len(gap) && isSpace(gap[k+1]) {
				continue
			}
			b.WriteByte(' ')
			last = ' '
		case !cjk:
			b.WriteRune(r)
			last = r
		case r == '.' && k+1 < len(gap) && gap[k+1] == '.':
			for k+1 < len(gap) && gap[k+1] == '.' {
				k++
			}
			b.WriteString("……")
			last = '…'
		default:
			last = fullWidthPunct(r)
			b.WriteRune(last)
		}
	}
	return last
}

// isGap reports whether r belongs in a run that writeGap handles.
func isGap(r rune) bool {
	switch r {
	case ',', '?', '!', ':', ';', '.':
		return true
	}
	return isSpace(r)
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func fullWidthPunct(r rune) rune {
	switch r {
	case ',':
		return '，'
	case '?':
		return '？'
	case '!':
		return '！'
	case ':':
		return '：'
	case ';':
		return '；'
	case '.':
		return '。'
	}
	return r
}

// isCJK reports whether r is a CJK character or CJK punctuation, the
// neighbours that make a space unwanted and ASCII punctuation full-width.
func isCJK(r rune) bool {
	switch {
	case r < 0x2000:
		return false
	case r == '…' || r == '—' || r == '―' || r == '‧':
		return true
	case r >= 0x2E80 && r <= 0x2FDF, // radicals
		r >= 0x3001 && r <= 0x303F,                             // CJK symbols and punctuation (not U+3000 space)
		r >= 0xFE30 && r <= 0xFE4F,                             // CJK compatibility forms
		r >= 0xFF01 && r <= 0xFF0F, r >= 0xFF1A && r <= 0xFF20, // full-width punctuation
		r >= 0xFF3B && r <= 0xFF40, r >= 0xFF5B && r <= 0xFF65:
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// foldWidth maps full-width digits and Latin letters to ASCII.
func foldWidth(s string) string {
	if !strings.ContainsFunc(s, isWideAlnum) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isWideAlnum(r) {
			return r - 0xFEE0
		}
		return r
	}, s)
}

func isWideAlnum(r rune) bool {
	return r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ'
}

// maxTagBody bounds what counts as a tag: SenseVoice tags are short ASCII
// words (yue, NEUTRAL, Speech, EMO_UNKNOWN, withitn).
const maxTagBody = 32

// StripTags removes SenseVoice-style tags: "<|", up to 32 ASCII letters,
// digits, '_' or '-', then "|>". It repeats until none is left (<|<|a|>|b|>
// goes entirely), so the result never holds a tag.
func StripTags(s string) string {
	for strings.Contains(s, "<|") {
		out, changed := stripTagsOnce(s)
		if !changed {
			break
		}
		s = out
	}
	return s
}

func stripTagsOnce(s string) (string, bool) {
	var b strings.Builder
	changed := false
	for {
		i := strings.Index(s, "<|")
		if i < 0 {
			break
		}
		end := tagEnd(s[i+2:])
		if end < 0 {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		s = s[i+2+end:]
		changed = true
	}
	if !changed {
		return "", false
	}
	b.WriteString(s)
	return b.String(), true
}

// tagEnd returns how many bytes of s (which follows "<|") the tag body and
// its closing "|>" take, or -1.
func tagEnd(s string) int {
	for i := 0; i < len(s) && i <= maxTagBody; i++ {
		c := s[i]
		switch {
		case c == '|':
			if i+1 < len(s) && s[i+1] == '>' {
				return i + 2
			}
			return -1
		case c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		default:
			return -1
		}
	}
	return -1
}
