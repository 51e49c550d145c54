package ttstest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// Credentials an AzureTTSServer accepts by default.
const (
	DefaultAzureKey   = "azure-test-key-0123456789abcdef"
	DefaultAzureToken = "azure-test-token-0123456789"
)

// AzureTTSPath is the synthesis path of the REST API.
const AzureTTSPath = "/cognitiveservices/v1"

// AzureVoices are the voices the server knows by default.
var AzureVoices = []string{
	"zh-HK-HiuMaanNeural", "zh-HK-WanLungNeural", "zh-HK-HiuGaaiNeural",
	"en-US-JennyNeural", "en-US-GuyNeural", "en-US-AriaNeural", "en-HK-YanNeural", "en-HK-SamNeural",
	"zh-CN-XiaoxiaoNeural", "zh-CN-YunxiNeural",
}

// azureFormat is one X-Microsoft-OutputFormat the server can produce.
type azureFormat struct {
	rate  int
	codec string // "mulaw", "alaw" or "pcm"
	riff  bool
}

var azureFormats = map[string]azureFormat{
	"raw-8khz-8bit-mono-mulaw":   {8000, "mulaw", false},
	"raw-8khz-8bit-mono-alaw":    {8000, "alaw", false},
	"raw-8khz-16bit-mono-pcm":    {8000, "pcm", false},
	"raw-16khz-16bit-mono-pcm":   {16000, "pcm", false},
	"raw-22050hz-16bit-mono-pcm": {22050, "pcm", false},
	"raw-24khz-16bit-mono-pcm":   {24000, "pcm", false},
	"raw-48khz-16bit-mono-pcm":   {48000, "pcm", false},
	"riff-8khz-16bit-mono-pcm":   {8000, "pcm", true},
	"riff-16khz-16bit-mono-pcm":  {16000, "pcm", true},
	"riff-24khz-16bit-mono-pcm":  {24000, "pcm", true},
}

// AzureTTSOptions configures an AzureTTSServer. Zero values take the defaults.
type AzureTTSOptions struct {
	Key    string   // Ocp-Apim-Subscription-Key accepted (default DefaultAzureKey)
	Token  string   // Bearer token accepted (default DefaultAzureToken)
	Voices []string // voices known (default AzureVoices)
	// ChunkBytes is the body bytes per flushed write (default 3200).
	ChunkBytes int
	// ChunkDelay is the pause after each chunk (default 5 ms; negative: none).
	ChunkDelay time.Duration
	// HoldAfter, if positive, stops every reply after this many body bytes
	// until Release is called (or the client goes away).
	HoldAfter int
	// DropAfter, if positive, cuts the connection after this many body bytes.
	DropAfter int
	Log       *slog.Logger
}

// AzureTTSRequest is one request as the server saw it.
type AzureTTSRequest struct {
	SubscriptionKey string // Ocp-Apim-Subscription-Key header
	Authorization   string // Authorization header
	ContentType     string
	OutputFormat    string
	UserAgent       string
	Body            string    // the SSML as sent
	SSML            AzureSSML // the parsed SSML (zero if it did not parse)
	Status          int
	Size            int // body bytes of a 200 reply
	Sent            int // body bytes written so far
}

// AzureTTSServer imitates the Azure Speech TTS REST endpoint
// (POST /cognitiveservices/v1): it checks the key or bearer token,
// Content-Type application/ssml+xml, X-Microsoft-OutputFormat and
// User-Agent, parses the SSML (ParseAzureSSML), rejects unknown voices and
// formats with 400, and answers with the tone of AzureSSML.Audio in the
// requested format, chunked and paced.
type AzureTTSServer struct {
	srv     *httptest.Server
	opts    AzureTTSOptions
	release chan struct{}
	relOnce sync.Once
	quit    chan struct{}
	qOnce   sync.Once

	mu   sync.Mutex
	reqs []AzureTTSRequest
	fail []int
}

