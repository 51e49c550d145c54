package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/asr"
)

// Recognition statuses of a reply.
const (
	RecognitionSuccess               = "Success"
	RecognitionNoMatch               = "NoMatch"
	RecognitionInitialSilenceTimeout = "InitialSilenceTimeout"
	RecognitionBabbleTimeout         = "BabbleTimeout"
	RecognitionError                 = "Error"
)

// ticks is a time in 100 ns units. The service sends numbers; the
// documentation's samples show strings: both are accepted.
type ticks int64

// maxTicks bounds times taken from a reply (24 h).
const maxTicks = ticks(24 * time.Hour / 100)

// UnmarshalJSON accepts 6600000 and "6600000"; out-of-range values clamp.
func (t *ticks) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return fmt.Errorf("azure: time %.40q: not a number of ticks", s)
	}
	switch {
	case !(f > 0): // negative, zero or NaN
		*t = 0
	case f > float64(maxTicks):
		*t = maxTicks
	default:
		*t = ticks(f)
	}
	return nil
}

func (t ticks) duration() time.Duration { return time.Duration(t) * 100 }

// reply is the short-audio JSON answer, simple or detailed.
type reply struct {
	RecognitionStatus string `json:"RecognitionStatus"`
	DisplayText       string `json:"DisplayText"`
	Offset            ticks  `json:"Offset"`
	Duration          ticks  `json:"Duration"`
	NBest             []struct {
		Confidence float64 `json:"Confidence"`
		Lexical    string  `json:"Lexical"`
		ITN        string  `json:"ITN"`
		MaskedITN  string  `json:"MaskedITN"`
		Display    string  `json:"Display"`
	} `json:"NBest"`
}

// parseReply turns a 200 reply into at most one final result: Success
// gives its text (DisplayText, else the best NBest Display) with Start and
// End from Offset and Duration; NoMatch and the timeouts give none; Error
// wraps ErrRecognition; anything else wraps asr.ErrProtocol.
func parseReply(body []byte) (res asr.Result, ok bool, err error) {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return asr.Result{}, false, fmt.Errorf("%w: azure: reply: %w", asr.ErrProtocol, err)
	}
	switch r.RecognitionStatus {
	case RecognitionSuccess:
	case RecognitionNoMatch, RecognitionInitialSilenceTimeout, RecognitionBabbleTimeout:
		return asr.Result{}, false, nil
	case RecognitionError:
		return asr.Result{}, false, fmt.Errorf("%w: the service reported RecognitionStatus Error", ErrRecognition)
	default:
		return asr.Result{}, false, fmt.Errorf("%w: azure: RecognitionStatus %.40q", asr.ErrProtocol, r.RecognitionStatus)
	}
	text := strings.TrimSpace(r.DisplayText)
	if text == "" && len(r.NBest) > 0 {
		text = strings.TrimSpace(r.NBest[0].Display)
	}
	if text == "" { // all profanity with profanity=removed
		return asr.Result{}, false, nil
	}
	start := r.Offset.duration()
	end := start + r.Duration.duration()
	return asr.Result{Text: text, Final: true, Start: start, End: end}, true, nil
}

// StatusError is an HTTP error status from the service. Message never
// holds the key.
type StatusError struct {
	StatusCode int    // HTTP status
	Code       string // error.code of a JSON error body, if any
	Message    string // error.message, or the body clipped; key redacted
}

// Error says "azure: HTTP 401: message".
func (e *StatusError) Error() string {
	s := fmt.Sprintf("azure: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Retryable reports whether the same request may succeed later: 408, 429 and 5xx.
func (e *StatusError) Retryable() bool {
	return e.StatusCode == 408 || e.StatusCode == 429 || e.StatusCode >= 500
}

// statusError builds a StatusError from an error reply: Azure sends
// {"error":{"code":"401","message":"..."}}, plain text, or nothing.
func statusError(status int, body []byte, key string) *StatusError {
	e := &StatusError{StatusCode: status}
	var j struct {
		Error struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &j) == nil && j.Error.Message != "" {
		e.Code = strings.Trim(string(j.Error.Code), `"`)
		e.Message = redact(j.Error.Message, key)
		return e
	}
	e.Message = redact(string(body), key)
	return e
}

// maxMessage bounds a message taken from a reply.
const maxMessage = 300

// redact removes the key from a message, folds control characters and runs
// of white space to one space, and clips it.
func redact(msg, key string) string {
	if len(key) >= 4 {
		msg = strings.ReplaceAll(msg, key, "[key]")
	}
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
