package webrtctest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/webrtc"
)

// TestMain fails the package if a test leaves a client, server or pion
// goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if g := leaked(5 * time.Second); g != "" {
			println("leaked goroutines:\n" + g)
			code = 1
		}
	}
	os.Exit(code)
}

func leaked(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var bad []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "TestMain") || strings.Contains(g, "leaked(") {
				continue
			}
			if strings.Contains(g, "media/webrtc") || strings.Contains(g, "github.com/pion/") {
				bad = append(bad, g)
			}
		}
		if len(bad) == 0 || time.Now().After(deadline) {
			return strings.Join(bad, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("YUECALL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// server is a media/webrtc Server on 127.0.0.1 whose handler hands each
// call to the test and holds it until the call ends.
type server struct {
	srv   *webrtc.Server
	url   string
	calls chan *webrtc.Call
}

func startServer(t *testing.T, mod func(*webrtc.Config)) *server {
	t.Helper()
	cfg := webrtc.DefaultConfig()
	cfg.ICE.AllowLoopback = true
	cfg.ICE.IPs = []string{"127.0.0.1"}
	cfg.ICE.PortMin, cfg.ICE.PortMax = 0, 0
	if mod != nil {
		mod(&cfg)
	}
	s := &server{calls: make(chan *webrtc.Call, 4)}
	srv, err := webrtc.NewServer(cfg, webrtc.HandlerFunc(func(ctx context.Context, c *webrtc.Call) {
		s.calls <- c
		<-ctx.Done()
	}), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		_ = srv.Close()
		hs.Close()
	})
	s.srv, s.url = srv, "ws"+strings.TrimPrefix(hs.URL, "http")+"/ws/call"
	return s
}

func (s *server) nextCall(t *testing.T) *webrtc.Call {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the handler")
		return nil
	}
}

// dial calls s and closes the client at the end of the test.
func dial(t *testing.T, s *server, opts Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if opts.Log == nil {
		opts.Log = testLogger()
	}
	c, err := Dial(ctx, s.url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// collector is a sink that keeps every sample.
type collector struct {
	mu  sync.Mutex
	pcm audio.PCM16
}

func (c *collector) SampleRate() int { return Rate }

func (c *collector) WriteSample(s audio.PCM16) error {
	c.mu.Lock()
	c.pcm = append(c.pcm, s...)
	c.mu.Unlock()
	return nil
}

func (c *collector) samples() audio.PCM16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(audio.PCM16(nil), c.pcm...)
}

// waitFor polls cond every 10 ms (server-side state has no notification).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tone(d time.Duration, freq float64) audio.PCM16 {
	pcm := make(audio.PCM16, int(d.Seconds()*Rate))
	audio.NewToneGenerator(Rate, 0.3, freq).Read(pcm)
	return pcm
}

func concat(frames []Frame) audio.PCM16 {
	var pcm audio.PCM16
	for _, f := range frames {
		pcm = append(pcm, f.PCM...)
	}
	return pcm
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