// NewAzureTTSServer starts a server on 127.0.0.1.
func NewAzureTTSServer(opts AzureTTSOptions) *AzureTTSServer {
	if opts.Key == "" {
		opts.Key = DefaultAzureKey
	}
	if opts.Token == "" {
		opts.Token = DefaultAzureToken
	}
	if len(opts.Voices) == 0 {
		opts.Voices = AzureVoices
	}
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = 3200
	}
	if opts.ChunkDelay == 0 {
		opts.ChunkDelay = 5 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &AzureTTSServer{opts: opts, release: make(chan struct{}), quit: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// URL is the synthesis endpoint (use it as the client's Endpoint).
func (s *AzureTTSServer) URL() string { return s.srv.URL + AzureTTSPath }

// Key is the subscription key the server accepts.
func (s *AzureTTSServer) Key() string { return s.opts.Key }

// Token is the bearer token the server accepts.
func (s *AzureTTSServer) Token() string { return s.opts.Token }

// Release lets held replies (HoldAfter) continue; later replies do not hold.
func (s *AzureTTSServer) Release() { s.relOnce.Do(func() { close(s.release) }) }

// FailNext makes the next requests fail with these statuses, in order.
func (s *AzureTTSServer) FailNext(status ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, status...)
	s.mu.Unlock()
}

// Requests returns a copy of the requests received so far.
func (s *AzureTTSServer) Requests() []AzureTTSRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AzureTTSRequest(nil), s.reqs...)
}

// Close stops held and paced replies and shuts the server down.
func (s *AzureTTSServer) Close() {
	s.qOnce.Do(func() { close(s.quit) })
	s.srv.Close()
}

