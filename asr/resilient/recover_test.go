package resilient

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
)

// utts is what the caller says in the recovery tests: 3 utterances of 4
// words, at 0.2, 2.2 and 4.2 s.
var utts = []string{"我想查户", "口结余转", "余查想我"}

// at is the sample count at d.
func at(d time.Duration) int { return samples(d, rate) }

func TestToneScript(t *testing.T) {
	pcm := speech(utts, 600*time.Millisecond)
	f := make([]float32, len(pcm))
	for i, v := range pcm {
		f[i] = float32(v) / 32768
	}
	if got, want := toneScript(0, f), strings.Join(utts, asrtest.SegmentSep); got != want {
		t.Errorf("toneScript = %q, want %q", got, want)
	}
	if got := toneScript(0, f[at(2500*time.Millisecond):]); got != "结余转|余查想我" {
		t.Errorf("from 2.5 s (mid-utterance) = %q", got)
	}
}

// TestRecovers breaks the provider in the ways the anchors meet and checks
// that the caller's words all arrive once, in order, on one Results
// channel, with a nil Err.
func TestRecovers(t *testing.T) {
	mid := at(2500 * time.Millisecond) // in the middle of the second utterance
	pcm := speech(utts, 600*time.Millisecond)
	tests := []struct {
		name    string
		variant asrtest.SherpaVariant
		faults  asrtest.SherpaFaults
		fault   string // what stream 0 must have suffered
		reason  string // the reconnect reason, "" for none
		stall   time.Duration
		late    bool // the fault strikes after CloseSend
	}{
		{name: "no fault"},
		{name: "cut/cpp", faults: asrtest.SherpaFaults{Cut: map[int]int{0: mid}}, fault: asrtest.FaultCut, reason: ReasonError},
		{name: "cut/python", variant: asrtest.Python, faults: asrtest.SherpaFaults{Cut: map[int]int{0: mid}}, fault: asrtest.FaultCut, reason: ReasonError},
		{name: "tcp half-close", faults: asrtest.SherpaFaults{HalfClose: map[int]int{0: mid}}, fault: asrtest.FaultHalfClose, reason: ReasonError},
		// 4.1 s: after the second utterance's final, before the third.
		{name: "ended before CloseSend", faults: asrtest.SherpaFaults{End: map[int]int{0: at(4100 * time.Millisecond)}}, fault: asrtest.FaultEnd, reason: ReasonHalfClosed},
		{name: "stall", faults: asrtest.SherpaFaults{Silent: map[int]int{0: mid}}, fault: asrtest.FaultSilent, reason: ReasonStall, stall: 1500 * time.Millisecond},
		// The last frame silences the server: "Done" gets no answer.
		{name: "stall after CloseSend", faults: asrtest.SherpaFaults{Silent: map[int]int{0: len(pcm)}}, fault: asrtest.FaultSilent, reason: ReasonStall, stall: 1500 * time.Millisecond, late: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, asrtest.SherpaOptions{Variant: tt.variant, Faults: tt.faults})
			m := newWatch()
			cfg := testConfig()
			if tt.reason == ReasonStall {
				cfg.StallTimeout = tt.stall
			}
			s := open(t, New(sherpaRec(t, srv), cfg, m, testLog(t)))
			wait := collect(t, s)
			if err := feed(s, pcm); err != nil {
				t.Fatalf("feed: %v", err)
			}
			if tt.reason != "" && !tt.late {
				// A loaded server may lag the writer: let the fault strike
				// before "Done" goes out.
				m.waitReconnect(t)
			}
			s.CloseSend()
			rs := wait()
			if err := s.Err(); err != nil {
				t.Fatalf("Err = %v", err)
			}
			checkFinals(t, rs, utts, tt.variant == asrtest.CPP)
			recs := srv.Streams()
			switch {
			case recs[0].Fault == tt.fault:
			case tt.reason == ReasonStall && m.Snapshot().Stalls["sherpa"] > 0:
				// A loaded machine stalled stream 0 before the fault.
				t.Logf("stream 0 stalled before its fault (%d samples)", recs[0].Samples)
			default:
				t.Errorf("stream 0 fault %q, want %q", recs[0].Fault, tt.fault)
			}
			checkReconnects(t, m.Snapshot(), tt.reason, s.Reconnects(), len(recs))
			snap := m.Snapshot()
			if len(snap.Finals["sherpa"]) != len(utts) || len(snap.FirstPartials["sherpa"]) != len(utts) {
				t.Errorf("metrics: %d finals, %d first partials, want %d each", len(snap.Finals["sherpa"]), len(snap.FirstPartials["sherpa"]), len(utts))
			}
			if len(recs) > 1 {
				d, ok := recovery(rs, recs[0].FaultAt, recs[1].Opened)
				t.Logf("recovery: %v from the fault to the first result of the new stream (%v)", d, ok)
			}
		})
	}
}

// checkFinals wants one final per utterance, in order, numbered 0.., with
// partials that belong to the open segment and, if timed, rising starts.
func checkFinals(t *testing.T, rs []stamped, want []string, timed bool) {
	t.Helper()
	if got := finalTexts(rs); !slices.Equal(got, want) {
		for _, r := range rs {
			t.Logf("%v %+v", r.at.Format("15:04:05.000"), r.Result)
		}
		t.Fatalf("finals %q, want %q (words lost or doubled)", got, want)
	}
	seg, lastStart := 0, time.Duration(-1)
	for _, r := range rs {
		if r.Segment != seg {
			t.Fatalf("result %+v in segment %d, want %d", r.Result, r.Segment, seg)
		}
		if !r.Final {
			continue
		}
		if timed && r.Start <= lastStart {
			t.Errorf("final %d starts at %v, not after %v", seg, r.Start, lastStart)
		}
		lastStart = r.Start
		seg++
	}
}

