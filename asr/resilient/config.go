package resilient

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Errors of this package.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("resilient: invalid config")
	// ErrConnect means no provider could be connected.
	ErrConnect = errors.New("resilient: connect failed")
	// ErrConnectTimeout means one connect attempt took longer than
	// Config.ConnectTimeout.
	ErrConnectTimeout = errors.New("resilient: connect timed out")
	// ErrStalled means voiced audio (or CloseSend) waited StallTimeout for
	// a result that never came.
	ErrStalled = errors.New("resilient: provider stalled")
	// ErrHalfClosed means the provider ended the stream cleanly although
	// CloseSend had not been called.
	ErrHalfClosed = errors.New("resilient: provider ended the stream before CloseSend")
	// ErrExhausted means a stream failed more often in a row than
	// Config.MaxReconnects allows on every provider; it wraps the last failure.
	ErrExhausted = errors.New("resilient: reconnects exhausted")
	// ErrRateMismatch means a provider's stream runs at a sample rate other
	// than the one the wrapper stream started with.
	ErrRateMismatch = errors.New("resilient: sample rate differs from the stream's")
)

// Config configures the resilient wrapper.
type Config struct {
	// Name labels the provider in metrics and logs (with Fallback, each
	// Named.Name is used instead).
	Name string `yaml:"name"`
	// ConnectTimeout bounds one connect attempt to one provider (default 3 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// StallTimeout is how long voiced audio, or a CloseSend, may wait for
	// any result before the stream counts as stalled (default 4 s).
	StallTimeout time.Duration `yaml:"stall_timeout"`
	// MaxReconnects is how many reconnects in a row one stream may make on
	// one provider; the count starts again after a reconnected stream
	// delivers a final result. With Fallback, exhausting it moves the stream
	// to the next provider (default 3).
	MaxReconnects int `yaml:"max_reconnects"`
	// Backoff is the wait before the second attempt of a (re)connect; the
	// first is immediate and each later wait doubles, with jitter, up to
	// MaxBackoff (default 200 ms).
	Backoff time.Duration `yaml:"backoff"`
	// MaxBackoff caps the wait between attempts (default 2 s).
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// ReplayBuffer is how much audio not yet covered by a final result is
	// kept for replay; older audio is dropped and counted (default 30 s).
	ReplayBuffer time.Duration `yaml:"replay_buffer"`
	// FinalLag is how much of the audio handed to the provider before a
	// final result arrived the final is assumed not to cover (it was still
	// in flight), and the least silence taken to separate a final's audio
	// from the next words when the replay buffer is trimmed after a final.
	// It must stay below the provider's endpoint silence (sherpa 1.2 s,
	// DashScope 0.8 s) (default 600 ms).
	FinalLag time.Duration `yaml:"final_lag"`
}

// Defaults.
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultStallTimeout   = 4 * time.Second
	DefaultMaxReconnects  = 3
	DefaultBackoff        = 200 * time.Millisecond
	DefaultMaxBackoff     = 2 * time.Second
	DefaultReplayBuffer   = 30 * time.Second
	DefaultFinalLag       = 600 * time.Millisecond
)

// DefaultConfig returns the defaults, with Name "asr".
func DefaultConfig() Config {
	return Config{
		Name:           "asr",
		ConnectTimeout: DefaultConnectTimeout,
		StallTimeout:   DefaultStallTimeout,
		MaxReconnects:  DefaultMaxReconnects,
		Backoff:        DefaultBackoff,
		MaxBackoff:     DefaultMaxBackoff,
		ReplayBuffer:   DefaultReplayBuffer,
		FinalLag:       DefaultFinalLag,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Name == "" {
		c.Name = d.Name
	}
	setDur := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	setDur(&c.ConnectTimeout, d.ConnectTimeout)
	setDur(&c.StallTimeout, d.StallTimeout)
	setDur(&c.Backoff, d.Backoff)
	setDur(&c.MaxBackoff, d.MaxBackoff)
	setDur(&c.ReplayBuffer, d.ReplayBuffer)
	setDur(&c.FinalLag, d.FinalLag)
	if c.MaxReconnects == 0 {
		c.MaxReconnects = d.MaxReconnects
	}
	return c
}

// Validate checks the configuration as given (zero values are errors here;
// New fills them from DefaultConfig first).
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"connect_timeout", c.ConnectTimeout}, {"stall_timeout", c.StallTimeout},
		{"backoff", c.Backoff}, {"max_backoff", c.MaxBackoff},
		{"replay_buffer", c.ReplayBuffer}, {"final_lag", c.FinalLag},
	} {
		if f.v <= 0 {
			return fmt.Errorf("%w: %s %v must be positive", ErrConfig, f.name, f.v)
		}
	}
	if c.Name == "" {
		return fmt.Errorf("%w: name is empty", ErrConfig)
	}
	if c.MaxReconnects < 1 {
		return fmt.Errorf("%w: max_reconnects %d must be at least 1", ErrConfig, c.MaxReconnects)
	}
	if c.MaxBackoff < c.Backoff {
		return fmt.Errorf("%w: max_backoff %v is below backoff %v", ErrConfig, c.MaxBackoff, c.Backoff)
	}
	if c.FinalLag >= c.ReplayBuffer {
		return fmt.Errorf("%w: final_lag %v must be below replay_buffer %v", ErrConfig, c.FinalLag, c.ReplayBuffer)
	}
	return nil
}

// backoff is the wait before connect attempt n (1-based) of one
// (re)connect: none for the first, then Backoff doubling per attempt up to
// MaxBackoff, each drawn uniformly from its upper half so that streams cut
// together do not reconnect in step.
func (c Config) backoff(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	d := c.Backoff
	for i := 2; i < n && d < c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}
