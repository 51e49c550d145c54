package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/spoken"
)

func cmdSay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("say", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var provider, url, key, voice, model, out string
	fs.StringVar(&provider, "provider", "", "TTS provider (overrides YUECALL_TTS_PROVIDER)")
	fs.StringVar(&url, "url", "", "provider URL (overrides YUECALL_TTS_URL)")
	fs.StringVar(&key, "key", "", "API key (overrides YUECALL_TTS_KEY; prefer the variable)")
	fs.StringVar(&voice, "voice", "", "Cantonese voice (overrides YUECALL_TTS_VOICE)")
	fs.StringVar(&model, "model", "", "model (overrides YUECALL_TTS_MODEL)")
	fs.StringVar(&out, "out", "", "write the audio to this WAV file")
	path, err := configPath(fs, args)
	if err != nil || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: yuecall say [-provider P -url U -key K -voice V -model M] [-out FILE.wav] TEXT")
		return 2
	}
	cfg, err := LoadConfig(path, os.Getenv)
	if err != nil && provider == "" {
		fmt.Fprintf(stderr, "yuecall say: %v\n", err)
		return 1
	}
	t := &cfg.TTS
	for dst, v := range map[*string]string{&t.Provider: provider, &t.URL: url, &t.Key: key, &t.Voice: voice, &t.Model: model} {
		if v != "" {
			*dst = v
		}
	}
	t.Cache = false // say what the provider says now
	if err := t.validate(); err != nil {
		fmt.Fprintf(stderr, "yuecall say: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res, err := say(ctx, *t, strings.Join(fs.Args(), " "), log)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall say: %v\n", err)
		return 1
	}
	if out != "" {
		if err := writeWAVFile(out, res.pcm, res.rate); err != nil {
			fmt.Fprintf(stderr, "yuecall say: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "provider=%s sentences=%d duration=%s first_audio=%s total=%s rate=%d\n", t.Provider,
		res.sentences, audio.Duration(len(res.pcm), res.rate).Round(time.Millisecond),
		res.firstAudio.Round(time.Millisecond), res.total.Round(time.Millisecond), res.rate)
	return 0
}

type sayResult struct {
	pcm               audio.PCM16
	rate, sentences   int
	firstAudio, total time.Duration
}

// say runs text through text-for-speech, splits it as the call does and
// synthesises each sentence, timing the first audio.
func say(ctx context.Context, c TTSConfig, text string, log *slog.Logger) (sayResult, error) {
	synth, _, err := newSynthesizer(c, "", log)
	if err != nil {
		return sayResult{}, err
	}
	res := sayResult{}
	t0 := time.Now()
	for _, sentence := range spoken.Sentences(text, c.spokenOptions(), c.MaxChunk) {
		res.sentences++
		st, err := synth.Synthesize(ctx, sentence)
		if errors.Is(err, tts.ErrEmptyText) {
			continue
		}
		if err != nil {
			return res, err
		}
		pcm, rate, err := readAll(st, res.rate, func() {
			if res.firstAudio == 0 {
				res.firstAudio = time.Since(t0)
			}
		})
		st.Close()
		if err != nil {
			return res, err
		}
		res.pcm, res.rate = append(res.pcm, pcm...), rate
	}
	res.total = time.Since(t0)
	if len(res.pcm) == 0 {
		return res, errors.New("no audio produced")
	}
	return res, nil
}

// readAll reads a stream to its end, resampled to rate when rate is set
// (sentences of one reply may come at different rates), calling first on
// the first samples.
func readAll(st tts.Stream, rate int, first func()) (audio.PCM16, int, error) {
	var out, buf audio.PCM16
	buf = make(audio.PCM16, 4096)
	for {
		n, err := st.Read(buf)
		if n > 0 {
			first()
			out = append(out, buf[:n]...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
	}
	if rate == 0 || rate == st.SampleRate() {
		return out, st.SampleRate(), nil
	}
	r, err := audio.NewResampler(st.SampleRate(), rate)
	if err != nil {
		return nil, 0, err
	}
	return r.Resample(nil, out), rate, nil
}

func writeWAVFile(path string, pcm audio.PCM16, rate int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := audio.WriteWAV(f, pcm, rate); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
