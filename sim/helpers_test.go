package sim

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/sim/simtest"
)

// checkLeaks fails the test when goroutines started during it outlive it.
// Register it first: cleanups run last-in first-out, so it runs after the
// server and dialer cleanups. media/sip's Server leaves its UDP reader
// running after Close (it never closes the socket it listens on), and a
// message that reaches it while it closes makes sipgo open a reply socket
// that nothing closes (both reported); so goroutines started by
// media/sip.(*Server).Serve or by sipgo's createConnection are not counted.
// The Dialer sends everything from its one socket and never makes sipgo
// create a connection, so this hides nothing of the caller's.
func checkLeaks(t *testing.T) {
	t.Helper()
	before := len(goroutines())
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for len(goroutines()) > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if g := goroutines(); len(g) > before {
			t.Errorf("goroutines: %d before, %d after\n%s", before, len(g), strings.Join(g, "\n\n"))
		}
	})
}

// goroutines returns the stacks of the goroutines, except the UAS's
// leaked UDP readers.
func goroutines() []string {
	buf := make([]byte, 1<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "media/sip.(*Server).Serve.func") &&
			!strings.Contains(g, "sip.(*TransportUDP).createConnection") {
			out = append(out, g)
		}
	}
	return out
}

// startUAS runs a simtest UAS for the test.
func startUAS(t *testing.T, o simtest.Options) *simtest.UAS {
	t.Helper()
	o.RTPPortMin, o.RTPPortMax = 43000, 43999
	u, err := simtest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := u.Close(); err != nil {
			t.Errorf("uas close: %v", err)
		}
	})
	return u
}

// testLine is the caller's line in tests.
func testLine() Line {
	l := DefaultLine()
	l.RTPPortMin, l.RTPPortMax = 44000, 44999
	return l
}

// newDialer makes a Dialer closed at the end of the test.
func newDialer(t *testing.T) *Dialer {
	t.Helper()
	d, err := NewDialer(testLine(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// speech returns d of speech-like audio at -20 dBFS.
func speech(d time.Duration, seed uint64) audio.PCM16 {
	pcm := make(audio.PCM16, int(d*rtp.Rate/time.Second))
	audio.NewSpeechLikeGenerator(rtp.Rate, -20, seed).Read(pcm)
	return pcm
}

// testConfig is a call to u with short bot timings.
func testConfig(u *simtest.UAS, script ...Step) Config {
	return Config{Target: u.Target(), Script: script, Timeout: 20 * time.Second,
		BotTimeout: 5 * time.Second, BotQuiet: 300 * time.Millisecond}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
