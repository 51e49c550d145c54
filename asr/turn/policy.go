package turn

import (
	"errors"
	"fmt"
	"time"
)

// ErrPolicy wraps every Policy.Validate failure.
var ErrPolicy = errors.New("turn: invalid policy")

// Policy sets the silences that end a caller's turn.
type Policy struct {
	// Base is the silence that ends a turn with no cue either way (default 600 ms).
	Base time.Duration `yaml:"base"`
	// Final is the shorter silence after a sentence-final particle or a
	// complete question (default 350 ms).
	Final time.Duration `yaml:"final"`
	// Hold is the longer silence after a trailing conjunction or filler, or
	// while digits are being read out (default 1200 ms).
	Hold time.Duration `yaml:"hold"`
	// Max caps one utterance: the turn ends once the caller has spoken this
	// long, silence or not (default 20 s).
	Max time.Duration `yaml:"max"`
}

// Defaults.
const (
	DefaultBase  = 600 * time.Millisecond
	DefaultFinal = 350 * time.Millisecond
	DefaultHold  = 1200 * time.Millisecond
	DefaultMax   = 20 * time.Second
)

// DefaultPolicy returns the default silences.
func DefaultPolicy() Policy {
	return Policy{Base: DefaultBase, Final: DefaultFinal, Hold: DefaultHold, Max: DefaultMax}
}

// Validate checks that every silence is positive and that
// Final ≤ Base ≤ Hold < Max.
func (p Policy) Validate() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"base", p.Base}, {"final", p.Final}, {"hold", p.Hold}, {"max", p.Max}} {
		if f.d <= 0 {
			return fmt.Errorf("%w: %s is %v, want > 0", ErrPolicy, f.name, f.d)
		}
	}
	switch {
	case p.Final > p.Base:
		return fmt.Errorf("%w: final %v is longer than base %v", ErrPolicy, p.Final, p.Base)
	case p.Hold < p.Base:
		return fmt.Errorf("%w: hold %v is shorter than base %v", ErrPolicy, p.Hold, p.Base)
	case p.Max <= p.Hold:
		return fmt.Errorf("%w: max %v must exceed hold %v", ErrPolicy, p.Max, p.Hold)
	}
	return nil
}

// EndSilence returns how long a silence after partial (the recogniser's
// latest partial transcript, Simplified or Traditional) ends the turn.
func (p Policy) EndSilence(partial string) time.Duration {
	switch Classify(partial) {
	case CueFinal:
		return p.Final
	case CueHold:
		return p.Hold
	}
	return p.Base
}

// Ended reports whether the turn is over: the caller has been silent for at
// least EndSilence(partial) after saying something, or has spoken for Max.
func (p Policy) Ended(partial string, silence, spoken time.Duration) bool {
	if p.Max > 0 && spoken >= p.Max {
		return true
	}
	return spoken > 0 && silence >= p.EndSilence(partial)
}