func (s *AzureTTSServer) handle(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	idx := s.record(AzureTTSRequest{SubscriptionKey: r.Header.Get("Ocp-Apim-Subscription-Key"),
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"),
		OutputFormat: r.Header.Get("X-Microsoft-OutputFormat"), UserAgent: r.Header.Get("User-Agent"),
		Body: string(raw)})
	status, body, ct := s.serve(w, r, raw, idx)
	s.update(idx, func(q *AzureTTSRequest) { q.Status, q.Size = status, len(body) })
	if status != http.StatusOK {
		return
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	o := chunkOptions{size: s.opts.ChunkBytes, delay: max(s.opts.ChunkDelay, 0),
		holdAfter: s.opts.HoldAfter, dropAfter: s.opts.DropAfter}
	err := sendChunked(w, r, body, o, s.release, s.quit, func(n int) {
		s.update(idx, func(q *AzureTTSRequest) { q.Sent = n })
	})
	if err != nil {
		s.opts.Log.Debug("ttstest: azure reply abandoned", "request", idx, "err", err)
	}
}

// serve validates the request; for a 200 it returns the body and its
// Content-Type, otherwise it has written the error reply.
func (s *AzureTTSServer) serve(w http.ResponseWriter, r *http.Request, raw []byte, idx int) (int, []byte, string) {
	if r.URL.Path != AzureTTSPath {
		return azureError(w, http.StatusNotFound, "Resource not found"), nil, ""
	}
	if r.Method != http.MethodPost {
		return azureError(w, http.StatusMethodNotAllowed, "Only POST is supported"), nil, ""
	}
	if !s.authorised(r) {
		return azureError(w, http.StatusUnauthorized, "Access denied due to invalid subscription key or "+
			"wrong API endpoint. Make sure to provide a valid key for an active subscription and use a "+
			"correct regional API endpoint for your resource."), nil, ""
	}
	if st := s.scriptedFailure(w); st != 0 {
		return st, nil, ""
	}
	f, msg := s.checkHeaders(r, raw)
	if msg != "" {
		return azureError(w, http.StatusBadRequest, msg), nil, ""
	}
	doc, err := ParseAzureSSML(raw)
	if err != nil {
		return azureError(w, http.StatusBadRequest, err.Error()), nil, ""
	}
	s.update(idx, func(q *AzureTTSRequest) { q.SSML = doc })
	if msg := s.checkVoices(doc); msg != "" {
		return azureError(w, http.StatusBadRequest, msg), nil, ""
	}
	body, ct := encodeAzure(doc.Audio(f.rate), f)
	return http.StatusOK, body, ct
}

// authorised checks the key header, else the bearer token.
func (s *AzureTTSServer) authorised(r *http.Request) bool {
	if k := r.Header.Get("Ocp-Apim-Subscription-Key"); k != "" {
		return k == s.opts.Key
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && tok == s.opts.Token
}

// checkHeaders returns the output format, or the reason for a 400.
func (s *AzureTTSServer) checkHeaders(r *http.Request, raw []byte) (azureFormat, string) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name := r.Header.Get("X-Microsoft-OutputFormat")
	f, ok := azureFormats[strings.ToLower(name)]
	switch {
	case mt != "application/ssml+xml":
		return f, fmt.Sprintf("Content-Type %q is not application/ssml+xml", r.Header.Get("Content-Type"))
	case r.Header.Get("User-Agent") == "":
		return f, "User-Agent header is required"
	case name == "":
		return f, "X-Microsoft-OutputFormat header is required"
	case !ok:
		return f, fmt.Sprintf("Unsupported output format %q", name)
	case len(raw) > maxBody:
		return f, "SSML too long"
	}
	return f, ""
}

// checkVoices returns the reason for a 400 if a voice is unknown or the
// document has nothing to say.
func (s *AzureTTSServer) checkVoices(doc AzureSSML) string {
	if len(doc.Voices) == 0 {
		return "SSML has no <voice> element"
	}
	for _, v := range doc.Voices {
		known := false
		for _, k := range s.opts.Voices {
			known = known || strings.EqualFold(k, v)
		}
		if !known {
			return fmt.Sprintf("Unsupported voice %s.", v)
		}
	}
	if strings.TrimSpace(doc.Text) == "" && len(doc.Breaks) == 0 {
		return "SSML has no text to speak"
	}
	return ""
}

// scriptedFailure answers the next FailNext status, if any.
func (s *AzureTTSServer) scriptedFailure(w http.ResponseWriter) int {
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
		w.Header().Set("Retry-After", "2")
		return azureError(w, st, "Requests to the Speech Synthesis API have exceeded the rate limit of "+
			"your current tier. Please retry after 2 seconds.")
	case st >= 500:
		return azureError(w, st, "Internal service error.")
	}
	return azureError(w, st, http.StatusText(st))
}

// azureError writes {"error":{"code":"…","message":"…"}} and returns status.
func azureError(w http.ResponseWriter, status int, msg string) int {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	b, _ := json.Marshal(map[string]body{"error": {strconv.Itoa(status), msg}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

// encodeAzure encodes pcm in format f and returns the body and its Content-Type.
func encodeAzure(pcm audio.PCM16, f azureFormat) ([]byte, string) {
	switch f.codec {
	case "mulaw":
		return audio.EncodeULaw(nil, pcm), "audio/basic"
	case "alaw":
		return audio.EncodeALaw(nil, pcm), "audio/x-alaw-basic"
	}
	if f.riff {
		var b strings.Builder
		_ = audio.WriteWAV(&b, pcm, f.rate) // rates in the table are valid
		return []byte(b.String()), "audio/x-wav"
	}
	b := make([]byte, 0, 2*len(pcm))
	for _, v := range pcm {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b, "audio/pcm"
}

func (s *AzureTTSServer) record(q AzureTTSRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, q)
	return len(s.reqs) - 1
}

func (s *AzureTTSServer) update(i int, fn func(*AzureTTSRequest)) {
	s.mu.Lock()
	fn(&s.reqs[i])
	s.mu.Unlock()
}
