package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultClauseRunes is the clause length after which a comma also ends a
// spoken sentence, so that TTS can start early on long answers.
const DefaultClauseRunes = 40

// Splitter cuts streamed model text into spoken sentences. A sentence ends
// at 。！？!?；; or a line break, at an ASCII full stop followed by a space, and at ，,、：: once it
// holds more than ClauseRunes runes. A run of 3×ClauseRunes runes without
// any of these is cut where it stands. The zero value uses
// DefaultClauseRunes. The sentences do not depend on how the text was cut
// into Writes; a closing quote after a terminator becomes a sentence of its
// own, which Clean drops. A Splitter is not safe for concurrent use.
type Splitter struct {
	ClauseRunes int
	buf         []byte // the sentence so far, reused
	runes       int    // runes in buf
	dot         bool   // buf ends with an ASCII '.' that may end the sentence
}

// Write adds streamed text and appends every sentence it completes to out.
// The sentences are raw: Clean them before speaking.
func (s *Splitter) Write(text string, out []string) []string {
	limit := s.ClauseRunes
	if limit <= 0 {
		limit = DefaultClauseRunes
	}
	for _, r := range text {
		if s.dot {
			s.dot = false
			if unicode.IsSpace(r) && !s.listMark() {
				out = s.cut(out)
				continue
			}
		}
		s.buf = utf8.AppendRune(s.buf, r)
		s.runes++
		switch {
		case isTerminator(r):
			out = s.cut(out)
		case r == '.':
			s.dot = true
		case isClauseMark(r) && s.runes > limit:
			out = s.cut(out)
		case s.runes >= 3*limit:
			out = s.cut(out)
		}
	}
	return out
}

// Flush appends what is left, if anything, as a last sentence.
func (s *Splitter) Flush(out []string) []string {
	s.dot = false
	return s.cut(out)
}

// Reset drops any buffered text.
func (s *Splitter) Reset() {
	s.buf = s.buf[:0]
	s.runes, s.dot = 0, false
}

// listMark reports a buffer that is only a list number and its dot ("2.").
func (s *Splitter) listMark() bool {
	t := strings.TrimSpace(string(s.buf)) // no allocation: compared only
	if len(t) < 2 || len(t) > 4 {
		return false
	}
	for i := 0; i < len(t)-1; i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Splitter) cut(out []string) []string {
	if s.runes > 0 {
		out = append(out, string(s.buf))
	}
	s.buf = s.buf[:0]
	s.runes = 0
	return out
}

func isTerminator(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '；', ';', '\n', '｡':
		return true
	}
	return false
}

func isClauseMark(r rune) bool {
	switch r {
	case '，', ',', '、', '：', ':':
		return true
	}
	return false
}

// isEmoji reports runes that TTS must not read: pictographs, dingbats,
// flags, variation selectors and joiners.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF,
		r >= 0xFE00 && r <= 0xFE0F, r == 0x200D, r == 0x20E3,
		r >= 0x2B00 && r <= 0x2BFF, r >= 0xE0000 && r <= 0xE007F:
		return true
	}
	return false
}

// Clean turns a raw sentence into speakable text: markdown emphasis, code
// marks, headings, list bullets and link targets go, emojis go, cite tags
// ([id], [id1, id2], 【id】) are removed and appended to cites, and white
// space is collapsed. It returns "" when nothing speakable is left (only
// punctuation, for example).
func Clean(raw string, cites []string) (string, []string) {
	var b strings.Builder
	b.Grow(len(raw))
	s := stripLinePrefix(strings.TrimSpace(raw))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '[' || r == '【':
			if end, ids, ok := cite(s[i:]); ok {
				cites = append(cites, ids...)
				i += end
				continue
			}
			if end, text, ok := link(s[i:]); ok && r == '[' {
				b.WriteString(text)
				i += end
				continue
			}
		case r == '*' || r == '_' && !wordy(s, i, n) || r == '`' || r == '#' || r == '~':
			i += n
			continue
		case isEmoji(r) || r == utf8.RuneError:
			i += n
			continue
		case unicode.IsSpace(r):
			space = true
			i += n
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		i += n
	}
	out := b.String()
	if !speakable(out) {
		return "", cites
	}
	return out, cites
}

// stripLinePrefix removes a markdown heading, bullet or numbered-list mark.
func stripLinePrefix(s string) string {
	s = strings.TrimLeft(s, "#>")
	s = strings.TrimSpace(s)
	for _, p := range []string{"- ", "* ", "+ ", "• ", "・"} {
		if strings.HasPrefix(s, p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	i := 0
	for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return strings.TrimSpace(s[i+2:])
	}
	return s
}

// wordy reports an underscore inside a word (snake_case), which is kept.
func wordy(s string, i, n int) bool {
	if i == 0 || i+n >= len(s) {
		return false
	}
	return isWordByte(s[i-1]) && isWordByte(s[i+n])
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// cite parses "[a]", "[a, b]" or "【a】" at the start of s: ids are ASCII
// letters, digits and - _ : . /, at most 64 bytes each.
func cite(s string) (end int, ids []string, ok bool) {
	closer := "]"
	open := 1
	if strings.HasPrefix(s, "【") {
		closer, open = "】", len("【")
	}
	j := strings.Index(s[open:], closer)
	if j <= 0 || j > 200 {
		return 0, nil, false
	}
	body := s[open : open+j]
	end = open + j + len(closer)
	if closer == "]" && strings.HasPrefix(s[end:], "(") {
		return 0, nil, false // a markdown link
	}
	for _, f := range strings.FieldsFunc(body, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		if !isID(f) {
			return 0, nil, false
		}
		ids = append(ids, f)
	}
	return end, ids, len(ids) > 0
}

func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isWordByte(c) && c != '-' && c != '_' && c != ':' && c != '.' && c != '/' {
			return false
		}
	}
	return true
}

// link parses a markdown link "[text](target)" and returns its text.
func link(s string) (end int, text string, ok bool) {
	j := strings.IndexByte(s, ']')
	if j < 1 || !strings.HasPrefix(s[j+1:], "(") {
		return 0, "", false
	}
	k := strings.IndexByte(s[j+2:], ')')
	if k < 0 {
		return 0, "", false
	}
	return j + 2 + k + 1, s[1:j], true
}

// speakable reports whether s holds a letter or a digit.
func speakable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
