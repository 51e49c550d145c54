package load

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/sim"
)

// Quantiles summarises a set of values in milliseconds (nearest rank).
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// quantiles computes Quantiles of v (which it sorts).
func quantiles(v []float64) Quantiles {
	if len(v) == 0 {
		return Quantiles{}
	}
	sort.Float64s(v)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(v)))) - 1
		return round(v[min(max(i, 0), len(v)-1)])
	}
	return Quantiles{N: len(v), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: round(v[len(v)-1])}
}

// round keeps two decimals, enough for milliseconds and kilobytes.
func round(x float64) float64 { return math.Round(x*100) / 100 }

// ServerStats is what was sampled from the server.
type ServerStats struct {
	Samples        int     `json:"samples"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	RSSIdleKB      float64 `json:"rss_idle_kb"`
	RSSPeakKB      float64 `json:"rss_peak_kb"`
	GoroutinesIdle float64 `json:"goroutines_idle"`
	GoroutinesPeak float64 `json:"goroutines_peak"`
	// ProbeError is the last failure to read the server, if any.
	ProbeError string `json:"probe_error,omitempty"`
}

// Report is the outcome of a Run. Durations are in milliseconds. Figures
// that could not be measured are 0 and named in Unavailable.
type Report struct {
	Target          string         `json:"target"`
	Calls           int            `json:"calls"`
	PeakConcurrent  int            `json:"peak_concurrent"`
	ElapsedS        float64        `json:"elapsed_s"`
	CallsStarted    int            `json:"calls_started"`
	CallsCompleted  int            `json:"calls_completed"`
	CallsFailed     int            `json:"calls_failed"`
	Failures        map[string]int `json:"failures,omitempty"`
	CallSeconds     float64        `json:"call_seconds"`
	SetupMs         Quantiles      `json:"setup_ms"`
	Turns           int            `json:"turns"`
	TurnsUnanswered int            `json:"turns_unanswered"`
	ResponseMs      Quantiles      `json:"response_ms"`
	SubtractMs      float64        `json:"subtract_ms"`
	// OverheadMs is ResponseMs minus SubtractMs per turn: the time the
	// server's own pipeline adds (VAD, ASR and TTS plumbing, dialog,
	// resampling, queueing, pacing, network).
	OverheadMs    Quantiles `json:"overhead_ms"`
	BargeIns      int       `json:"bargeins"`
	BargeInMissed int       `json:"bargeins_not_stopped"`
	BargeInStopMs Quantiles `json:"bargein_stop_ms"`
	SendJitterP99 float64   `json:"send_jitter_ms_p99"`
	// ServerSendLatenessP99 is the bound (ms) under which 99% of the
	// server pacer's group sends started, over the run (-1: beyond the
	// last bucket); SendJitterP99 is measured by the callers, whose own
	// scheduling on a shared machine adds to it.
	ServerSendLatenessP99 float64            `json:"server_send_lateness_ms_p99,omitempty"`
	RxJitterMean          float64            `json:"rx_jitter_ms_mean"`
	RxPacketsLost         uint64             `json:"rx_packets_lost"`
	FramesDropped         float64            `json:"frames_dropped"`
	FramesDroppedBy       map[string]float64 `json:"frames_dropped_by,omitempty"`
	// Per active call on the server: RSS growth over idle / peak
	// concurrency; goroutines over idle at peak concurrency / calls; CPU
	// time / call time, in percent of one core.
	MemPerCallKB      float64 `json:"mem_per_call_kb"`
	GoroutinesPerCall float64 `json:"goroutines_per_call"`
	CPUPerCallPct     float64 `json:"cpu_per_call_pct"`
	// GoroutineGrowth and MemGrowthKB are how much the server's goroutines
	// and RSS grew from the start to the end of the hold (a soak's leak
	// check; Growth says how they were taken and checked).
	GoroutineGrowth float64     `json:"goroutine_growth"`
	MemGrowthKB     float64     `json:"mem_growth_kb"`
	Growth          Growth      `json:"growth"`
	Server          ServerStats `json:"server"`
	// CallersGOMAXPROCS is the load generator's Go scheduler threads: on
	// the server's machine they compete with it for the CPU.
	CallersGOMAXPROCS int      `json:"callers_gomaxprocs"`
	Unavailable       []string `json:"unavailable,omitempty"`
}

// aggregate collects call results; it is safe for concurrent use.
type aggregate struct {
	subtract time.Duration

	mu                                  sync.Mutex
	completed, failed                   int
	failures                            map[string]int
	setup, response, overhead, stop     []float64
	turns, unanswered, bargeIns, missed int
	jitter                              sim.Histogram
	rxJitter                            float64
	rxJitterN                           int
	lost                                uint64
	callSeconds                         float64
}

func newAggregate(subtract time.Duration) *aggregate {
	return &aggregate{subtract: subtract, failures: map[string]int{}}
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// add takes one call's result. The turns of failed calls count too: what
// was measured before the failure is valid.
func (a *aggregate) add(res sim.Result, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.failed++
		a.failures[failureClass(err)]++
	} else {
		a.completed++
	}
	if res.EndedBy == "" {
		return // never answered
	}
	a.setup = append(a.setup, msOf(res.SetupTime))
	a.callSeconds += res.Duration.Seconds()
	for _, t := range res.Turns {
		a.addTurn(t)
	}
	a.jitter.Merge(&res.SendJitter)
	a.rxJitter += res.RxJitterMs
	a.rxJitterN++
	a.lost += res.PacketsLost
}

func (a *aggregate) addTurn(t sim.Turn) {
	if t.BargeIn && !t.Backchannel {
		a.bargeIns++
		if t.BotStopped {
			a.stop = append(a.stop, msOf(t.BargeInStop))
		} else {
			a.missed++
		}
	}
	if t.Backchannel {
		return
	}
	a.turns++
	if !t.Answered {
		a.unanswered++
		return
	}
	a.response = append(a.response, msOf(t.ResponseLatency))
	a.overhead = append(a.overhead, msOf(t.ResponseLatency-a.subtract))
}

func (a *aggregate) counts() (completed, failed int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.completed, a.failed
}

// report builds the Report from the results and the server samples; its
// error is ErrGrowth when the server grew beyond the tolerance.
func (r *runner) report(idle, final sample, start, holdStart, holdEnd time.Time) (Report, error) {
	elapsed := time.Since(start)
	a := r.agg
	a.mu.Lock()
	defer a.mu.Unlock()
	rep := Report{Target: r.cfg.Target, Calls: r.cfg.Calls, PeakConcurrent: int(r.peak.Load()),
		ElapsedS: round(elapsed.Seconds()), CallsStarted: int(r.started.Load()),
		CallsCompleted: a.completed, CallsFailed: a.failed, CallSeconds: round(a.callSeconds),
		SetupMs: quantiles(a.setup), Turns: a.turns, TurnsUnanswered: a.unanswered,
		ResponseMs: quantiles(a.response), SubtractMs: msOf(r.cfg.Subtract), OverheadMs: quantiles(a.overhead),
		BargeIns: a.bargeIns, BargeInMissed: a.missed, BargeInStopMs: quantiles(a.stop),
		SendJitterP99: round(msOf(a.jitter.Quantile(0.99))), RxPacketsLost: a.lost,
		CallersGOMAXPROCS: runtime.GOMAXPROCS(0)}
	if len(a.failures) > 0 {
		rep.Failures = a.failures
	}
	if a.rxJitterN > 0 {
		rep.RxJitterMean = round(a.rxJitter / float64(a.rxJitterN))
	}
	r.mu.Lock()
	samples := slices.Clone(r.samples)
	rep.Server.Samples = r.probeOK
	if r.probeErr != nil {
		rep.Server.ProbeError = r.probeErr.Error()
	}
	r.mu.Unlock()
	rep.serverFigures(idle, final, samples)
	if v, ok := latenessQuantile(idle.lateness, final.lateness, 0.99); ok {
		rep.ServerSendLatenessP99 = v
	}
	rep.droppedFrames(idle, final)
	var callLen time.Duration
	if n := a.completed + a.failed; n > 0 {
		callLen = time.Duration(a.callSeconds / float64(n) * float64(time.Second))
	}
	err := rep.growth(r.cfg, samples, start, holdStart, holdEnd, callLen)
	return rep, err
}

// serverFigures fills the per-call resource figures.
func (rep *Report) serverFigures(idle, final sample, samples []sample) {
	peak := float64(rep.PeakConcurrent)
	if idle.hasCPU && final.hasCPU && rep.CallSeconds > 0 {
		rep.Server.CPUSeconds = round(final.cpu - idle.cpu)
		rep.CPUPerCallPct = round(100 * (final.cpu - idle.cpu) / rep.CallSeconds)
	} else {
		rep.Unavailable = append(rep.Unavailable, "cpu_per_call_pct")
	}
	if idle.hasRSS && peak > 0 {
		rep.Server.RSSIdleKB = round(idle.rss / 1024)
		maxRSS := idle.rss
		for _, s := range samples {
			if s.hasRSS {
				maxRSS = max(maxRSS, s.rss)
			}
		}
		rep.Server.RSSPeakKB = round(maxRSS / 1024)
		rep.MemPerCallKB = round((maxRSS - idle.rss) / 1024 / peak)
	} else {
		rep.Unavailable = append(rep.Unavailable, "mem_per_call_kb")
	}
	if g, ok := goroutinesPerCall(idle, samples); ok {
		rep.Server.GoroutinesIdle = idle.goroutines
		for _, s := range samples {
			rep.Server.GoroutinesPeak = max(rep.Server.GoroutinesPeak, s.goroutines)
		}
		rep.GoroutinesPerCall = round(g)
	} else {
		rep.Unavailable = append(rep.Unavailable, "goroutines_per_call")
	}
}

// goroutinesPerCall is the median, over the samples taken at the highest
// concurrency seen, of (goroutines - idle goroutines) / calls.
func goroutinesPerCall(idle sample, samples []sample) (float64, bool) {
	if !idle.hasG {
		return 0, false
	}
	top := 0
	for _, s := range samples {
		if s.hasG {
			top = max(top, s.active)
		}
	}
	var per []float64
	for _, s := range samples {
		if s.hasG && top > 0 && s.active == top {
			per = append(per, (s.goroutines-idle.goroutines)/float64(top))
		}
	}
	if len(per) == 0 {
		return 0, false
	}
	sort.Float64s(per)
	return per[len(per)/2], true
}

// droppedFrames fills the dropped-frame counters (growth over the run).
func (rep *Report) droppedFrames(idle, final sample) {
	for _, c := range droppedCounters {
		before, ok1 := idle.counters[c.name]
		after, ok2 := final.counters[c.name]
		if !ok1 || !ok2 {
			rep.Unavailable = append(rep.Unavailable, "frames_dropped."+c.name)
			continue
		}
		if rep.FramesDroppedBy == nil {
			rep.FramesDroppedBy = map[string]float64{}
		}
		rep.FramesDroppedBy[c.name] = after - before
		rep.FramesDropped += after - before
	}
}

// String renders the report for a terminal.
func (rep Report) String() string {
	var b strings.Builder
	q := func(x Quantiles) string {
		if x.N == 0 {
			return "n/a"
		}
		return fmt.Sprintf("p50 %.0f ms, p95 %.0f ms, p99 %.0f ms (n=%d)", x.P50, x.P95, x.P99, x.N)
	}
	fmt.Fprintf(&b, "yuecall load: %d concurrent calls to %s, %.1f s\n", rep.Calls, rep.Target, rep.ElapsedS)
	fmt.Fprintf(&b, "calls:            %d completed, %d failed of %d started; peak %d concurrent; %.0f call-seconds\n",
		rep.CallsCompleted, rep.CallsFailed, rep.CallsStarted, rep.PeakConcurrent, rep.CallSeconds)
	if len(rep.Failures) > 0 {
		fmt.Fprintf(&b, "failures:         %v\n", rep.Failures)
	}
	fmt.Fprintf(&b, "call setup:       %s\n", q(rep.SetupMs))
	fmt.Fprintf(&b, "turns:            %d (%d unanswered)\n", rep.Turns, rep.TurnsUnanswered)
	fmt.Fprintf(&b, "response:         %s\n", q(rep.ResponseMs))
	fmt.Fprintf(&b, "overhead:         %s  [response - %.0f ms]\n", q(rep.OverheadMs), rep.SubtractMs)
	fmt.Fprintf(&b, "barge-in stop:    %s; %d of %d barge-ins did not stop the bot\n",
		q(rep.BargeInStopMs), rep.BargeInMissed, rep.BargeIns)
	if rep.ServerSendLatenessP99 != 0 {
		fmt.Fprintf(&b, "server pacer:     99%% of group sends started within %.2f ms of their tick\n", rep.ServerSendLatenessP99)
	}
	fmt.Fprintf(&b, "server packets:   send jitter p99 %.2f ms, rx jitter mean %.2f ms, %d lost on the way to callers\n",
		rep.SendJitterP99, rep.RxJitterMean, rep.RxPacketsLost)
	fmt.Fprintf(&b, "frames dropped:   %.0f %v\n", rep.FramesDropped, rep.FramesDroppedBy)
	fmt.Fprintf(&b, "per active call:  %.0f kB memory, %.1f goroutines, %.2f %% CPU\n",
		rep.MemPerCallKB, rep.GoroutinesPerCall, rep.CPUPerCallPct)
	fmt.Fprintf(&b, "hold growth:      %+.0f goroutines (tolerance %.0f), %+.0f kB RSS (tolerance %s)%s\n",
		rep.GoroutineGrowth, rep.Growth.GoroutineTolerance, rep.MemGrowthKB, tolerance(rep.Growth.MemToleranceKB),
		failedNote(rep.Growth.Failed))
	s := rep.Server
	fmt.Fprintf(&b, "server:           %d samples; RSS %.0f -> %.0f kB; goroutines %.0f -> %.0f; %.2f CPU-s\n",
		s.Samples, s.RSSIdleKB, s.RSSPeakKB, s.GoroutinesIdle, s.GoroutinesPeak, s.CPUSeconds)
	if s.ProbeError != "" {
		fmt.Fprintf(&b, "server probe:     %s\n", s.ProbeError)
	}
	fmt.Fprintf(&b, "callers:          GOMAXPROCS %d\n", rep.CallersGOMAXPROCS)
	if len(rep.Unavailable) > 0 {
		fmt.Fprintf(&b, "not measured:     %s\n", strings.Join(rep.Unavailable, ", "))
	}
	return b.String()
}

func tolerance(kb float64) string {
	if kb == 0 {
		return "not checked"
	}
	return fmt.Sprintf("%.0f kB", kb)
}

func failedNote(failed []string) string {
	if len(failed) == 0 {
		return ""
	}
	return "  OVER: " + strings.Join(failed, ", ")
}
