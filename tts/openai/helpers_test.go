package openai

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

// checkGoroutines fails the test if goroutines started during it are still
// running shortly after it (and its other cleanups) finished. Register it
// first so it runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// newServer starts an OpenAI speech test server; it fails the test (not
// skips) when lame is missing.
func newServer(t testing.TB, opts ttstest.OpenAISpeechOptions) *ttstest.OpenAISpeechServer {
	t.Helper()
	s, err := ttstest.NewOpenAISpeechServer(opts)
	if err != nil {
		t.Fatalf("%v (make deps-test / apt-get install lame)", err)
	}
	t.Cleanup(s.Close)
	return s
}

// newSynth returns a Synthesizer for srv with mod applied to the defaults.
func newSynth(t testing.TB, srv *ttstest.OpenAISpeechServer, mod func(*Config)) *Synthesizer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.BaseURL, cfg.Key = srv.URL(), srv.Key()
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// readAll reads st to the end.
func readAll(t testing.TB, st tts.Stream) audio.PCM16 {
	t.Helper()
	var out audio.PCM16
	buf := make(audio.PCM16, 777)
	for {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Read after %d samples: %v", len(out), err)
		}
	}
}

// say synthesises text to the end and returns the audio and its rate.
func say(t testing.TB, s *Synthesizer, ctx context.Context, text string) (audio.PCM16, int) {
	t.Helper()
	st, err := s.Synthesize(ctx, text)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	defer st.Close()
	return readAll(t, st), st.SampleRate()
}

// readUntilErr reads until an error and returns it with the samples read.
func readUntilErr(st tts.Stream) (int, error) {
	buf := make(audio.PCM16, 512)
	total := 0
	for {
		n, err := st.Read(buf)
		total += n
		if err != nil {
			return total, err
		}
	}
}
