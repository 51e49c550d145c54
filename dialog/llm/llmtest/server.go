package llmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DefaultKey is the API key a Server expects unless Options says otherwise.
const DefaultKey = "sk-llmtest-0123456789"

// DefaultModel is the model a Server serves unless Options says otherwise.
const DefaultModel = "qwen-plus"

// Options configure a Server.
type Options struct {
	Key        string        // expected Bearer token (default DefaultKey)
	NoAuth     bool          // accept any or no Authorization (Ollama, vLLM)
	Models     []string      // models served (default DefaultModel)
	ChunkDelay time.Duration // default delay between stream chunks
}

// Recorded is one request the server received.
type Recorded struct {
	Method, Path string
	Auth         string // the Authorization header
	Body         []byte
	Req          Request // decoded body (zero if it did not decode)
	Status       int     // the status answered (0 until the headers are written)
}

// Server is an OpenAI-compatible chat completions server on 127.0.0.1
// answering from a script. URL is the base URL a client is given
// (http://127.0.0.1:port/v1).
type Server struct {
	URL    string
	opt    Options
	srv    *httptest.Server
	active atomic.Int64
	seq    atomic.Int64

	mu    sync.Mutex
	rules []*Rule
	reqs  []Recorded
}

// NewServer starts a Server. With tb not nil it is closed by tb.Cleanup;
// otherwise call Close.
func NewServer(tb testing.TB, opt Options) *Server {
	if opt.Key == "" {
		opt.Key = DefaultKey
	}
	if len(opt.Models) == 0 {
		opt.Models = []string{DefaultModel}
	}
	s := &Server{opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.chat)
	mux.HandleFunc("/v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "", "unknown_url",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close stops the server and waits for its handlers.
func (s *Server) Close() { s.srv.Close() }

// Script adds a rule: requests that m matches get r. Rules are tried in
// the order they were added.
func (s *Server) Script(m Matcher, r Reply) *Rule {
	rule := &Rule{match: m, reply: r, times: -1}
	s.mu.Lock()
	s.rules = append(s.rules, rule)
	s.mu.Unlock()
	return rule
}

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.reqs...)
}

// Active is the number of requests being answered right now; it drops to 0
// once a client that hung up mid-stream has been noticed.
func (s *Server) Active() int { return int(s.active.Load()) }

func (s *Server) record(r *http.Request, body []byte, req Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, Recorded{Method: r.Method, Path: r.URL.Path,
		Auth: r.Header.Get("Authorization"), Body: body, Req: req})
	return len(s.reqs) - 1
}

func (s *Server) setStatus(i, status int) {
	s.mu.Lock()
	s.reqs[i].Status = status
	s.mu.Unlock()
}

// authorized checks the Bearer token and answers 401 as OpenAI does.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.opt.NoAuth {
		return true
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	switch {
	case !ok || token == "":
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "",
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
		return false
	case token != s.opt.Key:
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key",
			"Incorrect API key provided: "+maskKey(token)+". You can find your API key at https://platform.openai.com/account/api-keys.")
		return false
	}
	return true
}

// maskKey shows a key as OpenAI does: its first and last few characters.
func maskKey(k string) string {
	if len(k) <= 8 {
		return "****"
	}
	return k[:3] + strings.Repeat("*", 8) + k[len(k)-4:]
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "", "Method not allowed")
		return
	}
	if !s.authorized(w, r) {
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list"}
	for _, m := range s.opt.Models {
		list.Data = append(list.Data, model{ID: m, Object: "model", Created: 1700000000, OwnedBy: "llmtest"})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Add(-1)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var req Request
	decodeErr := json.Unmarshal(body, &req)
	idx := s.record(r, body, req)
	sw := &statusWriter{ResponseWriter: w, onStatus: func(code int) { s.setStatus(idx, code) }}
	switch {
	case r.Method != http.MethodPost:
		writeError(sw, http.StatusMethodNotAllowed, "invalid_request_error", "", "", "Method not allowed")
		return
	case !s.authorized(sw, r):
		return
	case decodeErr != nil:
		writeError(sw, http.StatusBadRequest, "invalid_request_error", "", "",
			"We could not parse the JSON body of your request. ("+decodeErr.Error()+")")
		return
	}
	if !s.validate(sw, req) {
		return
	}
	reply, ok := s.pick(req)
	if !ok {
		writeError(sw, http.StatusBadRequest, "invalid_request_error", "", "llmtest_unscripted",
			"llmtest: no scripted reply matches this request")
		return
	}
	s.answer(r.Context(), sw, req, reply)
}

func (s *Server) pick(req Request) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rule := range s.rules {
		if rule.times == 0 || !rule.match(req) {
			continue
		}
		if rule.times > 0 {
			rule.times--
		}
		rule.used++
		return rule.reply, true
	}
	return Reply{}, false
}

func (s *Server) answer(ctx context.Context, w *statusWriter, req Request, reply Reply) {
	if !sleep(ctx, reply.InitialDelay) {
		return
	}
	if reply.Status != 0 {
		writeStatusError(w, reply.Status, reply.ErrorMessage)
		return
	}
	if reply.ChunkDelay == 0 {
		reply.ChunkDelay = s.opt.ChunkDelay
	}
	if noTools(req) {
		reply.ToolCalls = nil // tool_choice "none": the model cannot call
	}
	id := fmt.Sprintf("chatcmpl-llmtest%d", s.seq.Add(1))
	if !req.Stream {
		writeJSON(w, http.StatusOK, completionOf(id, req.Model, reply))
		return
	}
	streamReply(ctx, w, id, req, reply)
}

func noTools(req Request) bool {
	var choice string
	return len(req.Tools) == 0 || json.Unmarshal(req.ToolChoice, &choice) == nil && choice == "none"
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// statusWriter records the status in the request log as soon as it is
// written, before the body: a client may inspect Requests the moment it
// has read the answer.
type statusWriter struct {
	http.ResponseWriter
	onStatus func(int)
	wrote    bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.onStatus(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	body := apiError{Error: apiErrorBody{Message: msg, Type: typ}}
	if param != "" {
		body.Error.Param = &param
	}
	if code != "" {
		body.Error.Code = &code
	}
	writeJSON(w, status, body)
}

// writeStatusError answers an injected failure with OpenAI's body for it.
func writeStatusError(w http.ResponseWriter, status int, msg string) {
	typ, code, def := "server_error", "", "The server had an error while processing your request. Sorry about that!"
	switch {
	case status == http.StatusTooManyRequests:
		typ, code, def = "requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 1s."
		w.Header().Set("Retry-After", "1")
	case status == http.StatusUnauthorized:
		typ, code, def = "invalid_request_error", "invalid_api_key", "Incorrect API key provided."
	case status == http.StatusServiceUnavailable:
		def = "The engine is currently overloaded, please try again later."
	case status < 500:
		typ, def = "invalid_request_error", "Bad request."
	}
	if msg == "" {
		msg = def
	}
	writeError(w, status, typ, "", code, msg)
}
