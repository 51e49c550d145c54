package azure

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

func newServer(t testing.TB, opts ttstest.AzureTTSOptions) *ttstest.AzureTTSServer {
	t.Helper()
	s := ttstest.NewAzureTTSServer(opts)
	t.Cleanup(s.Close)
	return s
}

// newSynth returns a Synthesizer for srv with mod applied to the defaults.
func newSynth(t testing.TB, srv *ttstest.AzureTTSServer, mod func(*Config)) *Synthesizer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Endpoint, cfg.Key = srv.URL(), srv.Key()
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

// say synthesises text at rate to the end.
func say(t testing.TB, s *Synthesizer, ctx context.Context, text string, rate int) (audio.PCM16, int) {
	t.Helper()
	st, err := s.SynthesizeRate(ctx, text, rate)
	if err != nil {
		t.Fatalf("SynthesizeRate: %v", err)
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

// same reports the first index where a and b differ, or -1.
func same(a, b audio.PCM16) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
