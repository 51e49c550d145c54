package webrtc

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
)

// TestMain fails the package if a test leaves a call goroutine or a pion
// peer behind.
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

// leaked returns the stacks of goroutines still running package or pion
// code once wait has passed.
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
			if strings.Contains(g, "media/webrtc.") || strings.Contains(g, "github.com/pion/") {
				bad = append(bad, g)
			}
		}
		if len(bad) == 0 || time.Now().After(deadline) {
			return strings.Join(bad, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// callGoroutines counts the server's per-call goroutines.
func callGoroutines() int {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	n := 0
	for _, g := range strings.Split(stacks, "\n\n") {
		for _, f := range []string{"webrtc.(*session)", "webrtc.(*receiver).run", "webrtc.(*wsConn)", "rtpio.(*shard).run"} {
			if strings.Contains(g, f) {
				n++
				break
			}
		}
	}
	return n
}

// testConfig is DefaultConfig on loopback only, any UDP port.
func testConfig() Config {
	c := DefaultConfig()
	c.ICE.AllowLoopback = true
	c.ICE.IPs = []string{"127.0.0.1"}
	c.ICE.PortMin, c.ICE.PortMax = 0, 0
	c.ConnectTimeout = 10 * time.Second
	return c
}

func testLogger() *slog.Logger {
	if os.Getenv("YUECALL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// harness runs a Server behind an httptest server on 127.0.0.1.
type harness struct {
	srv   *Server
	url   string
	calls chan *Call
}

// startServer starts a server whose handler publishes each call on
// h.calls and then runs fn (default: wait for the end of the call).
func startServer(t *testing.T, mod func(*Config), fn func(ctx context.Context, c *Call)) *harness {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	h := &harness{calls: make(chan *Call, 4)}
	if fn == nil {
		fn = func(ctx context.Context, c *Call) { <-ctx.Done() }
	}
	srv, err := NewServer(cfg, HandlerFunc(func(ctx context.Context, c *Call) {
		h.calls <- c
		fn(ctx, c)
	}), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		_ = srv.Close()
		hs.Close()
	})
	h.srv, h.url = srv, "ws"+strings.TrimPrefix(hs.URL, "http")
	return h
}

// nextCall waits for the handler to get a call.
func (h *harness) nextCall(t *testing.T) *Call {
	t.Helper()
	select {
	case c := <-h.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the handler")
		return nil
	}
}

// collector is a goroutine-safe sink that keeps every sample.
type collector struct {
	mu   sync.Mutex
	rate int
	pcm  audio.PCM16
}

func (c *collector) SampleRate() int { return c.rate }

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

// waitFor polls cond every 10 ms until it holds or timeout passes.
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

func waitDone(t *testing.T, c *Call, timeout time.Duration) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(timeout):
		t.Fatalf("call %s not done after %v", c.ID, timeout)
	}
}
