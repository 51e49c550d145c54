package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors a Synthesizer returns; every failure wraps one of them (or a
// context error when the caller cancelled).
var (
	ErrBadRequest  = errors.New("azure: request rejected (SSML, voice or output format)")
	ErrAuth        = errors.New("azure: authentication failed (check the key or token and the region)")
	ErrRateLimited = errors.New("azure: rate limited")
	ErrServer      = errors.New("azure: server error")
	ErrRejected    = errors.New("azure: request refused")
	ErrTimeout     = errors.New("azure: timed out waiting for audio")
	ErrClosed      = errors.New("azure: stream closed")
	ErrTransport   = errors.New("azure: request failed")
	ErrRate        = errors.New("azure: unsupported sample rate (8000, 16000 or 24000)")
)

// HTTPError is a non-2xx reply. It wraps ErrBadRequest, ErrAuth,
// ErrRateLimited, ErrServer or ErrRejected.
type HTTPError struct {
	Status     int
	Message    string        // from the error JSON or text body, key removed, shortened
	RetryAfter time.Duration // from Retry-After on 429/503, 0 if absent
	kind       error
}

// Error describes the failure without the key.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%v: HTTP %d", e.kind, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return s
}

// Unwrap returns the sentinel the status maps to.
func (e *HTTPError) Unwrap() error { return e.kind }

func kindOf(status int) error {
	switch {
	case status == http.StatusBadRequest:
		return ErrBadRequest
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return ErrRejected
}

const maxMessage = 300

// httpError builds the error for a reply with the given status, headers
// and (bounded) body, scrubbing secrets out of the message.
func httpError(status int, h http.Header, body []byte, secrets ...string) *HTTPError {
	e := &HTTPError{Status: status, Message: message(body, secrets), kind: kindOf(status)}
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		e.RetryAfter = time.Duration(min(s, 3600)) * time.Second
	}
	return e
}

// message extracts the human part of an Azure error body:
// {"error":{"code":"401","message":"…"}} or plain text.
func message(body []byte, secrets []string) string {
	var j struct {
		Error struct {
			Code    any    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
	}
	msg := string(body)
	if json.Unmarshal(body, &j) == nil {
		switch {
		case j.Error.Message != "":
			msg = j.Error.Message
		case j.Message != "":
			msg = j.Message
		}
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[secret]")
		}
	}
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "\uFFFD")), " ")
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
