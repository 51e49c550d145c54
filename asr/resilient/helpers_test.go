package resilient

import (
	"context"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/sherpa"
	"github.com/yuecall/yuecall/audio"
)

// The test audio is tone "words": each character of vocab is a 150 ms tone
// at its own frequency, followed by 50 ms of silence, so the test server's
// transcript (toneScript) is derived from the audio it actually received:
// audio a reconnect fails to replay is missing from it, audio replayed
// twice is doubled.
const (
	rate      = 16000
	toneAmp   = 0.3
	wordTone  = 150 * time.Millisecond
	wordPitch = 200 * time.Millisecond
	// uttPitch matches the test server's endpointing (4 characters of
	// 200 ms plus 1.2 s trailing silence), so each utterance is one segment.
	uttPitch = 2 * time.Second
	leadIn   = 200 * time.Millisecond
	pace     = 8 // audio is written at 8x real time
)

var vocab = []rune("我想查户口结余转")

func toneHz(i int) float64 { return 400 + 200*float64(i) }

// speech renders utterances (strings over vocab) starting at leadIn, one
// per uttPitch, followed by tail of silence after the last word.
func speech(utts []string, tail time.Duration) audio.PCM16 {
	last := leadIn + time.Duration(len(utts)-1)*uttPitch + time.Duration(len([]rune(utts[len(utts)-1])))*wordPitch
	pcm := make(audio.PCM16, samples(last+tail, rate))
	for u, text := range utts {
		for w, r := range []rune(text) {
			hz := toneHz(slices.Index(vocab, r))
			at := samples(leadIn+time.Duration(u)*uttPitch+time.Duration(w)*wordPitch, rate)
			for i := range samples(wordTone, rate) {
				pcm[at+i] = int16(toneAmp * 32767 * math.Sin(2*math.Pi*hz*float64(i)/rate))
			}
		}
	}
	return pcm
}

// toneScript is an asrtest Script that transcribes tone words: bursts of
// at least 50 ms become the vocab character nearest their frequency (by
// zero crossings), and 500 ms of silence separates segments.
func toneScript(_ int, a []float32) string {
	const win = 80 // 5 ms
	var b strings.Builder
	burst, quiet := -1, 0
	for w := 0; w*win < len(a); w++ {
		seg := a[w*win : min((w+1)*win, len(a))]
		loud := rms(seg) > 0.05
		switch {
		case loud && burst < 0:
			if quiet >= 100 && b.Len() > 0 { // 500 ms
				b.WriteString(asrtest.SegmentSep)
			}
			burst, quiet = w*win, 0
		case !loud && burst >= 0:
			b.WriteString(word(a[burst : w*win]))
			burst = -1
		}
		if !loud {
			quiet++
		}
	}
	if burst >= 0 {
		b.WriteString(word(a[burst:]))
	}
	return b.String()
}

func rms(a []float32) float64 {
	var sum float64
	for _, v := range a {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(a), 1)))
}

// word names a burst, or returns "" for one under 50 ms.
func word(a []float32) string {
	if len(a) < rate/20 {
		return ""
	}
	cross := 0
	for i := 1; i < len(a); i++ {
		if (a[i-1] < 0) != (a[i] < 0) {
			cross++
		}
	}
	hz := float64(cross) / 2 / (float64(len(a)) / rate)
	for i, r := range vocab {
		if math.Abs(hz-toneHz(i)) < 100 {
			return string(r)
		}
	}
	return "?"
}

// checkGoroutines fails the test if goroutines started during it are still
// running shortly after it (and its other cleanups) finished. Register it
// first so it runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func newServer(t *testing.T, opts asrtest.SherpaOptions) *asrtest.SherpaServer {
	t.Helper()
	if opts.Script == nil {
		opts.Script = toneScript
	}
	s := asrtest.NewSherpaServer(opts)
	t.Cleanup(s.Close)
	return s
}

// sherpaRec is the real sherpa client for srv.
func sherpaRec(tb testing.TB, srv *asrtest.SherpaServer) *sherpa.Recognizer {
	tb.Helper()
	cfg := sherpa.DefaultConfig()
	cfg.URL = srv.URL()
	return mustSherpa(tb, cfg)
}

// testConfig is a Config with short backoffs for tests. Its timeouts are
// long enough for a loaded machine; tests of stalls shorten StallTimeout.
func testConfig() Config {
	return Config{
		Name:           "sherpa",
		ConnectTimeout: 5 * time.Second,
		StallTimeout:   5 * time.Second,
		Backoff:        20 * time.Millisecond,
		MaxBackoff:     100 * time.Millisecond,
	}
}

// testLog logs through the test's output (shown on failure or with -v).
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func open(t *testing.T, r asr.Recognizer) *Stream {
	t.Helper()
	s, err := r.NewStream(context.Background())
	if err != nil {
		t.Fatalf("NewStream: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*Stream)
}

// feed writes pcm in 20 ms frames at pace times real time; it stops at the
// first write error and returns it.
func feed(s asr.Stream, pcm audio.PCM16) error {
	spf := audio.SamplesPerFrame(rate)
	start := time.Now()
	for i := 0; i < len(pcm); i += spf {
		if err := s.WriteSample(pcm[i:min(i+spf, len(pcm))]); err != nil {
			return err
		}
		due := start.Add(audio.Duration(i+spf, rate) / pace)
		time.Sleep(time.Until(due))
	}
	return nil
}

// stamped is a result and when the test received it.
type stamped struct {
	asr.Result
	at time.Time
}

// collect reads s.Results in the background until it is closed; wait
// returns what came.
func collect(t *testing.T, s asr.Stream) (wait func() []stamped) {
	t.Helper()
	done := make(chan []stamped, 1)
	go func() {
		var out []stamped
		for r := range s.Results() {
			out = append(out, stamped{r, time.Now()})
		}
		done <- out
	}()
	return func() []stamped {
		t.Helper()
		select {
		case out := <-done:
			return out
		case <-time.After(10 * time.Second):
			t.Fatal("Results not closed after 10 s")
			return nil
		}
	}
}

func finalTexts(rs []stamped) []string {
	var out []string
	for _, r := range rs {
		if r.Final {
			out = append(out, r.Text)
		}
	}
	return out
}

func mustSherpa(tb testing.TB, cfg sherpa.Config) *sherpa.Recognizer {
	tb.Helper()
	r, err := sherpa.New(cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// watch is Counters that also signals reconnects.
type watch struct {
	*Counters
	reconnects chan string
}

func newWatch() watch { return watch{&Counters{}, make(chan string, 16)} }

// Reconnect counts and signals.
func (w watch) Reconnect(provider, reason string) {
	w.Counters.Reconnect(provider, reason)
	select {
	case w.reconnects <- reason:
	default:
	}
}

// waitReconnect waits for the next reconnect.
func (w watch) waitReconnect(t *testing.T) string {
	t.Helper()
	select {
	case r := <-w.reconnects:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnect within 10 s")
		return ""
	}
}
