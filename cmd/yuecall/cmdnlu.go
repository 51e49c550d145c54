package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/sentiment"
	"github.com/yuecall/yuecall/redact"
)

// nluLine is one line of `yuecall nlu` output.
type nluLine struct {
	Text       string            `json:"text"`
	Normalized string            `json:"normalized"`
	Intent     string            `json:"intent"`
	Confidence float64           `json:"confidence"`
	Action     string            `json:"action"`
	Anger      bool              `json:"anger"`
	AngerScore float64           `json:"anger_score"`
	Cues       []string          `json:"anger_cues,omitempty"`
	Masked     string            `json:"masked"`
	Slots      map[string]string `json:"slots"`
	Method     string            `json:"method,omitempty"`
}

// cmdNLU reads utterances (one per line) and prints what the brain makes of
// each, or with `test FILE.tsv` reports accuracy on a labelled file.
func cmdNLU(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nlu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pack := fs.String("pack", "bank", "pack: bank, property or a pack directory")
	threshold := fs.Float64("threshold", dialog.DefaultThreshold, "confidence below which the caller is asked to rephrase")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p, err := loadPack(*pack)
	if err != nil {
		fmt.Fprintln(stderr, "yuecall nlu:", err)
		return 1
	}
	e := dialog.NewEngine(p, dialog.Options{Threshold: *threshold})
	if rest := fs.Args(); len(rest) > 0 {
		if rest[0] != "test" || len(rest) != 2 {
			fmt.Fprintln(stderr, "usage: yuecall nlu [-pack P] [test FILE.tsv] < utterances")
			return 2
		}
		return nluTest(e, rest[1], stdout, stderr)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	tr := sentiment.NewTracker(sentiment.DefaultConfig())
	for sc.Scan() {
		text := sc.Text()
		if text == "" {
			continue
		}
		u := e.Understand(text, time.Now())
		res := tr.Observe(text, sentiment.Prosody{})
		line := nluLine{Text: text, Normalized: u.Normalized, Intent: u.Intent, Confidence: round3(u.Confidence),
			Action: u.Action, Anger: res.Anger, AngerScore: round3(res.Score), Cues: res.Cues,
			Masked: redact.Text(text), Slots: u.Slots, Method: u.Method}
		if line.Slots == nil {
			line.Slots = map[string]string{}
		}
		if err := enc.Encode(line); err != nil {
			fmt.Fprintln(stderr, "yuecall nlu:", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "yuecall nlu:", err)
		return 1
	}
	return 0
}

func nluTest(e *dialog.Engine, path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "yuecall nlu test:", err)
		return 1
	}
	defer f.Close()
	rep, err := dialog.Evaluate(e, f)
	if err != nil {
		fmt.Fprintln(stderr, "yuecall nlu test:", err)
		return 1
	}
	rep.Write(stdout)
	return 0
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
