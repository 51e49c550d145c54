package ttstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// OpenAI speech models, voices and formats the server knows.
var (
	OpenAISpeechModels = []string{"tts-1", "tts-1-hd", "gpt-4o-mini-tts"}
	OpenAIVoices       = []string{"alloy", "ash", "ballad", "cedar", "coral", "echo", "fable",
		"marin", "nova", "onyx", "sage", "shimmer", "verse"}
	openAIFormats     = []string{"mp3", "opus", "aac", "flac", "wav", "pcm"}
	openAIImplemented = []string{"mp3", "pcm", "wav"}
)

// speechRequest is the JSON body of POST /v1/audio/speech.
type speechRequest struct {
	Model          string   `json:"model"`
	Input          *string  `json:"input"`
	Voice          string   `json:"voice"`
	Instructions   string   `json:"instructions"`
	ResponseFormat string   `json:"response_format"`
	Speed          *float64 `json:"speed"`
	StreamFormat   string   `json:"stream_format"`
}

// requestError is a 4xx the server answers with OpenAI's error JSON.
type requestError struct {
	status            int
	param, code, text string
}

func (e *requestError) Error() string { return e.text }

func badRequest(param, code, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, param: param, code: code, text: fmt.Sprintf(format, args...)}
}

// maxBody bounds a request body (4096 characters of input, at most 4 bytes each, plus room).
const maxBody = 1 << 16

// parseSpeechRequest reads and decodes the body; on failure it writes the
// error reply and returns its status.
func parseSpeechRequest(w http.ResponseWriter, r *http.Request) (speechRequest, int) {
	if !contentTypeIsJSON(r.Header.Get("Content-Type")) {
		return speechRequest{}, writeRequestError(w, badRequest("", "",
			"Invalid Content-Type header (%s), expected application/json.", r.Header.Get("Content-Type")))
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return speechRequest{}, writeRequestError(w, badRequest("", "", "Could not read the request body."))
	}
	req, rerr := decodeSpeechRequest(raw)
	if rerr != nil {
		return req, writeRequestError(w, rerr)
	}
	return req, 0
}

// decodeSpeechRequest decodes a /v1/audio/speech body the way the API
// does: valid JSON object, no unknown fields, required model, input and
// voice. It returns an error describing the 400 the API would answer.
func decodeSpeechRequest(raw []byte) (speechRequest, *requestError) {
	var req speechRequest
	if len(raw) > maxBody {
		return req, badRequest("", "", "Request body too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return req, badRequest(strings.Trim(f, `"`), "unknown_parameter",
				"Unrecognized request argument supplied: %s", strings.Trim(f, `"`))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return req, badRequest(te.Field, "invalid_type", "Invalid type for '%s'.", te.Field)
		}
		return req, badRequest("", "", "We could not parse the JSON body of your request. (HINT: This likely "+
			"means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)")
	}
	if dec.More() {
		return req, badRequest("", "", "We could not parse the JSON body of your request.")
	}
	switch {
	case req.Model == "":
		return req, badRequest("model", "", "you must provide a model parameter")
	case req.Input == nil:
		return req, badRequest("input", "", "Missing required parameter: 'input'.")
	case req.Voice == "":
		return req, badRequest("voice", "", "Missing required parameter: 'voice'.")
	}
	return req, nil
}

// checkSpeechRequest applies the API's value rules; on failure it writes
// the error reply and returns its status.
func checkSpeechRequest(w http.ResponseWriter, req speechRequest) int {
	if err := validateSpeechRequest(req); err != nil {
		return writeRequestError(w, err)
	}
	return 0
}

func validateSpeechRequest(req speechRequest) *requestError {
	n := utf8.RuneCountInString(*req.Input)
	switch {
	case !slices.Contains(OpenAISpeechModels, req.Model):
		return &requestError{status: http.StatusNotFound, code: "model_not_found",
			text: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", req.Model)}
	case !slices.Contains(OpenAIVoices, req.Voice):
		return badRequest("voice", "invalid_value", "Invalid value: '%s'. Supported values are: '%s'.",
			req.Voice, strings.Join(OpenAIVoices, "', '"))
	case n == 0:
		return badRequest("input", "string_too_short", "Invalid 'input': empty string. Expected a string "+
			"with minimum length 1, but got an empty string instead.")
	case n > OpenAIMaxInput:
		return badRequest("input", "string_above_max_length", "Invalid 'input': string too long. Expected a "+
			"string with maximum length %d, but got a string with length %d instead.", OpenAIMaxInput, n)
	case req.ResponseFormat != "" && !slices.Contains(openAIFormats, req.ResponseFormat):
		return badRequest("response_format", "invalid_value", "Invalid value: '%s'. Supported values are: '%s'.",
			req.ResponseFormat, strings.Join(openAIFormats, "', '"))
	case req.ResponseFormat != "" && !slices.Contains(openAIImplemented, req.ResponseFormat):
		return badRequest("response_format", "", "ttstest: response_format %q is not implemented by the test server",
			req.ResponseFormat)
	case req.Speed != nil && (*req.Speed < 0.25 || *req.Speed > 4):
		return badRequest("speed", "invalid_value", "Invalid 'speed': %g is outside 0.25 to 4.0.", *req.Speed)
	case req.StreamFormat != "" && req.StreamFormat != "audio" && req.StreamFormat != "sse":
		return badRequest("stream_format", "invalid_value", "Invalid value: '%s'. Supported values are: "+
			"'sse' and 'audio'.", req.StreamFormat)
	case req.StreamFormat == "sse":
		return badRequest("stream_format", "", "ttstest: stream_format sse is not implemented by the test server")
	}
	return nil
}

func writeRequestError(w http.ResponseWriter, e *requestError) int {
	return writeOpenAIError(w, e.status, "invalid_request_error", e.param, e.code, e.text)
}
