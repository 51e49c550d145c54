package openai

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/yuecall/yuecall/tts"
)

// Response formats the Synthesizer can decode.
const (
	FormatMP3 = "mp3" // MPEG audio at the model's rate (24 kHz for OpenAI), decoded as it arrives
	FormatPCM = "pcm" // 24 kHz PCM16 little-endian, no header
)

// PCMRate is the sample rate of the "pcm" response format.
const PCMRate = 24000

// MaxInput is the longest input, in characters, the endpoint accepts.
const MaxInput = 4096

// Config selects the endpoint, model, voices and format.
type Config struct {
	// BaseURL is the API root including /v1 (default https://api.openai.com/v1).
	BaseURL string `yaml:"base_url"`
	// Key is the API key, sent as a Bearer token. It may be empty only for a
	// self-hosted server that needs none.
	Key string `yaml:"key"`
	// Model is the speech model (default gpt-4o-mini-tts).
	Model string `yaml:"model"`
	// Voices names the voice per language (default coral for all).
	Voices tts.Voices `yaml:"voices"`
	// Instructions is the speaking-style prompt per language (an empty entry
	// falls back to the Cantonese one). tts-1 and tts-1-hd ignore it.
	Instructions tts.Voices `yaml:"instructions"`
	// Format is FormatMP3 (default) or FormatPCM.
	Format string `yaml:"format"`
	// Speed is 0.25..4.0 (default 1.0); 0 leaves it to the server.
	Speed float64 `yaml:"speed"`
	// Timeout bounds the wait for the first audio and any later stall in the
	// body (default 10 s); it is not a limit on the whole reply.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultOpenAIURL is the OpenAI API root.
const DefaultOpenAIURL = "https://api.openai.com/v1"

// DefaultConfig returns gpt-4o-mini-tts with the coral voice, asked to speak
// Hong Kong Cantonese, MP3 at normal speed. Key must still be set.
func DefaultConfig() Config {
	return Config{
		BaseURL: DefaultOpenAIURL,
		Model:   "gpt-4o-mini-tts",
		Voices:  tts.Voices{Cantonese: "coral"},
		Instructions: tts.Voices{
			Cantonese: "Speak natural, colloquial Hong Kong Cantonese (香港廣東話), never Mandarin: " +
				"read the Traditional Chinese text with Cantonese pronunciation, in a warm, clear " +
				"customer-service tone at a calm pace, the way a Hong Kong call-centre agent talks on the phone.",
			English:  "Speak clear, friendly English with a light Hong Kong accent, at a calm phone pace.",
			Mandarin: "Speak clear, natural Mandarin Chinese (普通話) in a warm customer-service tone, at a calm phone pace.",
		},
		Format:  FormatMP3,
		Speed:   1.0,
		Timeout: 10 * time.Second,
	}
}

// Validate reports a bad setting. Its messages never include the key.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		return errors.New("openai: base_url is empty")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("openai: base_url %q is not an http(s) URL", c.BaseURL)
	case c.Key == "" && strings.EqualFold(u.Hostname(), "api.openai.com"):
		return errors.New("openai: key is empty (api.openai.com needs an API key)")
	case strings.ContainsAny(c.Key, "\r\n"):
		return errors.New("openai: key contains a line break")
	case c.Model == "":
		return errors.New("openai: model is empty")
	case c.Voices.Cantonese == "":
		return errors.New("openai: voices.cantonese is empty (it is also the fallback voice)")
	case c.Format != FormatMP3 && c.Format != FormatPCM:
		return fmt.Errorf("openai: format %q is not %q or %q", c.Format, FormatMP3, FormatPCM)
	case c.Speed != 0 && (c.Speed < 0.25 || c.Speed > 4):
		return fmt.Errorf("openai: speed %g out of range 0.25..4.0", c.Speed)
	case c.Timeout < 0:
		return fmt.Errorf("openai: timeout %v is negative", c.Timeout)
	}
	return nil
}
