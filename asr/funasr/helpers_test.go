package funasr

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// speechAmp is the peak of the test tone, as a fraction of full scale.
const speechAmp = 0.3

// frames returns n 20 ms frames at rate of a speech-band tone mix
// (200 Hz + 600 Hz, peak speechAmp), the way a caller's voice arrives.
func frames(n, rate int) []audio.PCM16 {
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

// expectedRMS is the RMS of frames' signal at full scale 1.0.
func expectedRMS() float64 {
	return speechAmp * math.Sqrt(0.7*0.7/2+0.3*0.3/2) * 32767 / 32768
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

func newServer(t *testing.T, opts asrtest.FunASROptions) *asrtest.FunASRServer {
	t.Helper()
	s := asrtest.NewFunASRServer(opts)
	t.Cleanup(s.Close)
	return s
}

// open connects to url with the defaults changed by mod.
func open(t *testing.T, url string, mod func(*Config)) *Stream {
	t.Helper()
	cfg := DefaultConfig()
	cfg.URL = url
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s, err := r.Open(context.Background())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
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

func finals(rs []asr.Result) []asr.Result {
	var out []asr.Result
	for _, r := range rs {
		if r.Final {
			out = append(out, r)
		}
	}
	return out
}

func partials(rs []asr.Result) []asr.Result {
	var out []asr.Result
	for _, r := range rs {
		if !r.Final {
			out = append(out, r)
		}
	}
	return out
}

func waitServer(t *testing.T, srv *asrtest.FunASRServer, n int) []asrtest.FunASRRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := srv.WaitStreams(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// rawServer runs fn on each websocket connection to a test server, after
// reading the client's config message.
func rawServer(t *testing.T, fn func(*websocket.Conn)) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
		fn(c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// sendAll writes text frames and then waits for the client to close.
func sendAll(c *websocket.Conn, msgs ...string) {
	for _, m := range msgs {
		if c.WriteMessage(websocket.TextMessage, []byte(m)) != nil {
			return
		}
	}
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}
