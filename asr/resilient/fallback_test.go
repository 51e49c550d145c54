package resilient

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
)

// connectLog is a Metrics that keeps connect errors by provider.
type connectLog struct {
	NopMetrics
	mu   sync.Mutex
	errs map[string][]error
}

func (c *connectLog) Connect(provider string, _ time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.errs == nil {
		c.errs = map[string][]error{}
	}
	c.errs[provider] = append(c.errs[provider], err)
}

func (c *connectLog) get(provider string) []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errs[provider])
}

// TestFallbackOnRefusal: Fallback alone opens the secondary when the
// primary answers 503.
func TestFallbackOnRefusal(t *testing.T) {
	checkGoroutines(t)
	primary := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Refuse: 1000}})
	secondary := newServer(t, asrtest.SherpaOptions{})
	rec := Fallback(testLog(t), Named{"primary", sherpaRec(t, primary)}, Named{"secondary", sherpaRec(t, secondary)})
	s, err := rec.NewStream(t.Context())
	if err != nil {
		t.Fatalf("NewStream: %v", err)
	}
	defer s.Close()
	wait := collect(t, s)
	if err := feed(s, speech(utts[:1], 300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	s.CloseSend()
	if got := finalTexts(wait()); !slices.Equal(got, utts[:1]) || s.Err() != nil {
		t.Errorf("finals %q err %v", got, s.Err())
	}
	if primary.Refused() != 1 || len(primary.Streams()) != 0 || len(secondary.Streams()) != 1 {
		t.Errorf("primary refused %d, streams %d/%d; want 1 refusal and the stream on the secondary",
			primary.Refused(), len(primary.Streams()), len(secondary.Streams()))
	}
}

// TestFallbackAllFail names every provider in the error.
func TestFallbackAllFail(t *testing.T) {
	a := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Refuse: 1000}})
	b := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Refuse: 1000}})
	_, err := Fallback(nil, Named{"a", sherpaRec(t, a)}, Named{"b", sherpaRec(t, b)}).NewStream(t.Context())
	if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "a: sherpa: connect failed") || !strings.Contains(err.Error(), "b: sherpa") {
		t.Errorf("err = %v, want ErrConnect naming a and b", err)
	}
	if _, err := Fallback(nil).NewStream(t.Context()); !errors.Is(err, asr.ErrNotConfigured) {
		t.Errorf("no providers: %v, want asr.ErrNotConfigured", err)
	}
}

// TestFallbackOnConnectTimeout: under New, a primary that accepts TCP but
// holds the handshake is abandoned after ConnectTimeout.
func TestFallbackOnConnectTimeout(t *testing.T) {
	checkGoroutines(t)
	primary := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{ConnectDelay: 5 * time.Second}})
	secondary := newServer(t, asrtest.SherpaOptions{})
	var m connectLog
	cfg := testConfig()
	cfg.ConnectTimeout = 300 * time.Millisecond
	start := time.Now()
	s := open(t, New(Fallback(nil, Named{"primary", sherpaRec(t, primary)}, Named{"secondary", sherpaRec(t, secondary)}), cfg, &m, testLog(t)))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("NewStream took %v, want about the 300 ms timeout", d)
	}
	if errs := m.get("primary"); len(errs) != 1 || !errors.Is(errs[0], ErrConnectTimeout) {
		t.Errorf("primary connects: %v, want one ErrConnectTimeout", errs)
	}
	if errs := m.get("secondary"); len(errs) != 1 || errs[0] != nil || s.Provider() != "secondary" {
		t.Errorf("secondary connects: %v, provider %q", errs, s.Provider())
	}
}

// TestFailoverMidStream: New(Fallback(a, b)) moves a stream whose primary
// keeps crashing to the secondary, replaying the unfinished utterance.
func TestFailoverMidStream(t *testing.T) {
	checkGoroutines(t)
	primary := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{
		Cut: map[int]int{0: at(2500 * time.Millisecond), 1: 0},
	}})
	secondary := newServer(t, asrtest.SherpaOptions{Variant: asrtest.Python})
	var m Counters
	cfg := testConfig()
	cfg.MaxReconnects = 1
	rec := New(Fallback(nil, Named{"primary", sherpaRec(t, primary)}, Named{"secondary", sherpaRec(t, secondary)}), cfg, &m, testLog(t))
	s := open(t, rec)
	wait := collect(t, s)
	if err := feed(s, speech(utts, 600*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	s.CloseSend()
	rs := wait()
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	checkFinals(t, rs, utts, false)
	snap := m.Snapshot()
	if got := snap.Reconnects[ReasonKey{"primary", ReasonError}]; got != 2 || s.Provider() != "secondary" || s.Reconnects() != 2 {
		t.Errorf("reconnects %v, provider %q after %d reconnects; want 2 on the primary, then the secondary", snap.Reconnects, s.Provider(), s.Reconnects())
	}
	if n := len(secondary.Streams()); n != 1 {
		t.Errorf("secondary streams %d, want 1", n)
	}
}

// TestRateMismatch: a provider at another rate cannot take over a stream.
func TestRateMismatch(t *testing.T) {
	primary := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Cut: map[int]int{0: 0, 1: 0}}})
	other := newServer(t, asrtest.SherpaOptions{SampleRate: 8000})
	r8 := sherpaRec(t, other)
	cfg8 := r8.Config()
	cfg8.SampleRate = 8000
	cfg := testConfig()
	cfg.MaxReconnects = 1
	s := open(t, New(Fallback(nil, Named{"primary", sherpaRec(t, primary)}, Named{"narrow", mustSherpa(t, cfg8)}), cfg, nil, testLog(t)))
	wait := collect(t, s)
	feed(s, speech(utts[:1], 0))
	wait()
	if err := s.Err(); !errors.Is(err, ErrExhausted) || !errors.Is(err, ErrRateMismatch) {
		t.Errorf("Err = %v, want ErrExhausted after ErrRateMismatch", err)
	}
	for _, r := range other.Streams() {
		if r.Samples != 0 {
			t.Errorf("8 kHz server got %d samples", r.Samples)
		}
	}
}
