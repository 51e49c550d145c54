package asrtest

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// OpenAISegment is one segment of a scripted transcription.
type OpenAISegment struct {
	Text string
	// Start and End in seconds; when both are zero the server spreads the
	// segments evenly over the audio.
	Start, End float64
	// NoSpeechProb is Whisper's probability that the segment is not speech.
	NoSpeechProb float64
}

// OpenAIReply is the server's answer to one transcription request.
type OpenAIReply struct {
	Segments []OpenAISegment
	// Status, if non-zero, answers with this HTTP status and an OpenAI error
	// body made of Type, Code (empty gives null) and Message.
	Status              int
	Type, Code, Message string
	// Delay holds the answer back like a busy model; a client that goes
	// away meanwhile is recorded as Canceled.
	Delay time.Duration
}

// OpenAIOptions configures an OpenAIServer. Zero values take the defaults.
type OpenAIOptions struct {
	// Key, if set, is the bearer token every request must carry (the
	// OpenAI API); empty accepts any or none (a self-hosted server).
	Key string
	// Models are the models served (default whisper-1, gpt-4o-transcribe,
	// gpt-4o-mini-transcribe). Others get 404 model_not_found.
	Models []string
	// YueModels are served models with a <|yue|> token (Whisper large-v3 and
	// later): only they accept language "yue"; the others take ISO-639-1 only.
	YueModels []string
	// Script answers request i (0-based, in arrival order) given its audio
	// and sample rate. Default: OpenAIScripted("我想查詢戶口結餘").
	Script func(index int, audio []int16, rate int) OpenAIReply
	// MaxBytes caps the request body; beyond it the server answers 413
	// (default 26214400, the API's 25 MiB).
	MaxBytes int64
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// DefaultOpenAIModels are the hosted transcription models OpenAIServer serves by default.
var DefaultOpenAIModels = []string{"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"}

func (o OpenAIOptions) withDefaults() OpenAIOptions {
	if len(o.Models) == 0 && len(o.YueModels) == 0 {
		o.Models = DefaultOpenAIModels
	}
	if o.Script == nil {
		o.Script = OpenAIScripted("我想查詢戶口結餘")
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = maxOpenAIBody
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o OpenAIOptions) serves(model string) bool {
	return slices.Contains(o.Models, model) || slices.Contains(o.YueModels, model)
}

// SilenceRMS is the RMS (full scale 1.0) under which scripted servers treat
// the audio as silence.
const SilenceRMS = 0.003

// Hallucination is what Whisper tends to "hear" in silence; scripted
// OpenAI servers return it with a high no_speech_prob.
const Hallucination = "多謝收看"

// OpenAIScripted returns a Script that gives request i the transcript
// texts[i%len(texts)], split into segments at SegmentSep. Silent audio gets
// one Hallucination segment with no_speech_prob 0.93, as Whisper does.
func OpenAIScripted(texts ...string) func(int, []int16, int) OpenAIReply {
	return func(i int, pcm []int16, _ int) OpenAIReply {
		if rms, _ := pcmStats(pcm); rms < SilenceRMS || len(texts) == 0 {
			return OpenAIReply{Segments: []OpenAISegment{{Text: Hallucination, NoSpeechProb: 0.93}}}
		}
		var segs []OpenAISegment
		for _, t := range strings.Split(texts[i%len(texts)], SegmentSep) {
			segs = append(segs, OpenAISegment{Text: t, NoSpeechProb: 0.02})
		}
		return OpenAIReply{Segments: segs}
	}
}

// pcmStats returns the RMS and peak of pcm, full scale 1.0.
func pcmStats(pcm []int16) (rms, peak float64) {
	var sum float64
	for _, v := range pcm {
		f := float64(v) / 32768
		sum += f * f
		peak = max(peak, math.Abs(f))
	}
	if len(pcm) > 0 {
		rms = math.Sqrt(sum / float64(len(pcm)))
	}
	return rms, peak
}

// OpenAIRequest is what the server received on one transcription request
// and what it answered.
type OpenAIRequest struct {
	Index       int
	Auth        string // "bearer" if a Bearer token came, "other" for another scheme, "" for none
	AuthOK      bool   // the token was the server's Key (or no Key is required)
	ContentType string // the request's Content-Type
	// Fields holds every form field except the file, as sent.
	Fields                                  map[string][]string
	Model, Language, Prompt, ResponseFormat string
	FileName, FileType                      string // the file part's filename and Content-Type
	FileBytes                               int
	SampleRate, Channels, Samples           int     // of the decoded WAV
	RMS                                     float64 // of the decoded WAV, full scale 1.0
	Status                                  int     // HTTP status answered
	ErrorCode, ErrorMessage                 string  // of an error answer
	Text                                    string  // transcript answered (all segments)
	Canceled                                bool    // the client went away before the answer
	Done                                    bool    // the handler finished
}

// OpenAIServer is a double of POST /v1/audio/transcriptions (the OpenAI API,
// or a self-hosted Whisper server) on 127.0.0.1. Start it with
// NewOpenAITranscriptionServer and stop it with Close.
type OpenAIServer struct {
	opts OpenAIOptions
	http *httptest.Server

	mu      sync.Mutex // guards everything below
	reqs    []*OpenAIRequest
	changed chan struct{} // closed and replaced whenever a request finishes
}

// NewOpenAITranscriptionServer starts a server on 127.0.0.1 with a free port.
func NewOpenAITranscriptionServer(opts OpenAIOptions) *OpenAIServer {
	s := &OpenAIServer{opts: opts.withDefaults(), changed: make(chan struct{})}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the API root to configure as the client's base URL: "http://127.0.0.1:port/v1".
func (s *OpenAIServer) URL() string { return s.http.URL + "/v1" }

// Close stops the server, cutting open connections, and waits for its handlers.
func (s *OpenAIServer) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}

// Requests returns a copy of the request records, in arrival order.
func (s *OpenAIServer) Requests() []OpenAIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OpenAIRequest, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = *r
		out[i].Fields = make(map[string][]string, len(r.Fields))
		for k, v := range r.Fields {
			out[i].Fields[k] = slices.Clone(v)
		}
	}
	return out
}

// WaitRequests waits until at least n requests have finished and returns the records.
func (s *OpenAIServer) WaitRequests(ctx context.Context, n int) ([]OpenAIRequest, error) {
	for {
		s.mu.Lock()
		done := 0
		for _, r := range s.reqs {
			if r.Done {
				done++
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if done >= n {
			return s.Requests(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Requests(), fmt.Errorf("asrtest: %d of %d transcription requests finished: %w", done, n, ctx.Err())
		}
	}
}

func (s *OpenAIServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		writeOpenAIError(w, http.StatusNotFound, "invalid_request_error", "", "",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
		return
	}
	rec := s.register(r)
	ex := &openaiExchange{srv: s, w: w, r: r, rec: rec}
	ex.serve()
	s.update(rec, func(q *OpenAIRequest) { q.Done = true })
}

func (s *OpenAIServer) register(r *http.Request) *OpenAIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &OpenAIRequest{Index: len(s.reqs), ContentType: r.Header.Get("Content-Type"), Fields: map[string][]string{}}
	s.reqs = append(s.reqs, rec)
	s.notifyLocked()
	return rec
}

// update runs fn on a record under the server lock and wakes waiters.
func (s *OpenAIServer) update(rec *OpenAIRequest, fn func(*OpenAIRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(rec)
	s.notifyLocked()
}

func (s *OpenAIServer) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}
