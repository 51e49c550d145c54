package openai

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/asr"
)

// StatusError is an HTTP error status from the server, with the fields of
// the OpenAI error body. Message never holds the API key, not even masked.
type StatusError struct {
	StatusCode int    // HTTP status
	Type       string // error.type, e.g. invalid_request_error, server_error
	Code       string // error.code, e.g. invalid_api_key, rate_limit_exceeded
	Message    string // error.message (or the body, clipped), key redacted
}

// Error says "openai: HTTP 429 (rate_limit_exceeded): message".
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openai: HTTP %d", e.StatusCode)
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, " (%s)", e.Code)
	case e.Type != "":
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Retryable reports whether the same request may succeed later: 408, 409,
// 429 and 5xx.
func (e *StatusError) Retryable() bool {
	switch {
	case e.StatusCode == 408, e.StatusCode == 409, e.StatusCode == 429:
		return true
	}
	return e.StatusCode >= 500
}

// keyLike matches API keys and masked keys ("sk-ab***wxyz") in messages:
// OpenAI's 401 body quotes the key it was given, masked.
var keyLike = regexp.MustCompile(`sk-[A-Za-z0-9_*\-]{3,}|[A-Za-z0-9_\-]*\*{3,}[A-Za-z0-9_\-]*`)

// maxMessage bounds a message taken from a reply.
const maxMessage = 300

// redact removes the key and key-like tokens from a server message,
// folds control characters and runs of white space to one space, and clips it.
func redact(msg, key string) string {
	if len(key) >= 4 {
		msg = strings.ReplaceAll(msg, key, "[key]")
	}
	msg = keyLike.ReplaceAllString(msg, "[key]")
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(msg, "?"))
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) > maxMessage {
		msg = string([]rune(msg)[:maxMessage]) + "…"
	}
	return msg
}

// maxOffset bounds times taken from a reply.
const maxOffset = 24 * time.Hour

// seconds converts a time in seconds from a reply, clamped to [0, maxOffset].
func seconds(f float64) time.Duration {
	if !(f > 0) { // negative, zero or NaN
		return 0
	}
	if f >= maxOffset.Seconds() {
		return maxOffset
	}
	return time.Duration(math.Round(f * float64(time.Second)))
}

// resultFrom turns a reply into one final result. Segments whose
// no_speech_prob is above threshold (Whisper's hallucinations on silence)
// and empty ones are dropped; ok is false when nothing is left. Without
// segments (json, text) the text spans the whole utterance of length dur.
func resultFrom(resp goopenai.AudioResponse, threshold float64, dur time.Duration) (res asr.Result, ok bool) {
	if len(resp.Segments) == 0 {
		text := strings.TrimSpace(resp.Text)
		if text == "" {
			return asr.Result{}, false
		}
		end := dur
		if d := seconds(resp.Duration); d > 0 {
			end = d
		}
		return asr.Result{Text: text, Final: true, End: end}, true
	}
	var parts []string
	for _, seg := range resp.Segments {
		text := strings.TrimSpace(seg.Text)
		if text == "" || seg.NoSpeechProb > threshold {
			continue
		}
		start, end := seconds(seg.Start), seconds(seg.End)
		if len(parts) == 0 {
			res.Start = start
		}
		res.End = max(res.End, end, start)
		parts = append(parts, text)
	}
	if len(parts) == 0 {
		return asr.Result{}, false
	}
	res.Start = min(res.Start, res.End)
	res.Text = joinText(parts)
	res.Final = true
	return res, true
}

// joinText concatenates segment texts: CJK needs no space between
// segments; a space goes only between two alphanumeric ASCII ends.
func joinText(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(parts[i-1])
			next, _ := utf8.DecodeRuneInString(p)
			if isASCIIAlnum(prev) && isASCIIAlnum(next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
