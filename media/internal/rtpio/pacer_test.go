package rtpio

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// countTicker counts its ticks and the periods skipped.
type countTicker struct{ ticks, skipped atomic.Int64 }

func (c *countTicker) Tick(skip int) {
	c.ticks.Add(1)
	c.skipped.Add(int64(skip))
}

// addCounters adds n countTickers to p, removed when the test ends.
func addCounters(tb testing.TB, p *Pacer, n int) []*countTicker {
	cs := make([]*countTicker, n)
	for i := range cs {
		cs[i] = &countTicker{}
		m := p.Add(cs[i])
		tb.Cleanup(func() { p.Remove(m) })
	}
	return cs
}

func TestPacerSpreadsGroups(t *testing.T) {
	p := newPacer(2, 4)
	members := make([]*Member, 16)
	for i := range members {
		members[i] = p.Add(&countTicker{})
	}
	counts := func() (lo, hi int) {
		lo = 1 << 30
		for _, sh := range p.shards {
			for i := range sh.groups {
				lo, hi = min(lo, sh.groups[i].n), max(hi, sh.groups[i].n)
			}
		}
		return lo, hi
	}
	if lo, hi := counts(); lo != 2 || hi != 2 {
		t.Errorf("16 members over 8 groups: %d..%d per group, want 2", lo, hi)
	}
	for _, m := range members[:3] { // empties one group, thins two
		p.Remove(m)
	}
	p.Remove(members[0]) // a second Remove does nothing
	for range 3 {
		members = append(members, p.Add(&countTicker{}))
	}
	if lo, hi := counts(); lo != 2 || hi != 2 {
		t.Errorf("after refilling: %d..%d per group, want 2", lo, hi)
	}
	for _, m := range members[3:] {
		p.Remove(m)
	}
	if st := p.Stats(); st.Sessions != 0 || st.Goroutines != 0 {
		t.Errorf("stats %+v after removing all", st)
	}
}

// TestPacerTicks runs tickers for a few periods: each is ticked about once
// per 20 ms, and the shard goroutines end with the last Remove.
func TestPacerTicks(t *testing.T) {
	p := NewPacer(2)
	var ts []*countTicker
	var ms []*Member
	for range 6 {
		c := &countTicker{}
		ts, ms = append(ts, c), append(ms, p.Add(c))
	}
	if st := p.Stats(); st.Sessions != 6 || st.Goroutines != 2 {
		t.Fatalf("stats %+v, want 6 on 2 goroutines", st)
	}
	time.Sleep(10 * audio.FrameDuration)
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Go(func() { p.Remove(m) })
	}
	wg.Wait()
	for i, c := range ts {
		// 10 periods; a loaded machine may resync (skipped periods count too)
		if n := c.ticks.Load() + c.skipped.Load(); n < 7 || n > 13 {
			t.Errorf("ticker %d: %d ticks + %d skipped in 10 periods", i, c.ticks.Load(), c.skipped.Load())
		}
	}
	if st := p.Stats(); st.Sessions != 0 || st.Goroutines != 0 {
		t.Errorf("stats %+v after removing all", st)
	}
}

// TestPacerPhases checks the groups of all shards are due at evenly
// spread offsets of the 20 ms period.
func TestPacerPhases(t *testing.T) {
	p := newPacer(2, 4)
	seen := map[time.Duration]bool{}
	for _, sh := range p.shards {
		for g := range int64(len(sh.groups)) {
			off := sh.dueOff(g) % audio.FrameDuration
			if off%(2500*time.Microsecond/2) != 0 || seen[off] {
				t.Errorf("phase %v repeated or off the 2.5 ms / 2 grid", off)
			}
			seen[off] = true
		}
	}
	if len(seen) != 8 {
		t.Errorf("%d distinct phases, want 8", len(seen))
	}
}

func sum(v []uint64) (n uint64) {
	for _, x := range v {
		n += x
	}
	return n
}

func TestPacerLatenessBuckets(t *testing.T) {
	p := NewPacer(1)
	bounds := LatenessBounds()
	tests := []struct {
		late   time.Duration
		bucket int
	}{
		{-time.Millisecond, 0}, {0, 0}, {250 * time.Microsecond, 0}, {251 * time.Microsecond, 1},
		{3 * time.Millisecond, 4}, {20 * time.Millisecond, len(bounds) - 1}, {time.Second, len(bounds)},
	}
	for _, tt := range tests {
		before := p.Stats().Lateness[tt.bucket]
		p.observe(tt.late)
		if got := p.Stats().Lateness[tt.bucket]; got != before+1 {
			t.Errorf("lateness %v not counted in bucket %d", tt.late, tt.bucket)
		}
	}
	if st := p.Stats(); st.MaxLateness != time.Second || sum(st.Lateness[:]) != uint64(len(tests)) {
		t.Errorf("stats %+v", st)
	}
	bounds[0] = time.Hour // a copy: the Pacer's bounds stay put
	if LatenessBounds()[0] != 250*time.Microsecond {
		t.Error("LatenessBounds returned the Pacer's own array")
	}
}
