package azure

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/yuecall/yuecall/tts"
)

// Config selects the Speech resource, the voices and the output rate.
type Config struct {
	// Region is the Speech resource's region, e.g. "eastasia"; the endpoint
	// is then https://{region}.tts.speech.microsoft.com/cognitiveservices/v1.
	Region string `yaml:"region"`
	// Endpoint, if set, is the full synthesis URL and overrides Region
	// (custom domains, sovereign clouds, tests).
	Endpoint string `yaml:"endpoint"`
	// Key is the resource key (Ocp-Apim-Subscription-Key).
	Key string `yaml:"key"`
	// Token is a bearer token from the issueToken endpoint, used when Key is
	// empty. Tokens last 10 minutes: refresh with Synthesizer.SetToken.
	Token string `yaml:"token"`
	// Voices names the neural voice per language.
	Voices tts.Voices `yaml:"voices"`
	// Rate is the SSML prosody rate, e.g. "-5%", "+10%", "0.9" or "slow";
	// empty leaves the voice's own pace.
	Rate string `yaml:"rate"`
	// SampleRate is what Synthesize produces: 8000 (µ-law on the wire),
	// 16000 (default) or 24000.
	SampleRate int `yaml:"sample_rate"`
	// Timeout bounds the wait for the first audio and any later stall in the
	// body (default 10 s); it is not a limit on the whole reply.
	Timeout time.Duration `yaml:"timeout"`
	// UserAgent is sent as User-Agent, which the service requires (default "yuecall").
	UserAgent string `yaml:"user_agent"`
}

// DefaultConfig returns the HiuMaan Cantonese voice (Jenny for English,
// Xiaoxiao for Mandarin) at 16 kHz and a slightly calm pace. Region (or
// Endpoint) and Key (or Token) must still be set.
func DefaultConfig() Config {
	return Config{
		Voices: tts.Voices{
			Cantonese: "zh-HK-HiuMaanNeural",
			English:   "en-US-JennyNeural",
			Mandarin:  "zh-CN-XiaoxiaoNeural",
		},
		Rate:       "-5%",
		SampleRate: 16000,
		Timeout:    10 * time.Second,
		UserAgent:  "yuecall",
	}
}

var (
	regionRE = regexp.MustCompile(`^[a-z0-9]{2,40}$`)
	voiceRE  = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]+)+$`)
	rateRE   = regexp.MustCompile(`^([+-]?\d{1,3}(\.\d{1,2})?%|\d(\.\d{1,2})?|x-slow|slow|medium|fast|x-fast|default)$`)
)

// Validate reports a bad setting. Its messages never include the key or token.
func (c Config) Validate() error {
	if err := c.validateTarget(); err != nil {
		return err
	}
	for lang, v := range map[string]string{"cantonese": c.Voices.Cantonese,
		"english": c.Voices.English, "mandarin": c.Voices.Mandarin} {
		if (v != "" || lang == "cantonese") && !voiceRE.MatchString(v) {
			return fmt.Errorf("azure: voices.%s %q is not a voice name like zh-HK-HiuMaanNeural", lang, v)
		}
	}
	switch {
	case c.Rate != "" && !rateRE.MatchString(c.Rate):
		return fmt.Errorf("azure: rate %q is not a prosody rate like -5%%, 0.9 or slow", c.Rate)
	case formatFor(c.SampleRate) == "":
		return fmt.Errorf("azure: sample_rate %d is not 8000, 16000 or 24000", c.SampleRate)
	case c.Timeout < 0:
		return fmt.Errorf("azure: timeout %v is negative", c.Timeout)
	case c.UserAgent == "" || strings.ContainsAny(c.UserAgent, "\r\n"):
		return errors.New("azure: user_agent must be one non-empty line")
	}
	return nil
}

// validateTarget checks the endpoint and credentials.
func (c Config) validateTarget() error {
	switch {
	case c.Endpoint != "":
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("azure: endpoint %q is not an http(s) URL", c.Endpoint)
		}
	case c.Region == "":
		return errors.New("azure: region or endpoint must be set")
	case !regionRE.MatchString(c.Region):
		return fmt.Errorf("azure: region %q is not a region name like eastasia", c.Region)
	}
	switch {
	case c.Key == "" && c.Token == "":
		return errors.New("azure: key or token must be set")
	case strings.ContainsAny(c.Key+c.Token, "\r\n"):
		return errors.New("azure: key or token contains a line break")
	}
	return nil
}

// url is the synthesis endpoint.
func (c Config) url() string {
	if c.Endpoint != "" {
		return c.Endpoint
	}
	return "https://" + c.Region + ".tts.speech.microsoft.com/cognitiveservices/v1"
}

// Output formats (X-Microsoft-OutputFormat) per sample rate.
const (
	Format8kMuLaw = "raw-8khz-8bit-mono-mulaw"
	Format16kPCM  = "raw-16khz-16bit-mono-pcm"
	Format24kPCM  = "raw-24khz-16bit-mono-pcm"
)

// formatFor returns the output format for rate, or "" if unsupported.
func formatFor(rate int) string {
	switch rate {
	case 8000:
		return Format8kMuLaw
	case 16000:
		return Format16kPCM
	case 24000:
		return Format24kPCM
	}
	return ""
}
