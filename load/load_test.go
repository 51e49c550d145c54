package load

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/sim"
	"github.com/yuecall/yuecall/sim/simtest"
)

// metricsServer serves a registry with the Go and process collectors and
// yuecall's lost-packet and send-late counters, like `yuecall serve`.
func metricsServer(t *testing.T) (*httptest.Server, prometheus.Counter) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lost := prometheus.NewCounter(prometheus.CounterOpts{Name: "yuecall_rtp_packets_lost_total", Help: "x"})
	late := prometheus.NewCounter(prometheus.CounterOpts{Name: "yuecall_rtp_send_late_total", Help: "x"})
	reg.MustRegister(lost, late)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return srv, late
}

func TestRunAgainstUAS(t *testing.T) {
	uas, err := simtest.Start(simtest.Options{Greeting: 400 * time.Millisecond, Reply: 500 * time.Millisecond,
		RTPPortMin: 45000, RTPPortMax: 45999})
	if err != nil {
		t.Fatal(err)
	}
	defer uas.Close()
	metrics, late := metricsServer(t)
	voice := make(audio.PCM16, 4800) // 600 ms
	audio.NewSpeechLikeGenerator(8000, -20, 7).Read(voice)
	cfg := Config{
		Target: uas.Target(), Calls: 20, RampUp: time.Second, Duration: 5 * time.Second, RampDown: time.Second,
		Script:     []sim.Step{{WaitBot: true}, {PCM: voice}, {WaitBot: true}},
		Subtract:   300 * time.Millisecond, // the UAS's 100 ms end silence + 200 ms delay
		MetricsURL: metrics.URL, ServerPID: os.Getpid(), SampleEvery: 250 * time.Millisecond,
		Line: sim.Line{RTPPortMin: 46000, RTPPortMax: 46999},
		Call: sim.Config{BotQuiet: 300 * time.Millisecond, BotTimeout: 5 * time.Second, Timeout: 20 * time.Second},
		Log:  slog.New(slog.DiscardHandler),
	}
	go func() { // three frames "dropped" by the server during the run
		time.Sleep(2 * time.Second)
		late.Add(3)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	start := time.Now()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run took %v\n%s", time.Since(start), rep)
	checkReport(t, rep)
	st := uas.Stats()
	if st.Calls != rep.CallsStarted || st.CallerHangups != rep.CallsCompleted || st.EventsDropped != 0 {
		t.Errorf("uas saw %+v; report started %d completed %d", st, rep.CallsStarted, rep.CallsCompleted)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rep) {
		t.Errorf("JSON round trip: %v\n%s\n%+v", err, b, back)
	}
	for _, key := range []string{`"calls_completed"`, `"calls_failed"`, `"overhead_ms":{`, `"p99"`,
		`"bargein_stop_ms":{`, `"send_jitter_ms_p99"`, `"frames_dropped"`, `"mem_per_call_kb"`, `"goroutines_per_call"`, `"goroutine_growth"`, `"mem_growth_kb"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

// checkReport asserts the figures a 20-call run against the UAS must give.
func checkReport(t *testing.T, rep Report) {
	t.Helper()
	// Each call lasts about 2.5 s: 20 slots x 6 s -> about 40-60 calls.
	if rep.CallsFailed != 0 || rep.CallsCompleted < 35 || rep.CallsCompleted != rep.CallsStarted {
		t.Errorf("calls: %d completed, %d failed of %d (%v)", rep.CallsCompleted, rep.CallsFailed,
			rep.CallsStarted, rep.Failures)
	}
	if rep.PeakConcurrent != 20 {
		t.Errorf("peak concurrency %d, want 20", rep.PeakConcurrent)
	}
	if rep.Turns != rep.CallsCompleted || rep.TurnsUnanswered != 0 || rep.OverheadMs.N != rep.Turns {
		t.Errorf("turns %d (%d unanswered), overhead n=%d", rep.Turns, rep.TurnsUnanswered, rep.OverheadMs.N)
	}
	// The UAS adds no overhead of its own beyond pacing: the p50 is within
	// a few frames; loaded race-detector runs stretch the tail.
	if o := rep.OverheadMs; o.P50 < -30 || o.P50 > 80 || o.P99 < o.P50 || o.P99 > 400 {
		t.Errorf("overhead %+v", o)
	}
	if rep.ResponseMs.P50-rep.OverheadMs.P50 != 300 {
		t.Errorf("response p50 %.2f vs overhead p50 %.2f: subtract 300", rep.ResponseMs.P50, rep.OverheadMs.P50)
	}
	if rep.BargeIns != 0 || rep.BargeInStopMs.N != 0 {
		t.Errorf("barge-ins %d: the script never talks over the bot", rep.BargeIns)
	}
	if rep.SendJitterP99 <= 0 || rep.SendJitterP99 > 40 {
		t.Errorf("send jitter p99 %.2f ms", rep.SendJitterP99)
	}
	if rep.FramesDropped != 3 || rep.FramesDroppedBy["send_late"] != 3 || rep.FramesDroppedBy["lost"] != 0 {
		t.Errorf("frames dropped %v %v, want 3 send_late", rep.FramesDropped, rep.FramesDroppedBy)
	}
	if !slicesEqual(rep.Unavailable, []string{"frames_dropped.queue_full"}) {
		t.Errorf("unavailable %v, want only the queue_full counter", rep.Unavailable)
	}
	// Callers and UAS share this process: per call it holds both sides.
	if rep.GoroutinesPerCall < 4 || rep.GoroutinesPerCall > 40 {
		t.Errorf("goroutines per call %.2f, want 4..40", rep.GoroutinesPerCall)
	}
	if rep.MemPerCallKB <= 0 || rep.CPUPerCallPct <= 0 || rep.CPUPerCallPct > 100 {
		t.Errorf("mem per call %.1f kB, cpu %.2f %%", rep.MemPerCallKB, rep.CPUPerCallPct)
	}
	if rep.Server.Samples < 10 || rep.Server.ProbeError != "" {
		t.Errorf("server %+v", rep.Server)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestRunServerDown(t *testing.T) {
	uas, err := simtest.Start(simtest.Options{RTPPortMin: 45000, RTPPortMax: 45999})
	if err != nil {
		t.Fatal(err)
	}
	defer uas.Close()
	uas.Drain() // every INVITE gets 503
	cfg := Config{Target: uas.Target(), Calls: 2, Duration: 300 * time.Millisecond,
		Script: []sim.Step{{WaitBot: true}}, Line: sim.Line{RTPPortMin: 46000, RTPPortMax: 46999}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// One call per slot, then the 500 ms back-off outlasts the hold.
	if rep.CallsFailed != 2 || rep.Failures["dial"] != 2 || rep.CallsCompleted != 0 || rep.Turns != 0 {
		t.Errorf("report %+v", rep)
	}
	want := []string{"cpu_per_call_pct", "mem_per_call_kb", "goroutines_per_call",
		"frames_dropped.lost", "frames_dropped.send_late", "frames_dropped.queue_full",
		"goroutine_growth", "mem_growth_kb"} // no metrics, and a hold too short for the windows
	if !slicesEqual(rep.Unavailable, want) {
		t.Errorf("unavailable %v, want %v", rep.Unavailable, want)
	}
	if s := rep.String(); !strings.Contains(s, "0 completed, 2 failed") || !strings.Contains(s, "dial:2") {
		t.Errorf("text report:\n%s", s)
	}
}

func TestRunCancelled(t *testing.T) {
	uas, err := simtest.Start(simtest.Options{Greeting: 200 * time.Millisecond, RTPPortMin: 45000, RTPPortMax: 45999})
	if err != nil {
		t.Fatal(err)
	}
	defer uas.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	cfg := Config{Target: uas.Target(), Calls: 3, Duration: time.Minute,
		Script: []sim.Step{{WaitBot: true}, {Pause: time.Minute}}, Line: sim.Line{RTPPortMin: 46000, RTPPortMax: 46999}}
	start := time.Now()
	rep, err := Run(ctx, cfg)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if rep.CallsStarted != 3 || rep.CallsFailed != 3 || rep.Failures["cancelled"] != 3 {
		t.Errorf("report %+v", rep)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Target: "sip:hotline@127.0.0.1:5060", Script: []sim.Step{{WaitBot: true}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*Config){
		"calls":        func(c *Config) { c.Calls = MaxCalls + 1 },
		"negative":     func(c *Config) { c.RampUp = -time.Second },
		"sample":       func(c *Config) { c.SampleEvery = time.Millisecond },
		"pid":          func(c *Config) { c.ServerPID = -1 },
		"no script":    func(c *Config) { c.Script = nil },
		"metrics url":  func(c *Config) { c.MetricsURL = "127.0.0.1:8080/metrics" },
		"target":       func(c *Config) { c.Target = "tel:123" },
		"bad step":     func(c *Config) { c.Script = []sim.Step{{DTMF: "x"}} },
		"line":         func(c *Config) { c.Line.LocalIP = "nowhere" },
		"call setting": func(c *Config) { c.Call.LoudDBFS = 5 },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}
