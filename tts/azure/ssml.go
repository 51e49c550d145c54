package azure

import (
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yuecall/yuecall/tts"
)

// MaxBreak is the longest pause Azure honours in one <break> (longer ones
// are cut to it).
const MaxBreak = 5 * time.Second

// breakTag matches the SSML pauses our text-for-speech step writes, with
// either quote style and any spacing: <break time="300ms"/>, <break time='1.5s' />.
var breakTag = regexp.MustCompile(`(?i)<break\s+time\s*=\s*["']\s*(\d{1,6}(?:\.\d{1,3})?)\s*(ms|s)\s*["']\s*/\s*>`)

// SSML builds the request body speaking text with voice at the prosody
// rate (empty for none). xml:lang is the voice's locale. Text is
// XML-escaped except for <break time="…"/> tags, which are re-written in
// canonical form (at most MaxBreak). It fails with tts.ErrEmptyText when
// nothing but breaks and spaces is left.
func SSML(voice, rate, text string) (string, error) {
	var b strings.Builder
	b.WriteString("<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='")
	attr(&b, locale(voice))
	b.WriteString("'><voice name='")
	attr(&b, voice)
	b.WriteString("'>")
	if rate != "" {
		b.WriteString("<prosody rate='")
		attr(&b, rate)
		b.WriteString("'>")
	}
	spoken := false
	last := 0
	for _, m := range breakTag.FindAllStringSubmatchIndex(text, -1) {
		spoken = escapeText(&b, text[last:m[0]]) || spoken
		b.WriteString("<break time='")
		b.WriteString(strconv.FormatInt(breakLength(text[m[2]:m[3]], text[m[4]:m[5]]).Milliseconds(), 10))
		b.WriteString("ms'/>")
		last = m[1]
	}
	spoken = escapeText(&b, text[last:]) || spoken
	if !spoken {
		return "", tts.ErrEmptyText
	}
	if rate != "" {
		b.WriteString("</prosody>")
	}
	b.WriteString("</voice></speak>")
	return b.String(), nil
}

// escapeText writes s as XML character data and reports whether it holds
// anything but spaces.
func escapeText(b *strings.Builder, s string) bool {
	_ = xml.EscapeText(b, []byte(s)) // a strings.Builder never fails
	return strings.TrimSpace(s) != ""
}

// attr writes s escaped for a single-quoted attribute value.
func attr(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// breakLength converts a matched break time to a duration capped at MaxBreak.
func breakLength(num, unit string) time.Duration {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) {
		return 0
	}
	if strings.EqualFold(unit, "s") {
		v *= 1000
	}
	return min(time.Duration(v*float64(time.Millisecond)), MaxBreak).Round(time.Millisecond)
}

// locale is a voice name's locale: "zh-HK-HiuMaanNeural" → "zh-HK". Names
// without one fall back to zh-HK.
func locale(voice string) string {
	parts := strings.SplitN(voice, "-", 3)
	if len(parts) < 3 {
		return "zh-HK"
	}
	return parts[0] + "-" + parts[1]
}
