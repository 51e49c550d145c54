package sherpa

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Errors of this provider. Malformed frames wrap asr.ErrProtocol.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("sherpa: invalid config")
	// ErrConnect means the websocket could not be opened (refused, timed
	// out, or the server answered the handshake with an HTTP error).
	ErrConnect = errors.New("sherpa: connect failed")
	// ErrConnection means an open stream lost its connection: a read or
	// write failed, or the server closed it abnormally or before "Done".
	ErrConnection = errors.New("sherpa: connection lost")
)

// Config configures the sherpa-onnx client.
type Config struct {
	// URL of the server: ws://host:port or wss://host:port (sherpa's default port is 6006).
	URL string `yaml:"url"`
	// SampleRate is the server's --sample-rate; the caller resamples to it
	// before writing (default 16000).
	SampleRate int `yaml:"sample_rate"`
	// ConnectTimeout bounds the TCP connect plus websocket handshake (default 3 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// SendBuffer is how many written frames may wait for the socket before
	// new ones are dropped (default 250: 5 s of 20 ms frames).
	SendBuffer int `yaml:"send_buffer"`
}

// Defaults.
const (
	DefaultSampleRate     = 16000
	DefaultConnectTimeout = 3 * time.Second
	DefaultSendBuffer     = 250
)

// DefaultConfig returns the defaults; URL is left empty and must be set.
func DefaultConfig() Config {
	return Config{
		SampleRate:     DefaultSampleRate,
		ConnectTimeout: DefaultConnectTimeout,
		SendBuffer:     DefaultSendBuffer,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = d.SendBuffer
	}
	return c
}

// Validate checks the configuration as given (zero values are errors here;
// New fills them from DefaultConfig first).
func (c Config) Validate() error {
	if c.URL == "" {
		return fmt.Errorf("%w: url is empty (want ws://host:port)", ErrConfig)
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("%w: url %q (want ws://host:port): %w", ErrConfig, c.URL, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("%w: url %q: scheme %q, want ws or wss", ErrConfig, c.URL, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%w: url %q has no host", ErrConfig, c.URL)
	}
	if c.SampleRate < 8000 || c.SampleRate > 48000 {
		return fmt.Errorf("%w: sample_rate %d outside 8000..48000", ErrConfig, c.SampleRate)
	}
	if c.ConnectTimeout <= 0 {
		return fmt.Errorf("%w: connect_timeout %v must be positive", ErrConfig, c.ConnectTimeout)
	}
	if c.SendBuffer < 1 {
		return fmt.Errorf("%w: send_buffer %d must be at least 1", ErrConfig, c.SendBuffer)
	}
	return nil
}
