package azure

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// testKey is the resource key the test servers accept.
const testKey = "0123456789abcdef0123456789abcdef"

// speechAmp is the peak of the test tone, as a fraction of full scale.
const speechAmp = 0.3

// tone returns n 20 ms frames at rate of a speech-band tone mix
// (200 Hz + 600 Hz), the way a caller's voice arrives.
func tone(n, rate int) []audio.PCM16 {
	spf := audio.SamplesPerFrame(rate)
	out := make([]audio.PCM16, n)
	for f := range out {
		fr := make(audio.PCM16, spf)
		for i := range fr {
			t := float64(f*spf+i) / float64(rate)
			v := 0.7*math.Sin(2*math.Pi*200*t) + 0.3*math.Sin(2*math.Pi*600*t)
			fr[i] = int16(speechAmp * v * 32767)
		}
		out[f] = fr
	}
	return out
}

// silence returns n 20 ms frames of digital silence.
func silence(n, rate int) []audio.PCM16 {
	out := make([]audio.PCM16, n)
	for i := range out {
		out[i] = make(audio.PCM16, audio.SamplesPerFrame(rate))
	}
	return out
}

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

func newServer(t *testing.T, opts asrtest.AzureOptions) *asrtest.AzureServer {
	t.Helper()
	if opts.Key == "" {
		opts.Key = testKey
	}
	s := asrtest.NewAzureSTTServer(opts)
	t.Cleanup(s.Close)
	return s
}

// newRecognizer makes a recogniser for the endpoint url; mod adjusts the config.
func newRecognizer(t *testing.T, url string, mod func(*Config)) *Recognizer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Endpoint = url
	cfg.Key = testKey
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(r.CloseIdleConnections)
	return r
}

func open(t *testing.T, r *Recognizer) *Stream {
	t.Helper()
	s := r.Open(context.Background())
	t.Cleanup(func() { s.Close() })
	return s
}

func writeAll(t *testing.T, s asr.Stream, fs []audio.PCM16) {
	t.Helper()
	for _, f := range fs {
		if err := s.WriteSample(f); err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
	}
}

// collect reads Results until it is closed.
func collect(t *testing.T, s asr.Stream) []asr.Result {
	t.Helper()
	var out []asr.Result
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r, ok := <-s.Results():
			if !ok {
				return out
			}
			out = append(out, r)
		case <-timeout:
			t.Fatalf("Results not closed after 10 s; got %+v", out)
		}
	}
}

// utter writes fs (stopping early if the stream has ended: the service may
// refuse the request before the caller stops speaking), closes the send
// side and returns what the stream yields.
func utter(t *testing.T, s asr.Stream, fs []audio.PCM16) []asr.Result {
	t.Helper()
	for _, f := range fs {
		if err := s.WriteSample(f); errors.Is(err, asr.ErrClosed) {
			break
		} else if err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
	}
	if err := s.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	return collect(t, s)
}

func waitRequests(t *testing.T, srv *asrtest.AzureServer, n int) []asrtest.AzureRequest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reqs, err := srv.WaitRequests(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

func near(got, want, tol time.Duration) bool { return got >= want-tol && got <= want+tol }
