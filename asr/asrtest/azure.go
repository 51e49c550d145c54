package asrtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Azure short-audio routes.
const (
	AzureRecognitionPath = "/speech/recognition/conversation/cognitiveservices/v1"
	AzureTokenPath       = "/sts/v1.0/issueToken"
)

// AzureReply is the server's answer to one recognition request.
type AzureReply struct {
	// Status is the RecognitionStatus: Success (the default when Text is
	// set), NoMatch, InitialSilenceTimeout, BabbleTimeout or Error.
	Status string
	// Text is the DisplayText (and NBest[0].Display).
	Text string
	// Confidence of NBest[0] (default 0.9).
	Confidence float64
	// HTTPStatus, if non-zero, answers with this status and a JSON error
	// body carrying Message instead of a recognition result.
	HTTPStatus int
	Message    string
	// Delay holds the answer back; a client that goes away meanwhile is
	// recorded as Canceled.
	Delay time.Duration
}

// AzureOptions configures an AzureServer. Zero values take the defaults.
type AzureOptions struct {
	// Key is the resource key the service accepts (default "azure-test-key").
	Key string
	// Languages are the locales served (default zh-HK, zh-CN, zh-TW, en-US).
	Languages []string
	// Script answers request i (0-based, in arrival order) given the audio
	// received. Default: AzureScripted("我想查詢戶口結餘。").
	Script func(index int, audio []int16) AzureReply
	// MaxAudio is the most audio recognised per request; the rest is not
	// read and the request is flagged OverLimit (default 60 s, the REST limit).
	MaxAudio time.Duration
	// TokenTTL is how long issued tokens are accepted (default 10 min).
	TokenTTL time.Duration
	// OffsetsAsStrings writes Offset and Duration as JSON strings, as the
	// documentation's samples do (the live service writes numbers).
	OffsetsAsStrings bool
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// DefaultAzureKey is the resource key an AzureServer accepts by default.
const DefaultAzureKey = "azure-test-key"

func (o AzureOptions) withDefaults() AzureOptions {
	if o.Key == "" {
		o.Key = DefaultAzureKey
	}
	if len(o.Languages) == 0 {
		o.Languages = []string{"zh-HK", "zh-CN", "zh-TW", "en-US"}
	}
	if o.Script == nil {
		o.Script = AzureScripted("我想查詢戶口結餘。")
	}
	if o.MaxAudio == 0 {
		o.MaxAudio = 60 * time.Second
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 10 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// AzureScripted returns a Script that recognises request i as
// texts[i%len(texts)], and silent audio as NoMatch.
func AzureScripted(texts ...string) func(int, []int16) AzureReply {
	return func(i int, pcm []int16) AzureReply {
		if rms, _ := pcmStats(pcm); rms < SilenceRMS || len(texts) == 0 {
			return AzureReply{Status: "NoMatch"}
		}
		return AzureReply{Text: texts[i%len(texts)]}
	}
}

// AzureRequest is what the server received on one recognition request and
// what it answered.
type AzureRequest struct {
	Index                       int
	Language, Format, Profanity string // query parameters
	Auth                        string // "key", "bearer", or "" for none
	AuthOK                      bool
	ContentType, Accept, Expect string // request headers
	Chunked                     bool   // Transfer-Encoding: chunked
	ContentLength               int64  // -1 when chunked
	SampleRate, Channels, Bits  int    // from the RIFF header
	Samples                     int    // PCM samples received
	RMS                         float64
	OverLimit                   bool   // more than MaxAudio came
	HTTPStatus                  int    // status answered
	RecognitionStatus           string // of a 200 answer
	Text                        string // DisplayText answered
	Canceled                    bool   // the client went away before the answer
	Done                        bool   // the handler finished
}

// AzureServer is a double of Azure Speech's short-audio REST endpoint and
// its issueToken endpoint on 127.0.0.1. Start it with NewAzureSTTServer and
// stop it with Close.
type AzureServer struct {
	opts AzureOptions
	http *httptest.Server

	mu        sync.Mutex // guards everything below
	reqs      []*AzureRequest
	tokens    map[string]time.Time // issued token -> expiry
	tokenReqs int
	changed   chan struct{} // closed and replaced on every record change
}

// NewAzureSTTServer starts a server on 127.0.0.1 with a free port.
func NewAzureSTTServer(opts AzureOptions) *AzureServer {
	s := &AzureServer{opts: opts.withDefaults(), tokens: map[string]time.Time{}, changed: make(chan struct{})}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the recognition endpoint, without query.
func (s *AzureServer) URL() string { return s.http.URL + AzureRecognitionPath }

// TokenURL is the issueToken endpoint.
func (s *AzureServer) TokenURL() string { return s.http.URL + AzureTokenPath }

// Close stops the server, cutting open connections, and waits for its handlers.
func (s *AzureServer) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}

// Requests returns a copy of the recognition request records, in arrival order.
func (s *AzureServer) Requests() []AzureRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AzureRequest, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = *r
	}
	return out
}

// TokenRequests is how many issueToken requests came (granted or not).
func (s *AzureServer) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenReqs
}

