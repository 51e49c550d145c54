package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/internal/idlebody"
)

// Synthesizer calls POST {BaseURL}/audio/speech once per sentence.
type Synthesizer struct {
	cfg       Config
	client    *goopenai.Client
	transport *http.Transport
	log       *slog.Logger
}

var _ tts.Synthesizer = (*Synthesizer)(nil)

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
	oc := goopenai.DefaultConfig(cfg.Key)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = boundedErrors{&http.Client{Transport: tr}}
	return &Synthesizer{cfg: cfg, client: goopenai.NewClientWithConfig(oc), transport: tr, log: log}, nil
}

// Close releases idle connections. Streams already returned keep working.
func (s *Synthesizer) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// Synthesize asks for speech of text in the voice and style of its language
// (tts.LanguageOf). It returns once the reply's headers (and, for MP3, its
// first frame) have arrived; the rest is decoded as it streams in.
func (s *Synthesizer) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	input, err := Input(text)
	if err != nil {
		return nil, err
	}
	lang := tts.LanguageOf(ctx, input)
	req := goopenai.CreateSpeechRequest{
		Model:          goopenai.SpeechModel(s.cfg.Model),
		Input:          input,
		Voice:          goopenai.SpeechVoice(s.cfg.Voices.For(lang)),
		Instructions:   s.instructions(lang),
		ResponseFormat: goopenai.SpeechResponseFormat(s.cfg.Format),
		Speed:          s.cfg.Speed,
	}
	rctx, cancel := context.WithCancelCause(ctx)
	body := idlebody.Start(s.cfg.Timeout, func() { cancel(ErrTimeout) })
	start := time.Now()
	resp, err := s.client.CreateSpeech(rctx, req)
	if err != nil {
		body.Stop()
		err = s.requestError(rctx, err)
		cancel(nil)
		s.log.Warn("openai: speech request failed", "voice", req.Voice, "lang", lang, "err", err)
		return nil, err
	}
	st := &stream{body: body.Attach(resp.ReadCloser), ctx: rctx, cancel: cancel,
		timeout: s.cfg.Timeout}
	if err := checkContentType(resp.Header().Get("Content-Type")); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.open(s.cfg.Format); err != nil {
		st.Close()
		return nil, err
	}
	s.log.Debug("openai: speech started", "voice", req.Voice, "lang", lang, "chars",
		utf8.RuneCountInString(input), "format", s.cfg.Format, "rate", st.rate, "first_audio", time.Since(start))
	return st, nil
}

// instructions is the style prompt for lang; tts-1 and tts-1-hd take none.
func (s *Synthesizer) instructions(lang string) string {
	if s.cfg.Model == string(goopenai.TTSModel1) || s.cfg.Model == string(goopenai.TTSModel1HD) {
		return ""
	}
	return s.cfg.Instructions.For(lang)
}

// requestError explains a failed request: our timeout, the caller's
// cancellation, or the server's reply.
func (s *Synthesizer) requestError(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		if errors.Is(cause, ErrTimeout) {
			return fmt.Errorf("%w (no reply within %v)", ErrTimeout, s.cfg.Timeout)
		}
		return fmt.Errorf("openai: %w", cause)
	}
	return mapError(err, s.cfg.Key)
}

// checkContentType rejects a 2xx reply that is not audio (a proxy's JSON or
// HTML page).
func checkContentType(ct string) error {
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "application/json" || strings.HasPrefix(mt, "text/") {
		return fmt.Errorf("%w: reply is %s, not audio", ErrAudio, mt)
	}
	return nil
}

// breakTag matches the SSML pauses our text-for-speech step writes.
var breakTag = regexp.MustCompile(`(?i)\s*<break\s+time\s*=\s*["']\s*\d{1,6}(?:\.\d{1,3})?\s*m?s\s*["']\s*/\s*>\s*`)

// pause is what a break tag becomes: OpenAI voices read markup aloud but
// pause at an ellipsis.
const pause = "…"

// Input is the text sent as "input" for text: <break time="…"/> tags become
// pauses, spaces are collapsed. It fails with tts.ErrEmptyText or
// ErrTooLong (over MaxInput characters).
func Input(text string) (string, error) {
	text = breakTag.ReplaceAllString(text, pause)
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if strings.Trim(text, pause+" ") == "" {
		return "", tts.ErrEmptyText
	}
	if n := utf8.RuneCountInString(text); n > MaxInput {
		return "", fmt.Errorf("%w (%d)", ErrTooLong, n)
	}
	return text, nil
}

// boundedErrors reads at most 64 KiB of an error reply and closes the body
// (go-openai reads error bodies unbounded and leaves them open).
type boundedErrors struct{ c *http.Client }

func (d boundedErrors) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil || resp.StatusCode < http.StatusBadRequest {
		return resp, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
