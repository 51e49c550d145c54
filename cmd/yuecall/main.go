// Command yuecall is the Cantonese voice agent: `yuecall serve` runs the
// hotline (SIP, IVR, AI agent, NATS events); other subcommands help operators.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `yuecall — Cantonese voice agent for Hong Kong call centres

Usage:
  yuecall serve [-config FILE]   run the hotline (SIP, IVR, AI agent, NATS events, /metrics)
  yuecall asr [-provider P -url U -key K] [-fast] [-json] FILE.wav
                                 stream a WAV file through the ASR provider, print partials and finals
  yuecall say [-provider P -url U -key K -voice V] [-out FILE.wav] TEXT
                                 synthesise TEXT as a call would; print duration and time to first audio
  yuecall call [-target URI] [-script FILE.yaml | -say TEXT] [-record FILE.wav] [-json]
                                 one simulated caller: dial, follow the script, print what it measured
  yuecall load [-calls N -hold D -ramp-up D -ramp-down D] [-script FILE.yaml] [-subtract D]
               [-metrics URL] [-pid PID] [-json] [-out FILE.json]
                                 N concurrent simulated callers against a running server; per-turn
                                 pipeline overhead, barge-in, jitter, dropped frames, CPU/memory per call
  yuecall nlu [-pack P] < utterances     one JSON line per utterance: intent, confidence, action,
                                 anger, masked text, slots (for pack authors)
  yuecall nlu [-pack P] test FILE.tsv    accuracy per intent on a labelled file (intent<TAB>text)
  yuecall user add NAME --role agent|supervisor|compliance --password-stdin
  yuecall user list | yuecall user remove NAME
                                 manage desk users (DATA_DIR/users.json, argon2id)
  yuecall kb import --pack DIR [--replace] [--dry-run] FILE... | kb search [--pack P] QUERY  (pack authors)
  yuecall config env             print every YUECALL_* variable with its YAML key and default
  yuecall config check [-config FILE]  validate a configuration and print it
  yuecall version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stderr)
	case "asr":
		return cmdASR(ctx, args[1:], stdout, stderr)
	case "call":
		return cmdCall(ctx, args[1:], stdout, stderr)
	case "load":
		return cmdLoad(ctx, args[1:], stdout, stderr)
	case "nlu":
		return cmdNLU(ctx, args[1:], os.Stdin, stdout, stderr)
	case "say":
		return cmdSay(ctx, args[1:], stdout, stderr)
	case "config":
		return cmdConfig(args[1:], stdout, stderr)
	case "user":
		return cmdUser(args[1:], os.Stdin, stdout, stderr)
	case "kb":
		return cmdKB(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "yuecall", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "yuecall: unknown command %q\n\n%s", args[0], usage)
	return 2
}

var version = "dev"
