package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// fileName is the name the utterance is uploaded under: the API picks the
// decoder from the extension.
const fileName = "utterance.wav"

// Recognizer opens per-utterance streams to one OpenAI-compatible server.
type Recognizer struct {
	cfg       Config
	log       *slog.Logger
	client    *goopenai.Client
	transport *http.Transport
	prompt    string
	format    goopenai.AudioResponseFormat
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New checks cfg (zero fields take the defaults; an empty Language stays
// empty) and returns a Recognizer. A nil log discards.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	occ := goopenai.DefaultConfig(cfg.Key)
	occ.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	occ.HTTPClient = &http.Client{Transport: tr}
	return &Recognizer{
		cfg:       cfg,
		log:       log.With("asr", "openai", "base_url", cfg.BaseURL, "model", cfg.Model),
		client:    goopenai.NewClientWithConfig(occ),
		transport: tr,
		prompt:    cfg.EffectivePrompt(),
		format:    responseFormat(cfg.Model),
	}, nil
}

// responseFormat is verbose_json (segments with no_speech_prob and times)
// except for the gpt-4o transcribe family, which only answers json or text.
func responseFormat(model string) goopenai.AudioResponseFormat {
	if strings.HasPrefix(model, "gpt-") {
		return goopenai.AudioResponseFormatJSON
	}
	return goopenai.AudioResponseFormatVerboseJSON
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// CloseIdleConnections closes the recogniser's idle keep-alive connections.
func (r *Recognizer) CloseIdleConnections() { r.transport.CloseIdleConnections() }

// NewStream returns a stream; see Open.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	return r.Open(ctx), nil
}

// Open starts a stream for one utterance. It does no I/O: the request is
// made when CloseSend is called. The stream ends when ctx ends.
func (r *Recognizer) Open(ctx context.Context) *Stream {
	return startStream(ctx, r)
}

// transcribe uploads pcm as a WAV file and turns the reply into a final
// result; ok is false when the reply holds no speech.
func (r *Recognizer) transcribe(ctx context.Context, pcm audio.PCM16) (res asr.Result, ok bool, err error) {
	var wav bytes.Buffer
	wav.Grow(wavHeaderBytes + 2*len(pcm))
	if err := audio.WriteWAV(&wav, pcm, r.cfg.SampleRate); err != nil {
		return asr.Result{}, false, fmt.Errorf("openai: encode utterance: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	resp, err := r.client.CreateTranscription(rctx, goopenai.AudioRequest{
		Model:    r.cfg.Model,
		FilePath: fileName,
		Reader:   &wav,
		Prompt:   r.prompt,
		Language: r.cfg.Language,
		Format:   r.format,
	})
	if err != nil {
		return asr.Result{}, false, r.classify(ctx, rctx, err)
	}
	res, ok = resultFrom(resp, r.cfg.NoSpeechThreshold, audio.Duration(len(pcm), r.cfg.SampleRate))
	return res, ok, nil
}

// classify maps a go-openai error to this package's errors, redacting the key.
func (r *Recognizer) classify(ctx, rctx context.Context, err error) error {
	var reqErr *goopenai.RequestError
	var apiErr *goopenai.APIError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case rctx.Err() != nil:
		return fmt.Errorf("%w: no reply within %v", ErrRequest, r.cfg.Timeout)
	case errors.As(err, &reqErr):
		msg := string(reqErr.Body)
		if apiErr, ok := reqErr.Err.(*goopenai.APIError); ok && apiErr.Message != "" {
			msg = apiErr.Message
		}
		return &StatusError{StatusCode: reqErr.HTTPStatusCode, Message: redact(msg, r.cfg.Key)}
	case errors.As(err, &apiErr):
		return &StatusError{
			StatusCode: apiErr.HTTPStatusCode,
			Type:       apiErr.Type,
			Code:       codeString(apiErr.Code),
			Message:    redact(apiErr.Message, r.cfg.Key),
		}
	case errors.As(err, &syntax), errors.As(err, &typ), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: openai: reply: %s", asr.ErrProtocol, redact(err.Error(), r.cfg.Key))
	}
	return fmt.Errorf("%w: %s", ErrRequest, redact(err.Error(), r.cfg.Key))
}

func codeString(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		if v == 0 { // go-openai decodes "code": null as 0
			return ""
		}
	}
	return fmt.Sprint(c)
}
