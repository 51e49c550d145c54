package ttstest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// OpenAIPCMRate is the rate of the "pcm" response format (and of the MP3s
// the server sends).
const OpenAIPCMRate = 24000

// OpenAIMaxInput is the longest input, in characters, /v1/audio/speech accepts.
const OpenAIMaxInput = 4096

// DefaultOpenAIKey is the key an OpenAISpeechServer accepts by default.
const DefaultOpenAIKey = "sk-test-yuecall-0123456789abcdef"

// OpenAISpeechOptions configures an OpenAISpeechServer. Zero values take the defaults.
type OpenAISpeechOptions struct {
	// Key is the Bearer key the server accepts (default DefaultOpenAIKey).
	Key string
	// Stereo makes MP3 replies two-channel (signal left, silence right).
	Stereo bool
	// ChunkBytes is the body bytes per flushed write (default 4096).
	ChunkBytes int
	// ChunkDelay is the pause after each chunk (default 5 ms; negative: none).
	ChunkDelay time.Duration
	// HoldAfter, if positive, stops every reply after this many body bytes
	// until Release is called (or the client goes away).
	HoldAfter int
	// DropAfter, if positive, cuts the connection after this many body bytes.
	DropAfter int
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// OpenAISpeechRequest is one request as the server saw it.
type OpenAISpeechRequest struct {
	Authorization string // the raw header
	ContentType   string
	Model         string
	Input         string
	Voice         string
	Instructions  string
	Format        string  // response_format as sent ("" when absent)
	Speed         float64 // 0 when absent
	StreamFormat  string
	Status        int // status of the reply
	Size          int // body bytes of a 200 reply
	Sent          int // body bytes written so far
}

// OpenAISpeechServer imitates POST /v1/audio/speech of the OpenAI API: it
// checks the Bearer key and the JSON body like the real service (required
// fields, known models and voices, input ≤ 4096 characters, speed
// 0.25..4.0, unknown fields rejected) and answers with OpenAI error JSON or
// with audio of the tone Speech: real MP3 made by lame (24 kHz), 24 kHz
// PCM16 for "pcm", or a WAV file. Bodies are chunked and paced so that
// clients can be shown to decode while the body is still arriving.
type OpenAISpeechServer struct {
	srv     *httptest.Server
	opts    OpenAISpeechOptions
	cache   mp3Cache
	release chan struct{}
	relOnce sync.Once
	quit    chan struct{}
	qOnce   sync.Once

	mu   sync.Mutex
	reqs []OpenAISpeechRequest
	fail []int
}

// NewOpenAISpeechServer starts a server on 127.0.0.1. It fails with
// ErrNoLame when the lame encoder is missing.
func NewOpenAISpeechServer(opts OpenAISpeechOptions) (*OpenAISpeechServer, error) {
	if _, err := exec.LookPath("lame"); err != nil {
		return nil, ErrNoLame
	}
	if opts.Key == "" {
		opts.Key = DefaultOpenAIKey
	}
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = 4096
	}
	if opts.ChunkDelay == 0 {
		opts.ChunkDelay = 5 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &OpenAISpeechServer{opts: opts, release: make(chan struct{}), quit: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.handle)
	s.srv = httptest.NewServer(mux)
	return s, nil
}

// URL is the API root to use as a client's base URL (".../v1").
func (s *OpenAISpeechServer) URL() string { return s.srv.URL + "/v1" }

// Key is the key the server accepts.
func (s *OpenAISpeechServer) Key() string { return s.opts.Key }

// Release lets held replies (HoldAfter) continue; later replies do not hold.
func (s *OpenAISpeechServer) Release() { s.relOnce.Do(func() { close(s.release) }) }

// FailNext makes the next requests fail with these statuses (429, 500,
// 503, …) and OpenAI's error JSON for them, in order.
func (s *OpenAISpeechServer) FailNext(status ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, status...)
	s.mu.Unlock()
}

// Requests returns a copy of the requests received so far.
func (s *OpenAISpeechServer) Requests() []OpenAISpeechRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]OpenAISpeechRequest(nil), s.reqs...)
}

// Close stops held and paced replies and shuts the server down.
func (s *OpenAISpeechServer) Close() {
	s.qOnce.Do(func() { close(s.quit) })
	s.srv.Close()
}

// OpenAISpeechPCM is the 24 kHz signal the server encodes for input at
// speed (0 means 1.0): Speech of SpeechDuration(input)/speed.
func OpenAISpeechPCM(input string, speed float64) audio.PCM16 {
	if speed == 0 {
		speed = 1
	}
	return Speech(time.Duration(float64(SpeechDuration(input))/speed), OpenAIPCMRate)
}

