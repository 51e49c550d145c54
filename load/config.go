package load

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/yuecall/yuecall/sim"
)

// ErrConfig means a Config is invalid. Run's other errors wrap the
// failure (dialer setup, speech preparation) or the context's error.
var ErrConfig = errors.New("load: invalid config")

// Defaults and limits.
const (
	DefaultCalls       = 10
	DefaultDuration    = time.Minute
	DefaultSampleEvery = time.Second
	MaxCalls           = 10000
	// failureBackoff is how long a call slot waits after a failed call
	// before it dials again, so an unreachable server is not hammered.
	failureBackoff = 500 * time.Millisecond
)

// Config is one load run.
type Config struct {
	// Target is the SIP URI every call dials.
	Target string `json:"target" yaml:"target"`
	// Calls is how many calls are kept up at once during the hold.
	Calls int `json:"calls" yaml:"calls"`
	// Duration is the hold: how long Calls concurrent calls are kept up
	// (a call that ends is replaced by a new one) after the ramp-up.
	Duration time.Duration `json:"duration" yaml:"duration"`
	// RampUp spreads the first call of each slot evenly over this time.
	// RampDown spreads the slots' last call starts over this time after
	// the hold; running calls always finish their script.
	RampUp   time.Duration `json:"ramp_up" yaml:"ramp_up"`
	RampDown time.Duration `json:"ramp_down" yaml:"ramp_down"`
	// Script is what every caller does (see sim.Step).
	Script []sim.Step `json:"script" yaml:"script"`
	// Subtract is what the server spends waiting on purpose per turn: the
	// synthetic ASR latency + the synthetic TTS latency + the end-of-turn
	// silence. Overhead = response latency - Subtract.
	Subtract time.Duration `json:"subtract" yaml:"subtract"`
	// MetricsURL is the server's Prometheus /metrics (optional): goroutines,
	// memory, CPU and the dropped-frame counters.
	MetricsURL string `json:"metrics_url,omitempty" yaml:"metrics_url"`
	// ServerPID is the server's process id (optional, same host): CPU and
	// RSS from /proc/PID, preferred to /metrics for those two.
	ServerPID int `json:"server_pid,omitempty" yaml:"server_pid"`
	// MaxGoroutineGrowth and MaxMemGrowthKB bound how much the server's
	// goroutines and RSS may grow from the start to the end of the hold
	// (see Growth); beyond them Run returns ErrGrowth. 0 means the
	// defaults: max(20, calls/20) goroutines and max(8 MiB, 5 % of the
	// RSS at the start of the hold); memory is checked only for holds of
	// MinMemCheckHold or more.
	MaxGoroutineGrowth int `json:"max_goroutine_growth,omitempty" yaml:"max_goroutine_growth"`
	MaxMemGrowthKB     int `json:"max_mem_growth_kb,omitempty" yaml:"max_mem_growth_kb"`
	// SampleEvery is how often the server is sampled; 0 means 1 s.
	SampleEvery time.Duration `json:"sample_every,omitempty" yaml:"sample_every"`
	// Line is the callers' side: local IP, RTP ports, espeak-ng settings.
	Line sim.Line `json:"line" yaml:"line"`
	// Call holds the per-call settings (Timeout, BotTimeout, BotQuiet,
	// BotGap, LoudDBFS); its Target, Script and Record are ignored.
	Call sim.Config `json:"call" yaml:"call"`
	// Log receives progress; nil discards it.
	Log *slog.Logger `json:"-" yaml:"-"`
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Calls == 0 {
		c.Calls = DefaultCalls
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = DefaultSampleEvery
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// callConfig returns the sim.Config every call uses.
func (c Config) callConfig() sim.Config {
	cc := c.Call
	cc.Target, cc.Script, cc.Record, cc.Log = c.Target, c.Script, "", nil
	return cc
}

// Validate reports the first invalid field (zero fields take defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Calls < 1 || c.Calls > MaxCalls:
		return fmt.Errorf("%w: calls %d outside 1..%d", ErrConfig, c.Calls, MaxCalls)
	case c.Duration < 0 || c.RampUp < 0 || c.RampDown < 0 || c.Subtract < 0:
		return fmt.Errorf("%w: negative duration", ErrConfig)
	case c.SampleEvery < 10*time.Millisecond:
		return fmt.Errorf("%w: sample_every %v below 10 ms", ErrConfig, c.SampleEvery)
	case c.MaxGoroutineGrowth < 0 || c.MaxMemGrowthKB < 0:
		return fmt.Errorf("%w: negative growth tolerance", ErrConfig)
	case c.ServerPID < 0:
		return fmt.Errorf("%w: server_pid %d", ErrConfig, c.ServerPID)
	case len(c.Script) == 0:
		return fmt.Errorf("%w: empty script", ErrConfig)
	}
	if c.MetricsURL != "" {
		u, err := url.Parse(c.MetricsURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: metrics_url %q is not an http(s) URL", ErrConfig, c.MetricsURL)
		}
	}
	if err := c.Line.Validate(); err != nil {
		return fmt.Errorf("%w: line: %w", ErrConfig, err)
	}
	if err := c.callConfig().Validate(); err != nil {
		return fmt.Errorf("%w: call: %w", ErrConfig, err)
	}
	return nil
}
