package load

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// ErrGrowth means the server's goroutines or memory grew during the hold
// beyond the tolerance (Config.MaxGoroutineGrowth, Config.MaxMemGrowthKB):
// the report is complete, but the run counts as failed.
var ErrGrowth = errors.New("load: server grew during the hold")

// Soak checks. The server is looked at in two windows of the hold, each
// growthWindow samples long: the baseline starts warmUp into the hold
// (calls set up during the ramp-up have reached mid-script by then and the
// heap its working size), the end window finishes when the hold does. The
// growth is the difference of the windows' medians.
const (
	growthWindow = 5
	maxWarmUp    = time.Minute
	// DefaultMinGoroutineTolerance and DefaultGoroutineTolerancePerCall
	// make the default goroutine tolerance max(20, calls/20): calls in
	// different phases of their script hold 2-4 goroutines each, and
	// that count wanders with the phases; a leak of one goroutine per call
	// exceeds it within a few rounds of calls.
	DefaultMinGoroutineTolerance     = 20
	DefaultGoroutineTolerancePerCall = 0.05
	// DefaultMinMemToleranceKB and DefaultMemTolerance make the default
	// memory tolerance max(8 MiB, 5 % of the baseline RSS): the Go heap
	// breathes by up to a GC cycle and the RSS lags behind it.
	DefaultMinMemToleranceKB = 8 << 10
	DefaultMemTolerance      = 0.05
	// MinMemCheckHold is the shortest hold whose memory growth can fail a
	// run; shorter holds report it only (the heap is still settling).
	MinMemCheckHold = 2 * time.Minute
)

// Growth is how the server changed between the start and the end of the
// hold, and what that was checked against.
type Growth struct {
	// BaselineAtS and EndAtS are the windows' middles, in seconds from the
	// start of the run.
	BaselineAtS float64 `json:"baseline_at_s"`
	EndAtS      float64 `json:"end_at_s"`
	// GoroutineTolerance and MemToleranceKB are the limits applied; a
	// limit that was not applied (figure unavailable, hold too short) is 0.
	GoroutineTolerance float64 `json:"goroutine_tolerance"`
	MemToleranceKB     float64 `json:"mem_tolerance_kb"`
	// Failed names the figures over their tolerance.
	Failed []string `json:"failed,omitempty"`
}

// goroutineTolerance is cfg's limit on goroutine growth.
func (c Config) goroutineTolerance() float64 {
	if c.MaxGoroutineGrowth > 0 {
		return float64(c.MaxGoroutineGrowth)
	}
	return max(DefaultMinGoroutineTolerance, DefaultGoroutineTolerancePerCall*float64(c.Calls))
}

// memToleranceKB is cfg's limit on RSS growth given the baseline RSS.
func (c Config) memToleranceKB(baseKB float64) float64 {
	if c.MaxMemGrowthKB > 0 {
		return float64(c.MaxMemGrowthKB)
	}
	return max(DefaultMinMemToleranceKB, DefaultMemTolerance*baseKB)
}

// growth fills GoroutineGrowth, MemGrowthKB and Growth from the samples
// taken during the hold [holdStart, holdEnd] and reports ErrGrowth when a
// checked figure is over its tolerance. start is when the run started.
func (rep *Report) growth(cfg Config, samples []sample, start, holdStart, holdEnd time.Time) error {
	warm := min(cfg.Duration/5, maxWarmUp)
	var hold []sample
	for _, s := range samples {
		if !s.at.Before(holdStart.Add(warm)) && !s.at.After(holdEnd) {
			hold = append(hold, s)
		}
	}
	if len(hold) < 2*growthWindow {
		rep.Unavailable = append(rep.Unavailable, "goroutine_growth", "mem_growth_kb")
		return nil
	}
	base, end := hold[:growthWindow], hold[len(hold)-growthWindow:]
	rep.Growth.BaselineAtS = round(base[growthWindow/2].at.Sub(start).Seconds())
	rep.Growth.EndAtS = round(end[growthWindow/2].at.Sub(start).Seconds())
	if g0, ok0 := median(base, goroutinesOf); ok0 {
		g1, ok1 := median(end, goroutinesOf)
		if ok1 {
			rep.GoroutineGrowth = round(g1 - g0)
			rep.Growth.GoroutineTolerance = cfg.goroutineTolerance()
			if rep.GoroutineGrowth > rep.Growth.GoroutineTolerance {
				rep.Growth.Failed = append(rep.Growth.Failed, "goroutine_growth")
			}
		}
	} else {
		rep.Unavailable = append(rep.Unavailable, "goroutine_growth")
	}
	if m0, ok0 := median(base, rssOf); ok0 {
		if m1, ok1 := median(end, rssOf); ok1 {
			rep.MemGrowthKB = round((m1 - m0) / 1024)
			if cfg.Duration >= MinMemCheckHold {
				rep.Growth.MemToleranceKB = round(cfg.memToleranceKB(m0 / 1024))
				if rep.MemGrowthKB > rep.Growth.MemToleranceKB {
					rep.Growth.Failed = append(rep.Growth.Failed, "mem_growth_kb")
				}
			}
		}
	} else {
		rep.Unavailable = append(rep.Unavailable, "mem_growth_kb")
	}
	if len(rep.Growth.Failed) > 0 {
		return fmt.Errorf("%w: goroutines %+.0f (tolerance %.0f), RSS %+.0f kB (tolerance %.0f kB)", ErrGrowth,
			rep.GoroutineGrowth, rep.Growth.GoroutineTolerance, rep.MemGrowthKB, rep.Growth.MemToleranceKB)
	}
	return nil
}

func goroutinesOf(s sample) (float64, bool) { return s.goroutines, s.hasG }
func rssOf(s sample) (float64, bool)        { return s.rss, s.hasRSS }

// median is the median of what get yields for the samples that have it;
// it needs a value from more than half of them.
func median(ss []sample, get func(sample) (float64, bool)) (float64, bool) {
	var v []float64
	for _, s := range ss {
		if x, ok := get(s); ok {
			v = append(v, x)
		}
	}
	if 2*len(v) <= len(ss) {
		return 0, false
	}
	sort.Float64s(v)
	return v[len(v)/2], true
}