// WaitRequests waits until at least n recognition requests have finished.
func (s *AzureServer) WaitRequests(ctx context.Context, n int) ([]AzureRequest, error) {
	err := s.wait(ctx, func() bool {
		done := 0
		for _, r := range s.reqs {
			if r.Done {
				done++
			}
		}
		return done >= n
	})
	if err != nil {
		return s.Requests(), fmt.Errorf("asrtest: waiting for %d finished azure requests: %w", n, err)
	}
	return s.Requests(), nil
}

// WaitSamples waits until request index has delivered at least n samples
// of audio (or has finished).
func (s *AzureServer) WaitSamples(ctx context.Context, index, n int) error {
	err := s.wait(ctx, func() bool {
		return index < len(s.reqs) && (s.reqs[index].Samples >= n || s.reqs[index].Done)
	})
	if err != nil {
		return fmt.Errorf("asrtest: waiting for %d samples on azure request %d: %w", n, index, err)
	}
	return nil
}

// wait blocks until cond, evaluated under the lock, holds.
func (s *AzureServer) wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// update runs fn on a record under the server lock and wakes waiters.
func (s *AzureServer) update(rec *AzureRequest, fn func(*AzureRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(rec)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *AzureServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == AzureTokenPath && r.Method == http.MethodPost:
		s.serveToken(w, r)
	case r.URL.Path == AzureRecognitionPath && r.Method == http.MethodPost:
		ex := &azureExchange{srv: s, w: w, r: r, rec: s.register(r)}
		ex.serve()
		s.update(ex.rec, func(q *AzureRequest) { q.Done = true })
	default:
		http.NotFound(w, r)
	}
}

func (s *AzureServer) register(r *http.Request) *AzureRequest {
	q := r.URL.Query()
	rec := &AzureRequest{
		Language:      q.Get("language"),
		Format:        q.Get("format"),
		Profanity:     q.Get("profanity"),
		ContentType:   r.Header.Get("Content-Type"),
		Accept:        r.Header.Get("Accept"),
		Expect:        r.Header.Get("Expect"),
		Chunked:       len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked",
		ContentLength: r.ContentLength,
	}
	s.mu.Lock()
	rec.Index = len(s.reqs)
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()
	s.update(rec, func(*AzureRequest) {})
	return rec
}

// serveToken implements POST /sts/v1.0/issueToken: the key in, a JWT-shaped
// token out as text/plain.
func (s *AzureServer) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenReqs++
	s.mu.Unlock()
	switch key := r.Header.Get("Ocp-Apim-Subscription-Key"); {
	case key == "":
		writeAzureError(w, http.StatusUnauthorized,
			"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.")
		return
	case key != s.opts.Key:
		writeAzureError(w, http.StatusUnauthorized, azureBadKey)
		return
	}
	exp := time.Now().Add(s.opts.TokenTTL)
	tok := newAzureToken(exp)
	s.mu.Lock()
	s.tokens[tok] = exp
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(tok))
}

// RevokeTokens invalidates every token issued so far, as a key rotation does.
func (s *AzureServer) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// tokenValid reports whether tok was issued and has not expired.
func (s *AzureServer) tokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}

func newAzureToken(exp time.Time) string {
	enc := base64.RawURLEncoding
	sig := make([]byte, 32)
	rand.Read(sig)
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := enc.EncodeToString(fmt.Appendf(nil, `{"region":"eastasia","exp":%d}`, exp.Unix()))
	return head + "." + body + "." + enc.EncodeToString(sig)
}
