package load

import (
	"errors"
	"fmt"
	"time"
)

// ErrGrowth means the server's goroutines or memory grew during the hold
// beyond the tolerance (Config.MaxGoroutineGrowth, Config.MaxMemGrowthKB):
// the report is complete, but the run counts as failed.
var ErrGrowth = errors.New("load: server grew during the hold")

// Soak checks. The server is looked at in two windows of the hold: the
// baseline starts warmUp into the hold (calls set up during the ramp-up
// have reached mid-script by then and the heap its working size), the end
// window finishes when the hold does. Every call runs the same script, so
// the server's goroutines rise and fall with the calls' phases (an ASR
// stream while the caller talks), in step at first and drifting apart
// later, so the swing shrinks during a soak. Each window therefore spans a
// whole number of call lengths (two when the hold allows) and the growth
// is the difference of the windows' means: the mean over whole rounds of
// the calls does not depend on how far in step they are, and a leak lifts
// it. A hold too short for windows of one call length reports the growth
// (over windows of growthWindow samples) but does not check it.
const (
	growthWindow = 5
	maxWarmUp    = time.Minute
	cycles       = 2 // call lengths per window, when the hold allows
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
	// BaselineAtS is when the baseline window starts and EndAtS when the
	// end window ends, in seconds from the start of the run; WindowS is
	// the windows' length.
	BaselineAtS float64 `json:"baseline_at_s"`
	EndAtS      float64 `json:"end_at_s"`
	WindowS     float64 `json:"window_s"`
	// GoroutineTolerance and MemToleranceKB are the limits applied; a
	// limit that was not applied (figure unavailable, hold too short for
	// windows of a whole call, or for memory under MinMemCheckHold) is 0.
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
// checked figure is over its tolerance. start is when the run started;
// callLen is the mean length of a call.
func (rep *Report) growth(cfg Config, samples []sample, start, holdStart, holdEnd time.Time, callLen time.Duration) error {
	from := holdStart.Add(min(cfg.Duration/5, maxWarmUp))
	win, cycle := growthWindow*cfg.SampleEvery, false
	if n := min(cycles, int(holdEnd.Sub(from)/2/max(callLen, 1))); n >= 1 && callLen > 0 {
		win, cycle = max(win, time.Duration(n)*callLen), true
	}
	var base, end []sample
	for _, s := range samples {
		switch {
		case s.at.Before(from) || s.at.After(holdEnd):
		case s.at.Before(from.Add(win)):
			base = append(base, s)
		case s.at.After(holdEnd.Add(-win)):
			end = append(end, s)
		}
	}
	if len(base) < growthWindow || len(end) < growthWindow {
		rep.Unavailable = append(rep.Unavailable, "goroutine_growth", "mem_growth_kb")
		return nil
	}
	rep.Growth.BaselineAtS = round(base[0].at.Sub(start).Seconds())
	rep.Growth.EndAtS = round(end[len(end)-1].at.Sub(start).Seconds())
	rep.Growth.WindowS = round(win.Seconds())
	if g0, ok0 := mean(base, goroutinesOf); ok0 {
		if g1, ok1 := mean(end, goroutinesOf); ok1 {
			rep.GoroutineGrowth = round(g1 - g0)
			if cycle {
				rep.Growth.GoroutineTolerance = cfg.goroutineTolerance()
			}
			if cycle && rep.GoroutineGrowth > rep.Growth.GoroutineTolerance {
				rep.Growth.Failed = append(rep.Growth.Failed, "goroutine_growth")
			}
		}
	} else {
		rep.Unavailable = append(rep.Unavailable, "goroutine_growth")
	}
	if m0, ok0 := mean(base, rssOf); ok0 {
		if m1, ok1 := mean(end, rssOf); ok1 {
			rep.MemGrowthKB = round((m1 - m0) / 1024)
			if cycle && cfg.Duration >= MinMemCheckHold {
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

// mean is the mean of what get yields for the samples that have it; it
// needs a value from more than half of them.
func mean(ss []sample, get func(sample) (float64, bool)) (float64, bool) {
	n, sum := 0, 0.0
	for _, s := range ss {
		if x, ok := get(s); ok {
			sum += x
			n++
		}
	}
	if 2*n <= len(ss) {
		return 0, false
	}
	return sum / float64(n), true
}
