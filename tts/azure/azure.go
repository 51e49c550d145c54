package azure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/internal/idlebody"
)

// Synthesizer posts one SSML document per sentence to the Azure TTS REST
// endpoint.
type Synthesizer struct {
	cfg       Config
	url       string
	client    *http.Client
	transport *http.Transport
	log       *slog.Logger

	mu    sync.Mutex
	token string // bearer token when cfg.Key is empty
}

var (
	_ tts.Synthesizer     = (*Synthesizer)(nil)
	_ tts.RateSynthesizer = (*Synthesizer)(nil)
)

// New checks the configuration and prepares a client with its own
// connection pool (released by Close).
func New(cfg Config, log *slog.Logger) (*Synthesizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 8
	return &Synthesizer{cfg: cfg, url: cfg.url(), client: &http.Client{Transport: tr},
		transport: tr, log: log, token: cfg.Token}, nil
}

// SetToken replaces the bearer token (they expire after 10 minutes). It is
// used only when the Config has no Key.
func (s *Synthesizer) SetToken(token string) {
	s.mu.Lock()
	s.token = token
	s.mu.Unlock()
}

// Close releases idle connections. Streams already returned keep working.
func (s *Synthesizer) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// Synthesize speaks text at the configured SampleRate.
func (s *Synthesizer) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	return s.SynthesizeRate(ctx, text, s.cfg.SampleRate)
}

// SynthesizeRate speaks text at rate: 8000 asks Azure for raw µ-law (the
// phone leg's codec, only expanded to PCM16 here), 16000 and 24000 for raw
// PCM16. The voice is the one for the text's language (tts.LanguageOf). It
// returns once the reply's headers have arrived; the body is decoded as it
// streams in.
func (s *Synthesizer) SynthesizeRate(ctx context.Context, text string, rate int) (tts.Stream, error) {
	format := formatFor(rate)
	if format == "" {
		return nil, fmt.Errorf("%w: %d", ErrRate, rate)
	}
	lang := tts.LanguageOf(ctx, breakTag.ReplaceAllString(text, " "))
	voice := s.cfg.Voices.For(lang)
	doc, err := SSML(voice, s.cfg.Rate, text)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancelCause(ctx)
	body := idlebody.Start(s.cfg.Timeout, func() { cancel(ErrTimeout) })
	start := time.Now()
	resp, err := s.post(rctx, doc, format)
	if err != nil {
		body.Stop()
		cancel(nil)
		s.log.Warn("azure: synthesis failed", "voice", voice, "lang", lang, "format", format, "err", err)
		return nil, err
	}
	width := 2
	if rate == 8000 {
		width = 1
	}
	st := &stream{rate: rate, body: body.Attach(resp.Body), ctx: rctx,
		cancel: cancel, timeout: s.cfg.Timeout}
	st.src = newRawSource(st.body, width)
	s.log.Debug("azure: synthesis started", "voice", voice, "lang", lang, "format", format,
		"ssml_bytes", len(doc), "headers_after", time.Since(start))
	return st, nil
}

// post sends the SSML and returns a 200 reply, or the mapped error.
func (s *Synthesizer) post(ctx context.Context, doc, format string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTransport, err)
	}
	req.Header.Set("Content-Type", "application/ssml+xml")
	req.Header.Set("X-Microsoft-OutputFormat", format)
	req.Header.Set("User-Agent", s.cfg.UserAgent)
	token := s.bearer()
	if s.cfg.Key != "" {
		req.Header.Set("Ocp-Apim-Subscription-Key", s.cfg.Key)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, s.requestError(ctx, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if rerr != nil && ctx.Err() != nil {
		return nil, s.requestError(ctx, rerr)
	}
	return nil, httpError(resp.StatusCode, resp.Header, b, s.cfg.Key, token)
}

func (s *Synthesizer) bearer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// requestError explains a failed request: our timeout, the caller's
// cancellation, or a transport failure.
func (s *Synthesizer) requestError(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		if errors.Is(cause, ErrTimeout) {
			return fmt.Errorf("%w (no reply within %v)", ErrTimeout, s.cfg.Timeout)
		}
		return fmt.Errorf("azure: %w", cause)
	}
	return fmt.Errorf("%w: %w", ErrTransport, err)
}
