package rtpio

import (
	"sync/atomic"
	"testing"
	"time"
)

// timeTicker records when it was last ticked, from the pacer's epoch.
type timeTicker struct {
	p     *Pacer
	last  atomic.Int64
	ticks atomic.Int64
}

func (c *timeTicker) Tick(int) {
	c.last.Store(int64(time.Since(c.p.epoch)))
	c.ticks.Add(1)
}

// TestPacerKickMovesToNextGroup: a kicked Member joins the group of its
// shard that is due next, the counts follow, and Remove still finds it.
func TestPacerKickMovesToNextGroup(t *testing.T) {
	p := newPacer(1, 4)
	var ms []*Member
	for range 4 { // one per group
		ms = append(ms, p.Add(&countTicker{}))
	}
	m := ms[0]
	for range 20 {
		p.Kick(m)
		p.mu.Lock()
		sh, g := m.shard, m.group
		p.mu.Unlock()
		// The group of the sub-tick now due cannot be further than one
		// sub-period (5 ms) away; allow for the time since Kick.
		next := p.epoch.Add(sh.dueOff(int64((time.Since(p.epoch)-sh.offset)/sh.sub) + 1))
		due := next
		for k := int64(0); int(int64((time.Since(p.epoch)-sh.offset)/sh.sub)+1+k)%4 != g && k < 4; k++ {
			due = due.Add(sh.sub)
		}
		if wait := time.Until(due); wait > sh.sub+time.Millisecond {
			t.Fatalf("kicked into group %d, due in %v (sub-period %v)", g, wait, sh.sub)
		}
		time.Sleep(3 * time.Millisecond)
	}
	n := 0
	for i := range p.shards[0].groups {
		n += p.shards[0].groups[i].n
		if l := p.shards[0].groups[i].list.Load(); l != nil && len(*l) != p.shards[0].groups[i].n {
			t.Fatalf("group %d: list of %d, count %d", i, len(*l), p.shards[0].groups[i].n)
		}
	}
	if n != 4 || p.Stats().Kicks == 0 {
		t.Fatalf("%d members in the groups, %d kicks", n, p.Stats().Kicks)
	}
	for _, x := range ms {
		p.Remove(x)
	}
	p.Kick(m) // after Remove: nothing
	if st := p.Stats(); st.Sessions != 0 || st.Goroutines != 0 {
		t.Fatalf("stats %+v after removing all", st)
	}
}

// TestPacerKickStartsSooner: kicked at random moments, a Member is ticked
// within a sub-period on average, not half a period.
func TestPacerKickStartsSooner(t *testing.T) {
	p := newPacer(1, 4)
	tt := &timeTicker{p: p}
	m := p.Add(tt)
	defer p.Remove(m)
	var total time.Duration
	const trials = 20
	for i := range trials {
		time.Sleep(time.Duration(7+i*3%13) * time.Millisecond) // scatter the phase
		before := tt.ticks.Load()
		at := time.Since(p.epoch)
		p.Kick(m)
		deadline := time.Now().Add(time.Second)
		for tt.ticks.Load() == before && time.Now().Before(deadline) {
			time.Sleep(100 * time.Microsecond)
		}
		total += time.Duration(tt.last.Load()) - at
	}
	// Without Kick the wait averages 10 ms (uniform over the period).
	if mean := total / trials; mean > 6*time.Millisecond {
		t.Errorf("mean wait after Kick %v, want about 2.5 ms", mean)
	}
}

// TestPacerKicksMissNoTick: Kicks (and the wake-ups they cause) never make
// the shard skip a group that is due: members not kicked keep one tick per
// period while another is kicked every millisecond.
func TestPacerKicksMissNoTick(t *testing.T) {
	p := newPacer(1, 4)
	steady := addCounters(t, p, 4)
	kicked := p.Add(&countTicker{})
	defer p.Remove(kicked)
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
		p.Kick(kicked)
		time.Sleep(time.Millisecond)
	}
	periods := int64(time.Since(start) / (20 * time.Millisecond))
	for i, c := range steady {
		if n := c.ticks.Load(); n < periods-2 {
			t.Errorf("member %d: %d ticks in %d periods", i, n, periods)
		}
	}
	if p.Stats().Kicks == 0 {
		t.Error("no Kick moved the member")
	}
}
