package openai

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"
)

// Errors a Synthesizer returns; every failure wraps one of them (or a
// context error when the caller cancelled).
var (
	ErrAuth        = errors.New("openai: authentication failed (check the API key)")
	ErrRateLimited = errors.New("openai: rate limited or out of quota")
	ErrServer      = errors.New("openai: server error")
	ErrRejected    = errors.New("openai: request rejected")
	ErrTimeout     = errors.New("openai: timed out waiting for audio")
	ErrTooLong     = errors.New("openai: input longer than 4096 characters")
	ErrAudio       = errors.New("openai: undecodable audio in the reply")
	ErrClosed      = errors.New("openai: stream closed")
	ErrTransport   = errors.New("openai: request failed")
)

// HTTPError is a non-2xx reply. It wraps ErrAuth, ErrRateLimited, ErrServer
// or ErrRejected. Message comes from the OpenAI error JSON, with anything
// that looks like an API key removed.
type HTTPError struct {
	Status  int    // HTTP status code
	Type    string // OpenAI error type, e.g. "invalid_request_error"
	Code    string // OpenAI error code, e.g. "invalid_api_key"
	Message string
	kind    error
}

// Error describes the failure without the key.
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: HTTP %d", e.kind, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	} else if e.Type != "" {
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel the status maps to.
func (e *HTTPError) Unwrap() error { return e.kind }

// kindOf maps an HTTP status to its sentinel.
func kindOf(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return ErrRejected
}

// keyLike matches API-key shaped tokens, including OpenAI's masked echo
// ("sk-proj-****…abcd") in 401 messages.
var keyLike = regexp.MustCompile(`\b(sk|rk|pk)-[A-Za-z0-9_*\-]{4,}`)

const maxMessage = 300

// clean removes key and key-shaped tokens from a server message and
// bounds its length.
func clean(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[key]")
	}
	msg = keyLike.ReplaceAllString(msg, "[key]")
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

// mapError turns what go-openai returned into one of our errors.
func mapError(err error, key string) error {
	var api *goopenai.APIError
	var req *goopenai.RequestError
	switch {
	case errors.As(err, &api):
		code := ""
		switch c := api.Code.(type) {
		case string:
			code = clean(c, key)
		case int:
			if c != 0 { // go-openai decodes "code": null as 0
				code = strconv.Itoa(c)
			}
		}
		return &HTTPError{Status: api.HTTPStatusCode, Type: clean(api.Type, key), Code: code,
			Message: clean(api.Message, key), kind: kindOf(api.HTTPStatusCode)}
	case errors.As(err, &req):
		return &HTTPError{Status: req.HTTPStatusCode, Message: clean(string(req.Body), key),
			kind: kindOf(req.HTTPStatusCode)}
	}
	return fmt.Errorf("%w: %w", ErrTransport, err)
}
