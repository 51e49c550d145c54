package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/normalise"
)

// perUtterance lists providers that recognise one VAD-cut utterance per
// request; the others take the whole file as one stream.
var perUtterance = map[string]bool{"openai": true, "azure": true}

// asrLine is one line of `yuecall asr --json`.
type asrLine struct {
	Type       string `json:"type"` // partial | final
	Text       string `json:"text"`
	Normalized string `json:"normalized"`
	StartMs    int64  `json:"start_ms"`
	EndMs      int64  `json:"end_ms"`
}

type asrFlags struct {
	provider, url, key, model, language string
	fast, json                          bool
}

func cmdASR(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("asr", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f asrFlags
	fs.StringVar(&f.provider, "provider", "", "ASR provider (overrides YUECALL_ASR_PROVIDER)")
	fs.StringVar(&f.url, "url", "", "provider URL (overrides YUECALL_ASR_URL)")
	fs.StringVar(&f.key, "key", "", "API key (overrides YUECALL_ASR_KEY; prefer the variable)")
	fs.StringVar(&f.model, "model", "", "model (overrides YUECALL_ASR_MODEL)")
	fs.StringVar(&f.language, "language", "", "language (overrides YUECALL_ASR_LANGUAGE)")
	fs.BoolVar(&f.fast, "fast", false, "send audio 20 times faster than real time")
	fs.BoolVar(&f.json, "json", false, "one JSON object per result line")
	path, err := configPath(fs, args)
	if err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: yuecall asr [-provider P -url U -key K -model M -language L] [-fast] [-json] FILE.wav")
		return 2
	}
	cfg, err := LoadConfig(path, os.Getenv)
	if err != nil && f.provider == "" {
		fmt.Fprintf(stderr, "yuecall asr: %v\n", err)
		return 1
	}
	p := &cfg.ASR.ASRProvider
	for dst, v := range map[*string]string{&p.Provider: f.provider, &p.URL: f.url, &p.Key: f.key,
		&p.Model: f.model, &p.Language: f.language} {
		if v != "" {
			*dst = v
		}
	}
	if p.Provider == "" {
		fmt.Fprintln(stderr, "yuecall asr: no provider: set -provider or YUECALL_ASR_PROVIDER")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := runASR(ctx, cfg, fs.Arg(0), f, stdout, log); err != nil {
		fmt.Fprintf(stderr, "yuecall asr: %v\n", err)
		return 1
	}
	return 0
}

// runASR recognises file as a call would: the pack's words as hotwords,
// normalised output.
func runASR(ctx context.Context, cfg Config, file string, f asrFlags, stdout io.Writer, log *slog.Logger) error {
	c := cfg.ASR
	if err := c.validate(nil); err != nil {
		return err
	}
	pack, err := dialog.BankPack()
	if err != nil {
		return err
	}
	rec, err := newRecognizer(ctx, c, pack.Vocabulary(), cfg.DataDir, nil, log)
	if err != nil {
		return err
	}
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	pcm, rate, err := audio.ReadWAV(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	out := &asrPrinter{w: stdout, json: f.json}
	pace := audio.FrameDuration
	if f.fast {
		pace /= 20
	}
	if !perUtterance[c.Provider] {
		return recognise(ctx, rec, pcm, rate, 0, pace, out)
	}
	for _, u := range utterances(pcm, rate) {
		if err := recognise(ctx, rec, pcm[u[0]:u[1]], rate, audio.Duration(u[0], rate), pace, out); err != nil {
			return err
		}
	}
	return nil
}

// utterances cuts pcm into [start, end) sample spans of speech with the
// same VAD (and 300 ms pre-roll) the call uses.
func utterances(pcm audio.PCM16, rate int) [][2]int {
	vad := audio.NewVAD(audio.DefaultVADConfig(), rate)
	n := audio.SamplesPerFrame(rate)
	pre := 15 * n
	var spans [][2]int
	start := -1
	for i := 0; i+n <= len(pcm); i += n {
		switch vad.Process(pcm[i : i+n]) {
		case audio.VADSpeechStart:
			start = max(0, i-pre)
		case audio.VADSpeechEnd:
			spans = append(spans, [2]int{start, i + n})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(pcm)})
	}
	return spans
}

// recognise streams pcm through one stream, paced, and prints its results.
func recognise(ctx context.Context, rec asr.Recognizer, pcm audio.PCM16, rate int, offset, pace time.Duration, out *asrPrinter) error {
	st, err := rec.NewStream(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := audio.NewResampleWriter(st, rate)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range st.Results() {
			out.print(r, offset)
		}
	}()
	n := audio.SamplesPerFrame(rate)
	tick := time.NewTicker(pace)
	defer tick.Stop()
	for i := 0; i < len(pcm); i += n {
		if err := w.WriteSample(pcm[i:min(i+n, len(pcm))]); err != nil && !errors.Is(err, asr.ErrClosed) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	if err := st.CloseSend(); err != nil {
		return err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return st.Err()
}

type asrPrinter struct {
	w    io.Writer
	json bool
}

func (p *asrPrinter) print(r asr.Result, offset time.Duration) {
	line := asrLine{Type: "partial", Text: r.Text, Normalized: normalise.Text(r.Text),
		StartMs: (offset + r.Start).Milliseconds(), EndMs: (offset + r.End).Milliseconds()}
	if r.Final {
		line.Type = "final"
	}
	if p.json {
		b, _ := json.Marshal(line)
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	if !r.Final {
		fmt.Fprintf(p.w, "… %s\n", line.Normalized)
		return
	}
	fmt.Fprintf(p.w, "[%s–%s] %s\n", fmtMs(line.StartMs), fmtMs(line.EndMs), line.Normalized)
}

func fmtMs(ms int64) string { return fmt.Sprintf("%d.%02d", ms/1000, ms%1000/10) }
