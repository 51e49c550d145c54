package rtp

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// withPacer makes a session use p.
func withPacer(p *Pacer) func(*Config) { return func(c *Config) { c.Pacer = p } }

func TestPacerSharesGoroutines(t *testing.T) {
	p := NewPacer(2)
	rx := listen(t)
	var sessions []*Session
	for range 10 {
		s := newSession(t, addrOf(rx), withPacer(p))
		s.Start(context.Background())
		sessions = append(sessions, s)
	}
	if st := p.Stats(); st.Sessions != 10 || st.Goroutines != 2 {
		t.Fatalf("stats %+v, want 10 sessions on 2 goroutines", st)
	}
	for _, s := range sessions[:9] {
		_ = s.Close()
	}
	if st := p.Stats(); st.Sessions != 1 || st.Goroutines != 1 {
		t.Errorf("after 9 Closes: stats %+v, want 1 session on 1 goroutine", st)
	}
	_ = sessions[9].Close()
	if st := p.Stats(); st.Sessions != 0 || st.Goroutines != 0 {
		t.Errorf("after the last Close: stats %+v", st)
	}
	if g := leaked(time.Second); g != "" { // the last Close waits for the shard goroutine (a Start AfterFunc may still be finishing)
		t.Errorf("goroutines left:\n%s", g)
	}
}

// TestCloseStopsSending checks no packet is sent once Close has returned,
// with sessions starting and closing concurrently on one pacer (run with
// -race).
func TestCloseStopsSending(t *testing.T) {
	p := NewPacer(2)
	rx := listen(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 3 {
				s := newSession(t, addrOf(rx), withPacer(p))
				_ = s.Enqueue(tone(Rate, 500))
				s.Start(context.Background())
				time.Sleep(30 * time.Millisecond)
				_ = s.Close()
				sent := s.Stats().PacketsOut
				time.Sleep(45 * time.Millisecond) // two periods
				if after := s.Stats().PacketsOut; after != sent || s.Stats().SendErrors != 0 {
					t.Errorf("packets out %d at Close, %d later; stats %+v", sent, after, s.Stats())
				}
			}
		})
	}
	wg.Wait()
	if st := p.Stats(); st.Sessions != 0 || st.Goroutines != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestPacerResync stalls a shard for eight periods (a tick holding one
// session's lock) and expects every session of that shard to skip the
// missed periods: one SendLate, an RTP timestamp jump that matches the
// stall, a new talkspurt, and no sequence gap.
func TestPacerResync(t *testing.T) {
	var problem string
	for attempt := 1; attempt <= 3; attempt++ { // a scheduler stall can spoil the timing; see TestPacing
		if problem = resyncRun(t); problem == "" {
			return
		}
		t.Logf("attempt %d: %s", attempt, problem)
	}
	t.Error(problem)
}

func resyncRun(t *testing.T) string {
	p := NewPacer(1) // a and b share the shard; the resync skips all its groups
	rxA, rxB := listen(t), listen(t)
	a := newSession(t, addrOf(rxA), withPacer(p))
	b := newSession(t, addrOf(rxB), withPacer(p))
	defer a.Close()
	defer b.Close()
	for _, s := range []*Session{a, b} {
		_ = s.Enqueue(tone(2*Rate, 500))
		s.Start(context.Background())
	}
	before, _ := readPackets(t, rxB, 3, time.Second)
	a.tx.mu.Lock() // the next tick of the shard blocks on a
	time.Sleep(8 * audio.FrameDuration)
	a.tx.mu.Unlock()
	pkts, _ := readPackets(t, rxB, 5, time.Second)
	pkts = append(before[2:], pkts...) // b's first packet after the stall may be the jump
	if st := b.Stats(); st.SendLate != 1 || p.Stats().Resyncs != 1 {
		return fmt.Sprintf("session SendLate %d, pacer Resyncs %d", b.Stats().SendLate, p.Stats().Resyncs)
	}
	for i := 1; i < len(pkts); i++ {
		prev, cur := pkts[i-1].Header, pkts[i].Header
		if cur.SequenceNumber != prev.SequenceNumber+1 {
			t.Fatalf("sequence gap: %v after %v", cur, prev)
		}
		if jump := (cur.Timestamp - prev.Timestamp) / frameSamples; jump != 1 {
			if jump < 6 || jump > 10 || !cur.Marker {
				t.Fatalf("timestamp jump of %d frames (marker %v) for an 8-frame stall", jump, cur.Marker)
			}
			return ""
		}
	}
	return "no timestamp jump in the 5 packets after the stall"
}

// TestIdleTimestamps checks the RTP clock runs while nothing is queued:
// after 200 ms of silence the next packet's timestamp is about ten frames on
// and it starts a talkspurt.
func TestIdleTimestamps(t *testing.T) {
	rx := listen(t)
	s := newSession(t, addrOf(rx), nil)
	_ = s.Enqueue(tone(frameSamples, 500))
	s.Start(context.Background())
	first, at1 := readPackets(t, rx, 1, time.Second)
	time.Sleep(200 * time.Millisecond)
	_ = s.Enqueue(tone(frameSamples, 500))
	second, at2 := readPackets(t, rx, 1, time.Second)
	frames := int((second[0].Timestamp - first[0].Timestamp) / frameSamples)
	elapsed := int((at2[0].Sub(at1[0]) + audio.FrameDuration/2) / audio.FrameDuration)
	if frames != elapsed || !second[0].Marker || second[0].SequenceNumber != first[0].SequenceNumber+1 {
		t.Errorf("timestamp advanced %d frames in %d periods; marker %v; seq %d after %d",
			frames, elapsed, second[0].Marker, second[0].SequenceNumber, first[0].SequenceNumber)
	}
	if st := DefaultPacer().Stats(); st.MaxLateness <= 0 || sum(st.Lateness[:]) == 0 {
		t.Errorf("pacer lateness not recorded: %+v", st)
	}
}

func sum(v []uint64) (n uint64) {
	for _, x := range v {
		n += x
	}
	return n
}
