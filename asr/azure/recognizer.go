package azure

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/yuecall/yuecall/asr"
)

const (
	// expectContinueTimeout is how long the client waits for "100 Continue"
	// before uploading anyway.
	expectContinueTimeout = time.Second
	// maxReplyBytes bounds a reply body.
	maxReplyBytes = 1 << 20
	// contentType is the documented PCM content type.
	contentType = "audio/wav; codecs=audio/pcm; samplerate=16000"
)

// Recognizer opens per-utterance streams to one Azure Speech resource.
type Recognizer struct {
	cfg       Config
	log       *slog.Logger
	url       string
	client    *http.Client
	transport *http.Transport
	tokens    *tokenSource  // nil unless Config.UseToken
	pool      sync.Pool     // *[]byte PCM frames, shared by the streams
	maxAudio  time.Duration // MaxAudio; tests shorten it
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New checks cfg (zero fields take the defaults) and returns a Recognizer.
// A nil log discards.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ExpectContinueTimeout: expectContinueTimeout,
		ResponseHeaderTimeout: cfg.Timeout, // counted from the end of the upload
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		// HTTP/1.1 with chunked transfer, as the service documents it.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	r := &Recognizer{
		cfg:       cfg,
		log:       log.With("asr", "azure", "language", cfg.Language),
		url:       cfg.recognitionURL(),
		client:    &http.Client{Transport: tr},
		transport: tr,
		maxAudio:  MaxAudio,
	}
	if cfg.UseToken {
		r.tokens = &tokenSource{url: cfg.tokenURL(), key: cfg.Key, client: r.client, timeout: cfg.Timeout, now: time.Now}
	}
	return r, nil
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// CloseIdleConnections closes the recogniser's idle keep-alive connections.
func (r *Recognizer) CloseIdleConnections() { r.transport.CloseIdleConnections() }

// NewStream opens a stream; see Open.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	return r.Open(ctx), nil
}

// Open starts the request for one utterance at once (fetching a token
// first if needed) and returns its stream; audio written meanwhile waits in
// the send queue. Failures surface through Err. The stream ends with ctx,
// and at the latest MaxAudio + ConnectTimeout + 2×Timeout after Open.
func (r *Recognizer) Open(ctx context.Context) *Stream {
	return startStream(ctx, r)
}

// auth returns the authentication header to send, and the bearer token
// used (empty with the key).
func (r *Recognizer) auth(ctx context.Context) (name, value, token string, err error) {
	if r.tokens == nil {
		return "Ocp-Apim-Subscription-Key", r.cfg.Key, "", nil
	}
	tok, err := r.tokens.get(ctx)
	if err != nil {
		return "", "", "", err
	}
	return "Authorization", "Bearer " + tok, tok, nil
}

// newRequest builds the chunked POST whose body is read from body.
func (r *Recognizer) newRequest(ctx context.Context, body io.Reader, authName, authValue string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRequest, err)
	}
	req.ContentLength = -1 // unknown: Transfer-Encoding: chunked
	req.Header.Set(authName, authValue)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Expect", "100-continue")
	return req, nil
}

// classify maps a transport error, redacting the key.
func (r *Recognizer) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: no reply within %v: %s", ErrRequest, r.cfg.Timeout, redact(err.Error(), r.cfg.Key))
	}
	return fmt.Errorf("%w: %s", ErrRequest, redact(err.Error(), r.cfg.Key))
}
