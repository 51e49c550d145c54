package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/yuecall/yuecall/load"
)

func cmdLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf callerFlags
	cf.register(fs)
	calls := fs.Int("calls", load.DefaultCalls, "concurrent calls to hold")
	hold := fs.Duration("hold", load.DefaultDuration, "how long to hold that many calls")
	rampUp := fs.Duration("ramp-up", 10*time.Second, "time over which the calls start")
	rampDown := fs.Duration("ramp-down", 10*time.Second, "time over which the calls stop being replaced")
	subtract := fs.Duration("subtract", -1, "what the server waits on purpose per turn "+
		"(default asr.synthetic.latency + tts.synthetic.latency + asr.turn.base)")
	metrics := fs.String("metrics", "", "server /metrics URL (default http://<http.addr>/metrics; \"off\" to skip)")
	pid := fs.Int("pid", 0, "server process id for CPU and RSS from /proc (same host)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	out := fs.String("out", "", "also write the JSON report to this file")
	path, err := configPath(fs, args)
	if err != nil {
		return 2
	}
	cfg, err := LoadConfig(path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall load: %v\n", err)
		return 1
	}
	call, line, err := cf.resolve(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall load: %v\n", err)
		return 2
	}
	if *subtract < 0 {
		*subtract = cfg.ASR.Synthetic.Latency + cfg.TTS.Synthetic.Latency + cfg.ASR.Turn.Base
	}
	switch *metrics {
	case "":
		*metrics = "http://" + cfg.HTTP.Addr + "/metrics"
	case "off":
		*metrics = ""
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lc := load.Config{Target: call.Target, Calls: *calls, Duration: *hold, RampUp: *rampUp, RampDown: *rampDown,
		Script: call.Script, Subtract: *subtract, MetricsURL: *metrics, ServerPID: *pid,
		Line: line, Call: call, Log: log}
	rep, err := load.Run(ctx, lc)
	b, _ := json.MarshalIndent(rep, "", "  ")
	if *asJSON {
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprint(stdout, rep.String())
	}
	if *out != "" {
		if werr := os.WriteFile(*out, append(b, '\n'), 0o644); werr != nil {
			fmt.Fprintf(stderr, "yuecall load: %v\n", werr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "yuecall load: %v\n", err)
		return 1
	}
	if rep.CallsFailed > 0 {
		return 3 // the run finished, but calls failed: fail a CI job that runs it
	}
	return 0
}
