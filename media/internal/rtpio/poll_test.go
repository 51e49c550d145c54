package rtpio

import (
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// TestPacerClaim drives one shard by hand (no goroutine): a sub-tick is
// ticked once, when due, by whoever claims it; a shard far behind skips
// the missed periods; a stopped shard is never due.
func TestPacerClaim(t *testing.T) {
	p := newPacer(1, 4)
	sh := p.shards[0]
	c := &countTicker{}
	list := []*Member{{t: c}}
	sh.groups[1].list.Store(&list) // ticked at sub-ticks 1, 5, 9, ...
	sh.next.Store(0)

	if _, ok := sh.claim(sh.dueOff(0) - time.Nanosecond); ok {
		t.Fatal("claimed a sub-tick before it was due")
	}
	if k, ok := sh.claim(sh.dueOff(0)); !ok || k != 0 || sh.next.Load() != 1 {
		t.Fatalf("claim at due: k %d ok %v next %d", k, ok, sh.next.Load())
	}
	sh.poll(sh.dueOff(5)) // sub-ticks 1..5: group 1 twice
	if n := c.ticks.Load(); n != 2 || sh.next.Load() != 6 {
		t.Fatalf("%d ticks, next %d after polling to sub-tick 5", n, sh.next.Load())
	}
	sh.poll(sh.dueOff(5)) // nothing more is due
	if n := c.ticks.Load(); n != 2 {
		t.Fatalf("a second poll ticked again: %d", n)
	}

	// Ten periods late: the missed ones are skipped, and the member hears
	// of them (skip) on its next tick.
	late := sh.dueOff(sh.next.Load()) + 10*audio.FrameDuration
	sh.poll(late)
	if k := sh.next.Load(); sh.dueOff(k) <= late || sh.dueOff(k) > late+audio.FrameDuration {
		t.Fatalf("after the resync the next sub-tick is due at %v, now is %v", sh.dueOff(k), late)
	}
	sh.poll(late + audio.FrameDuration) // group 1's next tick
	if c.ticks.Load() != 3 || c.skipped.Load() != 10 || p.Stats().Resyncs != 1 {
		t.Fatalf("%d ticks, skipped %d, resyncs %d", c.ticks.Load(), c.skipped.Load(), p.Stats().Resyncs)
	}

	sh.next.Store(idleNext)
	before := c.ticks.Load()
	sh.poll(time.Duration(1 << 62))
	if _, ok := sh.claim(time.Duration(1 << 62)); ok || c.ticks.Load() != before {
		t.Fatal("a stopped shard was ticked")
	}
}

// TestPacerPollRace: many goroutines polling without pause, besides the
// shard goroutine, tick every member once per period, never twice.
func TestPacerPollRace(t *testing.T) {
	p := newPacer(2, 4)
	cs := addCounters(t, p, 8)
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					p.Poll()
				}
			}
		})
	}
	time.Sleep(25 * audio.FrameDuration)
	close(stop)
	wg.Wait()
	periods := int64(time.Since(start) / audio.FrameDuration)
	for i, c := range cs {
		if n := c.ticks.Load() + c.skipped.Load(); n < periods-2 || n > periods+1 {
			t.Errorf("member %d: %d ticks + %d skipped in %d periods", i, c.ticks.Load(), c.skipped.Load(), periods)
		}
	}
}

// TestPollDoesNotAllocate: a reader polls after every packet, so neither
// a poll with nothing due nor one that ticks a group may allocate.
func TestPollDoesNotAllocate(t *testing.T) {
	p := newPacer(1, 4)
	sh := p.shards[0]
	list := []*Member{{t: &countTicker{}}, {t: &countTicker{}}}
	for g := range sh.groups {
		sh.groups[g].list.Store(&list)
	}
	sh.next.Store(0)
	if n := testing.AllocsPerRun(100, func() { sh.poll(sh.dueOff(sh.next.Load()) - 1) }); n != 0 {
		t.Errorf("a poll with nothing due allocates %.1f times", n)
	}
	if n := testing.AllocsPerRun(100, func() { sh.poll(sh.dueOff(sh.next.Load())) }); n != 0 {
		t.Errorf("a poll that ticks a group allocates %.1f times", n)
	}
	if n := testing.AllocsPerRun(100, p.Poll); n != 0 {
		t.Errorf("Pacer.Poll allocates %.1f times", n)
	}
}
