package azure

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// Errors of this provider. A malformed reply wraps asr.ErrProtocol; an HTTP
// error status is a *StatusError, which wraps ErrStatus.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("azure: invalid config")
	// ErrRequest means the request got no answer: refused, cut, or no reply
	// within Config.Timeout after the audio ended.
	ErrRequest = errors.New("azure: recognition request failed")
	// ErrStatus means the service answered with an HTTP error status.
	ErrStatus = errors.New("azure: recognition refused")
	// ErrRecognition means the reply said RecognitionStatus "Error": the
	// service failed internally; trying again may help.
	ErrRecognition = errors.New("azure: recognition error")
	// ErrToken means no bearer token could be had from issueToken.
	ErrToken = errors.New("azure: token request failed")
)

// Config configures the Azure Speech short-audio REST client.
type Config struct {
	// Region of the Speech resource (default eastasia, Hong Kong's region).
	Region string `yaml:"region"`
	// Endpoint overrides Region: the recognition URL, or just its scheme
	// and host (the standard path is added). For private endpoints and tests.
	Endpoint string `yaml:"endpoint"`
	// Key is the resource key. It is sent as Ocp-Apim-Subscription-Key, or
	// exchanged for bearer tokens when UseToken is set.
	Key string `yaml:"key"`
	// UseToken sends Authorization: Bearer with a token from issueToken,
	// fetched once per 9 minutes (tokens last 10).
	UseToken bool `yaml:"use_token"`
	// TokenURL overrides the issueToken address derived from Region
	// (https://{region}.api.cognitive.microsoft.com/sts/v1.0/issueToken) or
	// from Endpoint's host.
	TokenURL string `yaml:"token_url"`
	// Language is the recognition locale (default zh-HK).
	Language string `yaml:"language"`
	// Format is simple or detailed (default detailed).
	Format string `yaml:"format"`
	// Profanity is masked, removed or raw; empty leaves the service default (masked).
	Profanity string `yaml:"profanity"`
	// SampleRate must be 16000: the only PCM rate the REST API takes.
	SampleRate int `yaml:"sample_rate"`
	// Timeout bounds the wait for the reply once the audio has been sent,
	// and a token request (default 10 s).
	Timeout time.Duration `yaml:"timeout"`
	// ConnectTimeout bounds the TCP and TLS handshakes (default 3 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// SendBuffer is how many written frames may wait for the connection
	// before new ones are dropped (default 250: 5 s of 20 ms frames).
	SendBuffer int `yaml:"send_buffer"`
}

// Defaults and limits.
const (
	DefaultRegion         = "eastasia"
	DefaultLanguage       = "zh-HK"
	DefaultFormat         = "detailed"
	DefaultSampleRate     = 16000
	DefaultTimeout        = 10 * time.Second
	DefaultConnectTimeout = 3 * time.Second
	DefaultSendBuffer     = 250
	// MaxAudio is the most audio one request may carry; later frames are
	// dropped and counted.
	MaxAudio = 60 * time.Second
	// RecognitionPath is the short-audio route.
	RecognitionPath = "/speech/recognition/conversation/cognitiveservices/v1"
	// TokenPath is the route of the issueToken endpoint.
	TokenPath = "/sts/v1.0/issueToken"
)

// DefaultConfig returns the defaults; Key is left empty and must be set.
func DefaultConfig() Config {
	return Config{
		Region:         DefaultRegion,
		Language:       DefaultLanguage,
		Format:         DefaultFormat,
		SampleRate:     DefaultSampleRate,
		Timeout:        DefaultTimeout,
		ConnectTimeout: DefaultConnectTimeout,
		SendBuffer:     DefaultSendBuffer,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Region == "" && c.Endpoint == "" {
		c.Region = d.Region
	}
	if c.Language == "" {
		c.Language = d.Language
	}
	if c.Format == "" {
		c.Format = d.Format
	}
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = d.SendBuffer
	}
	return c
}

var (
	regionRe   = regexp.MustCompile(`^[a-z][a-z0-9]{1,40}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})+$`)
)

// Validate checks the configuration as given (New fills zero fields from
// DefaultConfig first). Messages never include the key.
func (c Config) Validate() error {
	if err := c.validateWhere(); err != nil {
		return err
	}
	switch {
	case c.Key == "":
		return fmt.Errorf("%w: key is empty (the Speech resource key)", ErrConfig)
	case !languageRe.MatchString(c.Language):
		return fmt.Errorf("%w: language %q: want a locale such as zh-HK", ErrConfig, c.Language)
	case c.Format != "simple" && c.Format != "detailed":
		return fmt.Errorf("%w: format %q: want simple or detailed", ErrConfig, c.Format)
	case c.Profanity != "" && c.Profanity != "masked" && c.Profanity != "removed" && c.Profanity != "raw":
		return fmt.Errorf("%w: profanity %q: want masked, removed or raw", ErrConfig, c.Profanity)
	case c.SampleRate != 16000:
		return fmt.Errorf("%w: sample_rate %d: the short-audio REST API takes 16000 Hz PCM only", ErrConfig, c.SampleRate)
	case c.Timeout <= 0:
		return fmt.Errorf("%w: timeout %v must be positive", ErrConfig, c.Timeout)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("%w: connect_timeout %v must be positive", ErrConfig, c.ConnectTimeout)
	case c.SendBuffer < 1:
		return fmt.Errorf("%w: send_buffer %d must be at least 1", ErrConfig, c.SendBuffer)
	}
	return nil
}

// validateWhere checks Region, Endpoint and TokenURL.
func (c Config) validateWhere() error {
	if c.Endpoint == "" {
		if !regionRe.MatchString(c.Region) {
			return fmt.Errorf("%w: region %q: want a region identifier such as eastasia (or set endpoint)", ErrConfig, c.Region)
		}
	} else if err := checkURL("endpoint", c.Endpoint); err != nil {
		return err
	}
	if c.TokenURL != "" {
		return checkURL("token_url", c.TokenURL)
	}
	return nil
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %s %q: %w", ErrConfig, name, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: %s %q: scheme %q, want https (or http)", ErrConfig, name, raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %s %q has no host", ErrConfig, name, raw)
	}
	if u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("%w: %s must carry neither credentials nor a query", ErrConfig, name)
	}
	return nil
}

// recognitionURL is the POST address with its query.
func (c Config) recognitionURL() string {
	base := c.Endpoint
	if base == "" {
		base = "https://" + c.Region + ".stt.speech.microsoft.com"
	}
	u, _ := url.Parse(base) // checked by Validate
	if u.Path == "" || u.Path == "/" {
		u.Path = RecognitionPath
	}
	q := url.Values{"language": {c.Language}, "format": {c.Format}}
	if c.Profanity != "" {
		q.Set("profanity", c.Profanity)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// tokenURL is the issueToken address.
func (c Config) tokenURL() string {
	switch {
	case c.TokenURL != "":
		return c.TokenURL
	case c.Endpoint != "":
		u, _ := url.Parse(c.Endpoint) // checked by Validate
		return u.Scheme + "://" + u.Host + TokenPath
	}
	return "https://" + c.Region + ".api.cognitive.microsoft.com" + TokenPath
}