// openAIError is the error JSON of the OpenAI API.
type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func (s *OpenAISpeechServer) handle(w http.ResponseWriter, r *http.Request) {
	idx := s.record(OpenAISpeechRequest{Authorization: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type")})
	status, body, format := s.serve(w, r, idx)
	s.update(idx, func(q *OpenAISpeechRequest) { q.Status = status })
	if status != http.StatusOK {
		return
	}
	w.Header().Set("Content-Type", map[string]string{"mp3": "audio/mpeg", "pcm": "audio/pcm",
		"wav": "audio/wav"}[format])
	w.WriteHeader(http.StatusOK)
	o := chunkOptions{size: s.opts.ChunkBytes, delay: max(s.opts.ChunkDelay, 0),
		holdAfter: s.opts.HoldAfter, dropAfter: s.opts.DropAfter}
	err := sendChunked(w, r, body, o, s.release, s.quit, func(n int) {
		s.update(idx, func(q *OpenAISpeechRequest) { q.Sent = n })
	})
	if err != nil {
		s.opts.Log.Debug("ttstest: openai reply abandoned", "request", idx, "err", err)
	}
}

// serve validates the request; for a 200 it returns the body to stream,
// otherwise it has written the error reply.
func (s *OpenAISpeechServer) serve(w http.ResponseWriter, r *http.Request, idx int) (int, []byte, string) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/speech" {
		return writeOpenAIError(w, http.StatusNotFound, "invalid_request_error", "", "",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)), nil, ""
	}
	if st := s.checkAuth(w, r); st != 0 {
		return st, nil, ""
	}
	if st := s.scriptedFailure(w); st != 0 {
		return st, nil, ""
	}
	req, st := parseSpeechRequest(w, r)
	if st != 0 {
		return st, nil, ""
	}
	s.update(idx, func(q *OpenAISpeechRequest) {
		q.Model, q.Voice, q.Instructions = req.Model, req.Voice, req.Instructions
		if req.Input != nil {
			q.Input = *req.Input
		}
		q.Format, q.StreamFormat = req.ResponseFormat, req.StreamFormat
		if req.Speed != nil {
			q.Speed = *req.Speed
		}
	})
	if st := checkSpeechRequest(w, req); st != 0 {
		return st, nil, ""
	}
	format := req.ResponseFormat
	if format == "" {
		format = "mp3"
	}
	body, err := s.audio(r, req, format)
	if err != nil {
		s.opts.Log.Error("ttstest: openai audio", "err", err)
		return writeOpenAIError(w, http.StatusInternalServerError, "server_error", "", "",
			"ttstest: "+err.Error()), nil, ""
	}
	s.update(idx, func(q *OpenAISpeechRequest) { q.Size = len(body) })
	return http.StatusOK, body, format
}

// checkAuth answers 401 like OpenAI for a missing or wrong key.
func (s *OpenAISpeechServer) checkAuth(w http.ResponseWriter, r *http.Request) int {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	switch {
	case !ok || key == "":
		return writeOpenAIError(w, http.StatusUnauthorized, "invalid_request_error", "", "",
			"You didn't provide an API key. You need to provide your API key in an Authorization header "+
				"using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
	case key != s.opts.Key:
		return writeOpenAIError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key",
			"Incorrect API key provided: "+maskKey(key)+". You can find your API key at "+
				"https://platform.openai.com/account/api-keys.")
	}
	return 0
}

// maskKey masks a key the way OpenAI echoes it: the first and last four
// characters kept.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:4] + strings.Repeat("*", len(k)-8) + k[len(k)-4:]
}

// scriptedFailure answers the next FailNext status, if any.
func (s *OpenAISpeechServer) scriptedFailure(w http.ResponseWriter) int {
	s.mu.Lock()
	if len(s.fail) == 0 {
		s.mu.Unlock()
		return 0
	}
	st := s.fail[0]
	s.fail = s.fail[1:]
	s.mu.Unlock()
	switch {
	case st == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		return writeOpenAIError(w, st, "requests", "", "rate_limit_exceeded",
			"Rate limit reached for gpt-4o-mini-tts in organization org-test on requests per min (RPM): "+
				"Limit 3, Used 3, Requested 1. Please try again in 20s.")
	case st == http.StatusServiceUnavailable:
		return writeOpenAIError(w, st, "server_error", "", "",
			"The engine is currently overloaded, please try again later.")
	case st >= 500:
		return writeOpenAIError(w, st, "server_error", "", "",
			"The server had an error while processing your request. Sorry about that!")
	}
	return writeOpenAIError(w, st, "invalid_request_error", "", "", http.StatusText(st))
}

// writeOpenAIError writes {"error":{message,type,param,code}} and returns status.
func writeOpenAIError(w http.ResponseWriter, status int, typ, param, code, msg string) int {
	e := openAIError{Message: msg, Type: typ}
	if param != "" {
		e.Param = &param
	}
	if code != "" {
		e.Code = &code
	}
	b, _ := json.Marshal(map[string]openAIError{"error": e})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

// audio renders the reply body for a valid request.
func (s *OpenAISpeechServer) audio(r *http.Request, req speechRequest, format string) ([]byte, error) {
	speed := 1.0
	if req.Speed != nil {
		speed = *req.Speed
	}
	pcm := OpenAISpeechPCM(*req.Input, speed)
	switch format {
	case "mp3":
		return s.cache.get(r.Context(), pcm, s.opts.Stereo)
	case "pcm":
		b := make([]byte, 0, 2*len(pcm))
		for _, v := range pcm {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		return b, nil
	}
	var buf strings.Builder
	if err := audio.WriteWAV(&buf, pcm, OpenAIPCMRate); err != nil {
		return nil, err
	}
	return []byte(buf.String()), nil
}

// contentTypeIsJSON reports whether ct names application/json.
func contentTypeIsJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func (s *OpenAISpeechServer) record(q OpenAISpeechRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, q)
	return len(s.reqs) - 1
}

func (s *OpenAISpeechServer) update(i int, fn func(*OpenAISpeechRequest)) {
	s.mu.Lock()
	fn(&s.reqs[i])
	s.mu.Unlock()
}
