package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/sim"
)

// Run keeps cfg.Calls simulated calls on cfg.Target: slot i dials its first
// call at i/Calls of RampUp, every slot replaces its call when it ends
// until the hold is over (RampUp + Duration), then slots stop dialling one
// after another over RampDown, and Run returns once the last call ended.
// When ctx ends, calls in progress are cut (and count as failed); the
// report of what was measured is returned with ctx's error. When the
// server's goroutines or memory grew during the hold beyond the tolerance,
// the full report is returned with an error wrapping ErrGrowth.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	cfg = cfg.withDefaults()
	d, err := sim.NewDialer(cfg.Line, cfg.Log.With("component", "sim"))
	if err != nil {
		return Report{}, fmt.Errorf("load: %w", err)
	}
	defer d.Close()
	if err := d.Prepare(ctx, cfg.Script); err != nil {
		return Report{}, fmt.Errorf("load: speech: %w", err)
	}
	r := &runner{cfg: cfg, d: d, call: cfg.callConfig(), agg: newAggregate(cfg.Subtract),
		p: &prober{url: cfg.MetricsURL, pid: cfg.ServerPID, procFS: "/proc",
			client: &http.Client{Timeout: scrapeTimeout}}}
	return r.run(ctx)
}

// runner is one Run in progress.
type runner struct {
	cfg  Config
	d    *sim.Dialer
	p    *prober
	call sim.Config
	agg  *aggregate

	active  atomic.Int64
	peak    atomic.Int64
	started atomic.Int64

	mu       sync.Mutex // guards samples and probeErr
	samples  []sample
	probeOK  int
	probeErr error
}

func (r *runner) run(ctx context.Context) (Report, error) {
	idle := r.probe(ctx)
	start := time.Now()
	holdStart := start.Add(r.cfg.RampUp)
	holdEnd := holdStart.Add(r.cfg.Duration)
	r.cfg.Log.Info("load: starting", "target", r.cfg.Target, "calls", r.cfg.Calls,
		"ramp_up", r.cfg.RampUp, "hold", r.cfg.Duration, "ramp_down", r.cfg.RampDown)
	sctx, stop := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go r.sampleLoop(sctx, sampled)
	var wg sync.WaitGroup
	n := time.Duration(r.cfg.Calls)
	for i := range r.cfg.Calls {
		first := start.Add(r.cfg.RampUp * time.Duration(i) / n)
		last := holdEnd.Add(r.cfg.RampDown * time.Duration(i) / n)
		wg.Go(func() { r.slot(ctx, first, last) })
	}
	wg.Wait()
	stop()
	<-sampled
	final := r.probe(context.WithoutCancel(ctx))
	rep, grew := r.report(idle, final, start, holdStart, holdEnd)
	r.cfg.Log.Info("load: done", "completed", rep.CallsCompleted, "failed", rep.CallsFailed,
		"goroutine_growth", rep.GoroutineGrowth, "mem_growth_kb", rep.MemGrowthKB)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, grew
}

// slot dials one call after another from first until last.
func (r *runner) slot(ctx context.Context, first, last time.Time) {
	if !sleep(ctx, time.Until(first)) {
		return
	}
	for ctx.Err() == nil && time.Now().Before(last) {
		r.started.Add(1)
		n := r.active.Add(1)
		for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
		}
		res, err := r.d.Call(ctx, r.call)
		r.active.Add(-1)
		r.agg.add(res, err)
		if err != nil {
			r.cfg.Log.Debug("load: call failed", "call_id", res.CallID, "err", err)
			if !sleep(ctx, failureBackoff) {
				return
			}
		}
	}
}

// sampleLoop samples the server every SampleEvery until ctx ends.
func (r *runner) sampleLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(r.cfg.SampleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s := r.probe(ctx)
		completed, failed := r.agg.counts()
		r.cfg.Log.Info("load: progress", "active", s.active, "completed", completed, "failed", failed,
			"server_goroutines", s.goroutines, "server_rss_mb", s.rss/(1<<20))
	}
}

// probe takes a sample, keeps it and notes a failure to read the server.
func (r *runner) probe(ctx context.Context) sample {
	s, err := r.p.probe(ctx)
	s.active = int(r.active.Load())
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, s)
	if err != nil && ctx.Err() == nil {
		r.probeErr = err
	} else if err == nil {
		r.probeOK++
	}
	return s
}

// sleep waits d or until ctx ends; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// failureClass names the reason a call failed, for Report.Failures.
func failureClass(err error) string {
	classes := []struct {
		err  error
		name string
	}{
		{sim.ErrDial, "dial"}, {sim.ErrServerHangup, "server_hangup"}, {sim.ErrBotSilent, "bot_silent"},
		{sim.ErrTimeout, "timeout"}, {sim.ErrSpeech, "speech"}, {context.Canceled, "cancelled"},
		{context.DeadlineExceeded, "cancelled"}, {sim.ErrClosed, "cancelled"},
	}
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "other"
}
