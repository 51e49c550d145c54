package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/yuecall/yuecall/sim"
)

// callerFlags are the flags `call` and `load` share.
type callerFlags struct {
	target, script, say, localIP, rtpPorts, voice string
	speed                                         int
	timeout, botQuiet, botTimeout                 time.Duration
}

func (c *callerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.target, "target", "", "SIP URI to dial (default sip:hotline@<sip.addr of the configuration>)")
	fs.StringVar(&c.script, "script", "", "YAML script of steps (default: greeting, press 1, ask, barge in, listen)")
	fs.StringVar(&c.say, "say", "", "what the caller asks in the default script (Cantonese)")
	fs.StringVar(&c.localIP, "local-ip", "127.0.0.1", "caller's IP for SIP and RTP")
	fs.StringVar(&c.rtpPorts, "rtp-ports", "40000-49999", "caller's RTP port range")
	fs.StringVar(&c.voice, "voice", sim.DefaultVoice, "espeak-ng voice for said text")
	fs.IntVar(&c.speed, "speed", sim.DefaultSpeed, "espeak-ng words per minute")
	fs.DurationVar(&c.timeout, "timeout", sim.DefaultTimeout, "limit per call")
	fs.DurationVar(&c.botQuiet, "bot-quiet", sim.DefaultBotQuiet, "bot silence that ends its turn (wait_bot)")
	fs.DurationVar(&c.botTimeout, "bot-timeout", sim.DefaultBotTimeout, "longest wait for the bot to speak")
}

// resolve turns the flags and the server configuration into the caller's
// target, script, line and per-call settings.
func (c *callerFlags) resolve(cfg Config) (sim.Config, sim.Line, error) {
	script := sim.DefaultScript()
	if c.script != "" {
		var err error
		if script, err = sim.LoadScript(c.script); err != nil {
			return sim.Config{}, sim.Line{}, err
		}
	} else if c.say != "" {
		script[3].Say = c.say
	}
	target := c.target
	if target == "" {
		target = "sip:hotline@" + cfg.SIP.Addr
	}
	line := sim.DefaultLine()
	line.LocalIP, line.Speech.Voice, line.Speech.Speed = c.localIP, c.voice, c.speed
	lo, hi, ok := strings.Cut(c.rtpPorts, "-")
	var err1, err2 error
	line.RTPPortMin, err1 = strconv.Atoi(lo)
	line.RTPPortMax, err2 = strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil {
		return sim.Config{}, sim.Line{}, fmt.Errorf("-rtp-ports %q: want MIN-MAX", c.rtpPorts)
	}
	call := sim.Config{Target: target, Script: script, Timeout: c.timeout, BotQuiet: c.botQuiet,
		BotTimeout: c.botTimeout}
	if err := call.Validate(); err != nil {
		return sim.Config{}, sim.Line{}, err
	}
	return call, line, line.Validate()
}

func cmdCall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf callerFlags
	cf.register(fs)
	record := fs.String("record", "", "write what the caller heard to this WAV file (8 kHz)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	path, err := configPath(fs, args)
	if err != nil {
		return 2
	}
	cfg, err := LoadConfig(path, os.Getenv)
	if err != nil && cf.target == "" {
		fmt.Fprintf(stderr, "yuecall call: %v\n", err)
		return 1
	}
	call, line, err := cf.resolve(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall call: %v\n", err)
		return 2
	}
	call.Record = *record
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := sim.NewDialer(line, log)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall call: %v\n", err)
		return 1
	}
	defer d.Close()
	res, err := d.Call(ctx, call)
	if *asJSON {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(stdout, string(b))
	} else {
		printCall(stdout, res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "yuecall call: %v\n", err)
		return 1
	}
	return 0
}

// printCall writes one call's measurements for a person.
func printCall(w io.Writer, r sim.Result) {
	msf := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintf(w, "call %s: %d steps, ended by %s after %s (setup %s)\n", r.CallID, r.StepsDone,
		r.EndedBy, r.Duration.Round(time.Millisecond), msf(r.SetupTime))
	for i, t := range r.Turns {
		fmt.Fprintf(w, "turn %d (step %d) at %s:", i+1, t.Step, t.SpeechStart.Round(time.Millisecond))
		if t.BargeIn {
			if t.BotStopped {
				fmt.Fprintf(w, " barge-in, bot stopped after %s;", msf(t.BargeInStop))
			} else {
				fmt.Fprint(w, " barge-in, bot did NOT stop;")
			}
		}
		switch {
		case t.Backchannel:
			fmt.Fprint(w, " backchannel\n")
		case t.Answered:
			fmt.Fprintf(w, " answered after %s\n", msf(t.ResponseLatency))
		default:
			fmt.Fprint(w, " no answer\n")
		}
	}
	fmt.Fprintf(w, "rtp: sent %d, received %d, lost %d; rx jitter %.2f ms; bot packet timing p99 %.2f ms\n",
		r.PacketsSent, r.PacketsReceived, r.PacketsLost, r.RxJitterMs, r.SendJitterP99Ms)
}
