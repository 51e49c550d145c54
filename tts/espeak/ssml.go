package espeak

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuecall/yuecall/tts"
)

// breakTag matches an SSML pause: <break/> or <break time="300ms"/>.
var breakTag = regexp.MustCompile(`<break(?:\s+time\s*=\s*(?:"[0-9.]+m?s"|'[0-9.]+m?s'))?\s*/>`)

// anyTag matches markup, removed before the language is judged.
var anyTag = regexp.MustCompile(`<[^<>]*>`)

// command returns espeak-ng's arguments and its stdin for text.
func (s *Synthesizer) command(ctx context.Context, text string) ([]string, string) {
	input, plain := text, text
	ssml := strings.HasPrefix(text, "<speak")
	switch {
	case ssml:
		plain = anyTag.ReplaceAllString(text, " ")
	case breakTag.MatchString(text):
		input, ssml = toSSML(text), true
		plain = breakTag.ReplaceAllString(text, " ")
	}
	args := []string{"-v", s.cfg.voice(tts.LanguageOf(ctx, plain)),
		"-s", strconv.Itoa(s.cfg.Speed), "-p", strconv.Itoa(s.cfg.Pitch),
		"--stdout", "--stdin", "-b", "1"}
	if ssml {
		args = append(args, "-m")
	}
	return args, input
}

// toSSML wraps text in <speak>, keeping its break tags and escaping
// everything else so that other markup is read, not obeyed.
func toSSML(text string) string {
	var b strings.Builder
	b.Grow(len(text) + 32)
	b.WriteString("<speak>")
	last := 0
	for _, m := range breakTag.FindAllStringIndex(text, -1) {
		escape(&b, text[last:m[0]])
		b.WriteString(normBreak(text[m[0]:m[1]]))
		last = m[1]
	}
	escape(&b, text[last:])
	b.WriteString("</speak>")
	return b.String()
}

// normBreak rewrites a break tag with its time in whole milliseconds,
// the form espeak-ng reads (it ignores "1.5s").
func normBreak(tag string) string {
	m := breakTime.FindStringSubmatch(tag)
	if m == nil {
		return tag
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v > 60000 {
		return "<break/>"
	}
	if m[2] == "s" {
		v *= 1000
	}
	return `<break time="` + strconv.Itoa(int(v+0.5)) + `ms"/>`
}

var breakTime = regexp.MustCompile(`["']([0-9.]+)(m?s)["']`)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(b *strings.Builder, s string) { _, _ = escaper.WriteString(b, s) }
