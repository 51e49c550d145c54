package asrtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// cppResult formats a result the way OnlineRecognizerResult::AsJsonString
// does: "{ " opening, ", " separators, every field present, timestamps and
// start_time with two decimals, probabilities with six.
func cppResult(text string, segment int, start float64, charDur time.Duration, final, eof bool) []byte {
	var b strings.Builder
	tokens := strings.Split(text, "")
	b.WriteString(`{ "text": `)
	b.WriteString(jsonString(text))
	b.WriteString(`, "tokens": [`)
	for i, t := range tokens {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonString(t))
	}
	b.WriteString(`], "timestamps": [`)
	for i := range tokens {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.2f", float64(i)*charDur.Seconds())
	}
	b.WriteString(`], "ys_probs": [`)
	for i := range tokens {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("-0.105361")
	}
	fmt.Fprintf(&b, `], "lm_probs": [], "context_scores": [], "segment": %d, "words": [], "start_time": %.2f, "is_final": %t, "is_eof": %t}`,
		segment, start, final, eof)
	return []byte(b.String())
}

// pythonResult formats {"text": ..., "segment": n} as Python's json.dumps
// does by default: ", " and ": " separators and ensure_ascii escaping.
func pythonResult(text string, segment int) []byte {
	return []byte(`{"text": ` + pyString(text) + `, "segment": ` + strconv.Itoa(segment) + `}`)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// pyString quotes s like json.dumps with ensure_ascii=True.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7f && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
