package sentiment

import (
	"errors"
	"fmt"
	"slices"
)

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("sentiment: invalid config")

// Config tunes a Tracker. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// Threshold is the score at or above which a turn is angry (0.6).
	Threshold float64 `yaml:"threshold"`
	// Release is the score below which a turn counts as calm again for
	// re-arming the alert (0.35).
	Release float64 `yaml:"release"`
	// RearmTurns is how many turns in a row must score below Release
	// before another alert may fire (2).
	RearmTurns int `yaml:"rearm_turns"`
	// Cooldown is the least number of turns between two alerts of one
	// call, whatever happens in between (8).
	Cooldown int `yaml:"cooldown"`
	// BaselineTurns is how many calm turns with enough voice teach the
	// caller's prosody baseline, as medians (3).
	BaselineTurns int `yaml:"baseline_turns"`
	// CalmText is the text score below which a turn may teach the
	// baseline (0.3).
	CalmText float64 `yaml:"calm_text"`
	// MinVoicedFrames is the least number of voiced 20 ms frames a turn
	// needs for its prosody to count at all (10).
	MinVoicedFrames int `yaml:"min_voiced_frames"`
	// ProsodyWeight is how much of the distance from the text score to 1
	// angry prosody may cover when the text is clearly negative (0.5).
	ProsodyWeight float64 `yaml:"prosody_weight"`
	// ProsodyAlone caps the score of a turn whose words carry no anger,
	// however it sounds; it must stay below Threshold (0.25).
	ProsodyAlone float64 `yaml:"prosody_alone"`
	// RepeatBoost is what a complaint cue repeated from one of the last
	// RepeatWindow turns adds, as a fraction of the distance to 1 (0.15).
	RepeatBoost float64 `yaml:"repeat_boost"`
	// RepeatWindow is how many earlier turns count for RepeatBoost (3).
	RepeatWindow int `yaml:"repeat_window"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Threshold:       0.6,
		Release:         0.35,
		RearmTurns:      2,
		Cooldown:        8,
		BaselineTurns:   3,
		CalmText:        0.3,
		MinVoicedFrames: 10,
		ProsodyWeight:   0.5,
		ProsodyAlone:    0.25,
		RepeatBoost:     0.15,
		RepeatWindow:    3,
	}
}

// Validate reports the first inconsistent field.
func (c Config) Validate() error {
	unit := func(v float64) bool { return v >= 0 && v <= 1 }
	switch {
	case !(c.Threshold > 0 && c.Threshold <= 1):
		return fmt.Errorf("%w: threshold %g outside (0, 1]", ErrConfig, c.Threshold)
	case !(c.Release >= 0 && c.Release < c.Threshold):
		return fmt.Errorf("%w: release %g not in [0, threshold %g)", ErrConfig, c.Release, c.Threshold)
	case c.RearmTurns < 1 || c.RearmTurns > 100:
		return fmt.Errorf("%w: rearm_turns %d outside 1..100", ErrConfig, c.RearmTurns)
	case c.Cooldown < 1 || c.Cooldown > 1000:
		return fmt.Errorf("%w: cooldown %d outside 1..1000", ErrConfig, c.Cooldown)
	case c.BaselineTurns < 1 || c.BaselineTurns > maxBaseline:
		return fmt.Errorf("%w: baseline_turns %d outside 1..%d", ErrConfig, c.BaselineTurns, maxBaseline)
	case !unit(c.CalmText):
		return fmt.Errorf("%w: calm_text %g outside [0, 1]", ErrConfig, c.CalmText)
	case c.MinVoicedFrames < 1:
		return fmt.Errorf("%w: min_voiced_frames %d below 1", ErrConfig, c.MinVoicedFrames)
	case !unit(c.ProsodyWeight):
		return fmt.Errorf("%w: prosody_weight %g outside [0, 1]", ErrConfig, c.ProsodyWeight)
	case !(c.ProsodyAlone >= 0 && c.ProsodyAlone < c.Threshold):
		return fmt.Errorf("%w: prosody_alone %g not in [0, threshold %g)", ErrConfig, c.ProsodyAlone, c.Threshold)
	case !unit(c.RepeatBoost):
		return fmt.Errorf("%w: repeat_boost %g outside [0, 1]", ErrConfig, c.RepeatBoost)
	case c.RepeatWindow < 0 || c.RepeatWindow > maxRepeat:
		return fmt.Errorf("%w: repeat_window %d outside 0..%d", ErrConfig, c.RepeatWindow, maxRepeat)
	}
	return nil
}

// Bounds of the tracker's fixed memory.
const (
	maxBaseline = 20
	maxRepeat   = 10
)

// Prosody is how one caller turn sounded, as the call layer measured it
// (audio.ProsodyMeter) and converted it. Zero fields mean unknown.
type Prosody struct {
	// LevelDBFS is the mean level of the voiced frames.
	LevelDBFS float64
	// PitchHz is the median pitch; PitchSpreadHz its interquartile range.
	PitchHz, PitchSpreadHz float64
	// SyllablesPerSec is the speech rate: SyllableRate of the turn's text
	// over its active speech (audio.Prosody.ActiveFrames × 20 ms).
	SyllablesPerSec float64
	// ShoutFrames and VoicedFrames count 20 ms frames.
	ShoutFrames, VoicedFrames int
}

// Result is the verdict on one turn.
type Result struct {
	// Score is the fused anger score in [0, 1].
	Score float64
	// Anger is Score >= Config.Threshold.
	Anger bool
	// Alert is true only on the turn the call crosses into anger while
	// the alert is armed (see Tracker).
	Alert bool
	// Cues are the words that raised the score.
	Cues []string
	// TextScore is the words' score (repetition included); ProsodyScore
	// how far the voice was from the caller's baseline, both in [0, 1].
	TextScore, ProsodyScore float64
}

// Tracker scores the turns of one call: text cues, prosody against the
// caller's own baseline, and alert hysteresis. An alert fires when a turn
// is angry and the tracker is armed; it then disarms until RearmTurns
// turns in a row score below Release, and never fires twice within
// Cooldown turns. A Tracker belongs to one call and is not safe for
// concurrent use.
type Tracker struct {
	cfg Config

	base    [maxBaseline]Prosody
	nBase   int
	recent  [maxRepeat][]string // complaint cues of the last turns, ring
	turn    int
	armed   bool
	calmRun int
	last    int // turn of the last alert
}

// NewTracker returns a tracker for one call. cfg should have passed
// Validate; fields out of range are replaced by their defaults.
func NewTracker(cfg Config) *Tracker {
	if cfg.Validate() != nil {
		cfg = DefaultConfig()
	}
	return &Tracker{cfg: cfg, armed: true, last: -1 << 30}
}

// Observe scores one caller turn: its recognised text and how it sounded
// (the zero Prosody when unknown).
func (t *Tracker) Observe(text string, p Prosody) Result {
	a := analyse(text)
	ts := a.score
	if t.repeated(a.complaint) {
		ts += (1 - ts) * t.cfg.RepeatBoost
	}
	ps := t.prosodyScore(p)
	r := Result{Cues: a.cues, TextScore: ts, ProsodyScore: ps, Score: t.fuse(ts, ps)}
	r.Anger = r.Score >= t.cfg.Threshold
	t.hysteresis(&r)
	t.learn(ts, p)
	t.recent[t.turn%maxRepeat] = a.complaint
	t.turn++
	return r
}

// fullProsodyText is the text score from which prosody counts in full.
const fullProsodyText = 0.4

// fuse combines the text and prosody scores: prosody covers up to
// ProsodyWeight of the distance to 1, in proportion to how negative the
// words are; words without anger score at most ProsodyAlone.
func (t *Tracker) fuse(ts, ps float64) float64 {
	ramp := min(1, ts/fullProsodyText)
	s := ts + (1-ts)*t.cfg.ProsodyWeight*ps*ramp
	s = max(s, t.cfg.ProsodyAlone*ps)
	return min(max(s, 0), 1)
}

// hysteresis sets r.Alert and moves the arming state.
func (t *Tracker) hysteresis(r *Result) {
	if r.Anger && t.armed && t.turn-t.last >= t.cfg.Cooldown {
		r.Alert = true
		t.armed, t.last = false, t.turn
	}
	if r.Score >= t.cfg.Release {
		t.calmRun = 0
		return
	}
	t.calmRun++
	if t.calmRun >= t.cfg.RearmTurns {
		t.armed = true
	}
}

// repeated reports whether one of cues was also a cue of one of the last
// RepeatWindow turns.
func (t *Tracker) repeated(cues []string) bool {
	for back := 1; back <= t.cfg.RepeatWindow && back <= t.turn; back++ {
		prev := t.recent[(t.turn-back)%maxRepeat]
		for _, c := range cues {
			if slices.Contains(prev, c) {
				return true
			}
		}
	}
	return false
}

// learn adds a calm, voiced turn to the baseline until it is full.
func (t *Tracker) learn(ts float64, p Prosody) {
	if t.nBase >= t.cfg.BaselineTurns || ts >= t.cfg.CalmText || p.VoicedFrames < t.cfg.MinVoicedFrames {
		return
	}
	t.base[t.nBase] = p
	t.nBase++
}

// Baseline returns the caller's baseline (medians of the calm turns
// learnt so far) and how many turns it rests on.
func (t *Tracker) Baseline() (Prosody, int) {
	if t.nBase == 0 {
		return Prosody{}, 0
	}
	b := t.base[:t.nBase]
	med := func(f func(Prosody) float64) float64 {
		var v [maxBaseline]float64
		for i, p := range b {
			v[i] = f(p)
		}
		s := v[:len(b)]
		slices.Sort(s)
		if len(s)%2 == 1 {
			return s[len(s)/2]
		}
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Prosody{
		LevelDBFS:       med(func(p Prosody) float64 { return p.LevelDBFS }),
		PitchHz:         med(func(p Prosody) float64 { return p.PitchHz }),
		PitchSpreadHz:   med(func(p Prosody) float64 { return p.PitchSpreadHz }),
		SyllablesPerSec: med(func(p Prosody) float64 { return p.SyllablesPerSec }),
		ShoutFrames:     int(med(func(p Prosody) float64 { return float64(p.ShoutFrames) })),
		VoicedFrames:    int(med(func(p Prosody) float64 { return float64(p.VoicedFrames) })),
	}, t.nBase
}
