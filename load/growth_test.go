package load

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// TestGrowth feeds the growth check a hold of samples with the given
// goroutine and RSS ramps, on top of a cycle that follows the calls'
// phases, and checks what it reports and whether it fails.
func TestGrowth(t *testing.T) {
	const callLen = 18 * time.Second
	cases := []struct {
		name        string
		hold        time.Duration
		cfg         Config
		gPerS, kbPS float64 // growth per second of the hold
		swing       float64 // goroutines up and down with the calls' phases
		drift       bool    // the swing shrinks to a sixth over the hold
		missingRSS  bool
		wantFailed  []string
		unavailable []string
	}{
		{name: "steady", hold: 10 * time.Minute, cfg: Config{Calls: 1000}},
		{name: "phases in step", hold: 10 * time.Minute, cfg: Config{Calls: 1000}, swing: 600},
		{name: "phases in step, short hold", hold: 50 * time.Second, cfg: Config{Calls: 200}, swing: 120},
		{name: "phases drift apart", hold: 10 * time.Minute, cfg: Config{Calls: 1000}, swing: 600, drift: true},
		{name: "small wander", hold: 10 * time.Minute, cfg: Config{Calls: 1000}, gPerS: 0.05, kbPS: 10, swing: 300},
		{name: "goroutine leak", hold: 10 * time.Minute, cfg: Config{Calls: 1000}, gPerS: 1, swing: 600,
			wantFailed: []string{"goroutine_growth"}},
		{name: "memory leak", hold: 10 * time.Minute, cfg: Config{Calls: 1000}, kbPS: 200,
			wantFailed: []string{"mem_growth_kb"}},
		{name: "short hold: memory not checked", hold: 30 * time.Second, cfg: Config{Calls: 50}, kbPS: 2000},
		{name: "short hold: goroutines checked", hold: 50 * time.Second, cfg: Config{Calls: 50}, gPerS: 3,
			wantFailed: []string{"goroutine_growth"}},
		{name: "windows shorter than a call: not checked", hold: 30 * time.Second, cfg: Config{Calls: 50}, gPerS: 3},
		{name: "explicit tolerance", hold: 10 * time.Minute, cfg: Config{Calls: 1000, MaxGoroutineGrowth: 5}, gPerS: 0.05,
			wantFailed: []string{"goroutine_growth"}},
		{name: "no RSS", hold: 10 * time.Minute, cfg: Config{Calls: 10}, missingRSS: true,
			unavailable: []string{"mem_growth_kb"}},
		{name: "hold too short", hold: 5 * time.Second, cfg: Config{Calls: 10},
			unavailable: []string{"goroutine_growth", "mem_growth_kb"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Unix(1000, 0)
			holdStart := start.Add(10 * time.Second)
			holdEnd := holdStart.Add(tc.hold)
			var ss []sample
			for at := start; !at.After(holdEnd.Add(5 * time.Second)); at = at.Add(time.Second) {
				s := 0.0
				if at.After(holdStart) {
					s = at.Sub(holdStart).Seconds()
				}
				phase := math.Sin(2 * math.Pi * at.Sub(start).Seconds() / callLen.Seconds())
				if tc.drift {
					phase *= 1 - 5.0/6*s/tc.hold.Seconds()
				}
				wobble := float64(at.Unix()%3) - 1 // -1, 0, 1
				ss = append(ss, sample{at: at, goroutines: 3000 + tc.gPerS*s + tc.swing*phase + 5*wobble, hasG: true,
					rss: 300e6 + tc.kbPS*1024*s + 1e6*wobble, hasRSS: !tc.missingRSS})
			}
			cfg := tc.cfg
			cfg.Duration, cfg.SampleEvery = tc.hold, time.Second
			var rep Report
			err := rep.growth(cfg, ss, start, holdStart, holdEnd, callLen)
			if !slices.Equal(rep.Growth.Failed, tc.wantFailed) || errors.Is(err, ErrGrowth) != (len(tc.wantFailed) > 0) {
				t.Errorf("failed %v, err %v; want %v (report %+v)", rep.Growth.Failed, err, tc.wantFailed, rep)
			}
			if !slices.Equal(rep.Unavailable, tc.unavailable) {
				t.Errorf("unavailable %v, want %v", rep.Unavailable, tc.unavailable)
			}
			if tc.unavailable != nil {
				return
			}
			// the windows' middles are one window less than the hold after
			// the warm-up apart; the wobble and partial swings add a little
			win := time.Duration(rep.Growth.WindowS * float64(time.Second))
			span := (tc.hold - min(tc.hold/5, time.Minute) - win).Seconds()
			slack := 2.0
			if want := tc.gPerS * span; math.Abs(rep.GoroutineGrowth-want) > tc.gPerS*slack+10+tc.swing/50 {
				t.Errorf("goroutine growth %v, want %v ± %v", rep.GoroutineGrowth, want, tc.gPerS*slack+10)
			}
			if want := tc.kbPS * span; !tc.missingRSS && math.Abs(rep.MemGrowthKB-want) > tc.kbPS*slack+2000 {
				t.Errorf("mem growth %v kB, want %v", rep.MemGrowthKB, want)
			}
		})
	}
}