// checkReconnects wants exactly one reconnect for reason ("": none), and
// no other reconnects but stalls: a machine loaded enough to hold a
// healthy server's results for StallTimeout stalls it too.
func checkReconnects(t *testing.T, snap Snapshot, reason string, n, streams int) {
	t.Helper()
	stalls := snap.Reconnects[ReasonKey{"sherpa", ReasonStall}]
	total := 0
	for _, v := range snap.Reconnects {
		total += v
	}
	ok := n == total && streams == 1+total && stalls == snap.Stalls["sherpa"]
	switch reason {
	case "":
		ok = ok && total == stalls
	case ReasonStall:
		ok = ok && stalls >= 1 && total == stalls
	default:
		ok = ok && snap.Reconnects[ReasonKey{"sherpa", reason}] == 1 && total == 1+stalls
	}
	if !ok {
		t.Errorf("reconnects %v (stream says %d), stalls %v, server streams %d; want reason %q", snap.Reconnects, n, snap.Stalls, streams, reason)
	}
	if reason != ReasonStall && stalls > 0 {
		t.Logf("%d stalls on a loaded machine", stalls)
	}
}

// recovery is the time from fault to the first result received after the
// new stream opened (the old one was closed by then).
func recovery(rs []stamped, fault, opened time.Time) (time.Duration, bool) {
	for _, r := range rs {
		if !fault.IsZero() && r.at.After(opened) {
			return r.at.Sub(fault), true
		}
	}
	return 0, false
}

// TestReconnectsExhausted: a server that crashes on every stream uses up
// MaxReconnects and ends the stream with a clear error; the words already
// final stay delivered and writes fail.
func TestReconnectsExhausted(t *testing.T) {
	checkGoroutines(t)
	pcm := speech(utts, 600*time.Millisecond)
	cut := at(2500 * time.Millisecond)
	srv := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{
		Cut: map[int]int{0: cut, 1: 0, 2: 0, 3: 0},
	}})
	var m Counters
	s := open(t, New(sherpaRec(t, srv), testConfig(), &m, testLog(t)))
	// The first final must be out before the cut: a TCP reset discards
	// results the client has not read yet.
	if err := feed(s, pcm[:at(2400*time.Millisecond)]); err != nil {
		t.Fatal(err)
	}
	first := waitFinal(t, s)
	feed(s, pcm[at(2400*time.Millisecond):])
	wait := collect(t, s)
	wait()
	err := s.Err()
	if !errors.Is(err, ErrExhausted) || !strings.Contains(err.Error(), "sherpa: connection lost") {
		t.Fatalf("Err = %v, want ErrExhausted wrapping the connection loss", err)
	}
	t.Logf("error: %v", err)
	if werr := s.WriteSample(pcm[:320]); !errors.Is(werr, asr.ErrClosed) || !errors.Is(werr, ErrExhausted) {
		t.Errorf("write after the end = %v, want asr.ErrClosed wrapping ErrExhausted", werr)
	}
	if first.Text != utts[0] {
		t.Errorf("first final %q, want %q", first.Text, utts[0])
	}
	if n := len(srv.Streams()); n != 4 {
		t.Errorf("server saw %d streams, want 1 + 3 reconnects", n)
	}
	if got := m.Snapshot().Reconnects[ReasonKey{"sherpa", ReasonError}]; got != 4 {
		t.Errorf("reconnect metric %d, want 4 failures", got)
	}
}

// waitFinal reads s.Results up to the first final.
func waitFinal(t *testing.T, s asr.Stream) asr.Result {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r, ok := <-s.Results():
			if !ok {
				t.Fatalf("Results closed before a final: %v", s.Err())
			}
			if r.Final {
				return r
			}
		case <-timeout:
			t.Fatal("no final after 10 s")
		}
	}
}

// TestRefusedThenConnects: NewStream retries a refusing server with
// backoff and succeeds on the third attempt.
func TestRefusedThenConnects(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Refuse: 2}})
	var m Counters
	cfg := testConfig()
	cfg.Backoff, cfg.MaxBackoff = 100*time.Millisecond, time.Second
	start := time.Now()
	s := open(t, New(sherpaRec(t, srv), cfg, &m, nil))
	// Waits drawn from [50, 100] ms then [100, 200] ms.
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("connected after %v, want at least 150 ms of backoff", d)
	}
	snap := m.Snapshot()
	if snap.Connects["sherpa"] != 3 || snap.ConnectErrors["sherpa"] != 2 || srv.Refused() != 2 {
		t.Errorf("connects %v errors %v refused %d, want 3, 2, 2", snap.Connects, snap.ConnectErrors, srv.Refused())
	}
	wait := collect(t, s)
	if err := feed(s, speech(utts[:1], 300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	s.CloseSend()
	if got := finalTexts(wait()); !slices.Equal(got, utts[:1]) || s.Err() != nil {
		t.Errorf("finals %q err %v", got, s.Err())
	}
}

// TestConnectFails: NewStream gives up after 1+MaxReconnects refusals with
// the provider's error.
func TestConnectFails(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.SherpaOptions{Faults: asrtest.SherpaFaults{Refuse: 100}})
	_, err := New(sherpaRec(t, srv), testConfig(), nil, nil).NewStream(t.Context())
	if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "503") || srv.Attempts() != 4 {
		t.Errorf("err = %v after %d attempts, want ErrConnect with HTTP 503 after 4", err, srv.Attempts())
	}
	_, err = New(nil, Config{}, nil, nil).NewStream(t.Context())
	if !errors.Is(err, asr.ErrNotConfigured) {
		t.Errorf("no inner: %v", err)
	}
}
