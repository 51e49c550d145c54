package rtpio

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// Ticker is what a Pacer paces: a leg's sender, which sends one frame per
// Tick. skip > 0 means the Pacer fell that many periods behind and skipped
// them: the sender should advance its RTP clock by as many frames and start
// a new talkspurt. Tick runs on a shard goroutine shared with other legs,
// so it must not block.
type Ticker interface {
	Tick(skip int)
}

// A Pacer sends the 20 ms frames of many legs (SIP sessions and browser
// calls alike) from a few goroutines instead of one timer goroutine per
// leg.
//
// It has shards (one goroutine each) and each shard has groups. The
// shards×groups phases are spread evenly over the 20 ms period: group g of
// shard s is due at epoch + (g·shards + s)·20ms/(shards·groups) + n·20ms on
// the monotonic clock, so wake-ups and socket writes are spread instead of
// bunched. An added Ticker joins the least loaded group and is ticked
// once per period in a stable order, so its packets are exactly 20 ms apart
// on average and their spacing varies only by how late its group's tick
// starts and how long the members before it take.
//
// A due group is ticked by whichever goroutine claims it first: the
// shard's goroutine, woken by its timer, or any goroutine calling Poll
// (the legs' packet readers, after each packet). Claims are exclusive
// (compare-and-swap on the shard's next sub-tick), and groups are small,
// so a thread the kernel preempts in the middle of a group delays only
// that group: the next is claimed by a goroutine still running.
//
// A shard's goroutine runs only while the shard has Tickers: it starts
// with the first and has returned when Remove of the last one returns, so
// an idle Pacer holds no goroutines and needs no Close.
//
// If a shard falls more than lateFrames periods behind (a stalled
// machine), it skips the missed periods: each of its Tickers gets
// Tick(skip) with the number skipped.
type Pacer struct {
	epoch    time.Time
	shards   []*shard
	resyncs  atomic.Uint64
	kicks    atomic.Uint64
	lateness [len(latenessBounds) + 1]atomic.Uint64
	maxLate  atomic.Int64

	mu   sync.Mutex // guards registration: the group lists and counts, each shard's n, quit and done
	next int        // where the search for the least loaded group starts (round-robin on ties)
	n    int        // registered Tickers
}

// Member is a Ticker's place in a Pacer, from Add until Remove.
type Member struct {
	t Ticker
	// Guarded by the Pacer's mu.
	shard *shard
	group int
}

// PacerStats is a snapshot of a Pacer.
type PacerStats struct {
	Sessions   int    // Tickers being paced (legs)
	Goroutines int    // shard goroutines running
	Resyncs    uint64 // times a shard fell more than 3 frames behind and skipped ahead
	Kicks      uint64 // Members moved to an earlier group by Kick
	// Lateness counts group ticks by how late they started: Lateness[i]
	// counts those more than LatenessBounds()[i-1] and at most
	// LatenessBounds()[i] late; the last element counts those later than
	// every bound. A late start delays every packet of the group's
	// members by as much (a Prometheus histogram maps onto it directly).
	Lateness [len(latenessBounds) + 1]uint64
	// MaxLateness is the latest a group tick has started.
	MaxLateness time.Duration
}

var latenessBounds = [...]time.Duration{
	250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond,
	3 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond, 6 * time.Millisecond,
	8 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond, 20 * time.Millisecond,
}

// LatenessBounds returns the upper bounds of the PacerStats.Lateness buckets.
func LatenessBounds() []time.Duration { return slices.Clone(latenessBounds[:]) }

// lateFrames is how far (in frames) a shard may fall behind its schedule
// before it gives up catching up and skips the missed periods.
const lateFrames = 3

// pacerGroups is the number of groups per shard: with 2 shards, 64 phases
// 312.5 µs apart, each sending about 1/64 of the packets (16 at 1,000
// calls). Measured at 1,000 calls on 2 cores with Poll (yuecall load, send
// jitter p99 as the callers saw it): 4 groups 5.5 ms, 8 groups 4.25 ms,
// 16 groups 3.75 ms, 32 groups 2-3 ms. A kernel preemption mid-group
// (4 ms at HZ=250) delays the rest of that group only, so smaller groups
// lose fewer packets to it.
const pacerGroups = 32

// shard is one goroutine's share of the Tickers.
type shard struct {
	p      *Pacer
	offset time.Duration // when group 0 is due, from the epoch
	sub    time.Duration // period / groups: time between two groups' ticks
	groups []group
	// next is the next sub-tick to tick (idleNext while the shard has no
	// goroutine): whoever moves it on ticks that sub-tick's group (claim).
	next atomic.Int64
	// wake tells a sleeping shard goroutine that Kick moved a Member to a
	// group it may have planned to sleep past (nextBusy). Overflow: a
	// pending wake-up covers the next (cap 1).
	wake chan struct{}

	// Guarded by p.mu.
	n    int
	quit chan struct{} // closed to stop the running goroutine; nil when none runs or it was told to stop
	done chan struct{} // closed when the last goroutine started has returned
}

// group is the Tickers ticked together.
type group struct {
	list atomic.Pointer[[]*Member] // replaced, never modified, under p.mu
	n    int                       // len(*list), guarded by p.mu
	skip atomic.Int64              // periods skipped by a resync, not yet applied
}

// NewPacer returns a Pacer with the given number of shards; shards <= 0
// means GOMAXPROCS. It starts no goroutine until a Ticker is added.
func NewPacer(shards int) *Pacer { return newPacer(shards, pacerGroups) }

func newPacer(shards, groups int) *Pacer {
	if shards <= 0 {
		shards = runtime.GOMAXPROCS(0)
	}
	groups = max(groups, 1)
	p := &Pacer{epoch: time.Now()}
	sub := audio.FrameDuration / time.Duration(groups)
	for i := range shards {
		done := make(chan struct{})
		close(done)
		sh := &shard{
			p:      p,
			offset: time.Duration(i) * sub / time.Duration(shards),
			sub:    sub,
			groups: make([]group, groups),
			wake:   make(chan struct{}, 1),
			done:   done,
		}
		sh.next.Store(idleNext)
		p.shards = append(p.shards, sh)
	}
	return p
}

var defaultPacer = sync.OnceValue(func() *Pacer { return NewPacer(0) })

// DefaultPacer returns the process-wide Pacer that both legs use unless
// told otherwise. It has one shard per GOMAXPROCS at its first use.
func DefaultPacer() *Pacer { return defaultPacer() }

// Stats returns a snapshot of p.
func (p *Pacer) Stats() PacerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := PacerStats{Sessions: p.n, Resyncs: p.resyncs.Load(), Kicks: p.kicks.Load(), MaxLateness: time.Duration(p.maxLate.Load())}
	for _, sh := range p.shards {
		if sh.quit != nil {
			st.Goroutines++
		}
	}
	for i := range st.Lateness {
		st.Lateness[i] = p.lateness[i].Load()
	}
	return st
}

// Add registers t in the least loaded group, starting its shard's
// goroutine if needed. t is ticked from the group's next due time on, until
// Remove.
func (p *Pacer) Add(t Ticker) *Member {
	s := &Member{t: t}
	p.mu.Lock()
	defer p.mu.Unlock()
	sh, gi := p.leastLoaded()
	if sh.quit == nil {
		<-sh.done // a goroutine told to stop has returned: never two per shard
		sh.quit, sh.done = make(chan struct{}), make(chan struct{})
		sh.next.Store(sh.nextSubTick())
		go sh.run(sh.quit, sh.done)
	}
	sh.groups[gi].add(s)
	sh.n++
	p.n++
	s.shard, s.group = sh, gi
	return s
}

// Kick moves s to the group of its shard's next sub-tick, so its next
// tick comes within a fraction of a period (period / groups) rather than
// up to a whole period later. A sender calls it (KickIfIdle) when audio
// arrives after it fell idle: the talkspurt starts at once, and its
// packets keep the new phase (a sender keeps its timestamps true with a
// Clock). The groups stay balanced on average because talkspurts start
// at random times. Should the Kick land while the Member's old group is
// being ticked, it may be ticked twice within a sub-period: a sender that
// was idle then sends its first two packets that close, which a
// receiver's jitter buffer absorbs (an early packet, never a late one).
func (p *Pacer) Kick(s *Member) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sh := s.shard
	if sh == nil {
		return
	}
	// By the clock, not by next: the shard goroutine sleeps past empty
	// groups without claiming them, so next may lag behind.
	gi := int(sh.nextSubTick() % int64(len(sh.groups)))
	if gi == s.group {
		return
	}
	sh.groups[s.group].remove(s)
	sh.groups[gi].add(s)
	s.group = gi
	p.kicks.Add(1)
	select {
	case sh.wake <- struct{}{}:
	default:
	}
}

// KickIfIdle kicks m once after its sender fell idle. idle is the
// sender's flag, set by a tick that found nothing to send; the first
// audio queued after that clears it and kicks. A nil m (not paced yet)
// does nothing.
func (p *Pacer) KickIfIdle(m *Member, idle *atomic.Bool) {
	if m != nil && idle.Load() && idle.CompareAndSwap(true, false) {
		p.Kick(m)
	}
}

// add appends s to g's list (a new list: tickers read the old one
// without a lock). Under p.mu.
func (g *group) add(s *Member) {
	var list []*Member
	if old := g.list.Load(); old != nil {
		list = append(list, *old...)
	}
	list = append(list, s)
	g.list.Store(&list)
	g.n++
}

// remove takes s out of g's list (a new list). Under p.mu.
func (g *group) remove(s *Member) {
	old := *g.list.Load()
	list := make([]*Member, 0, len(old))
	for _, o := range old {
		if o != s {
			list = append(list, o)
		}
	}
	g.list.Store(&list)
	g.n--
}

// leastLoaded picks the group with the fewest members, scanning from a
// rotating start so ties are spread over shards.
func (p *Pacer) leastLoaded() (*shard, int) {
	groups := len(p.shards[0].groups)
	total := len(p.shards) * groups
	best, bestN := 0, -1
	for i := range total {
		k := (p.next + i) % total
		sh := p.shards[k%len(p.shards)]
		if n := sh.groups[k/len(p.shards)].n; bestN < 0 || n < bestN {
			best, bestN = k, n
		}
	}
	p.next = (best + 1) % total
	return p.shards[best%len(p.shards)], best / len(p.shards)
}

// Remove unregisters s. A tick of s may still be running when Remove
// returns (on the shard goroutine or in a Poll): a Ticker that must not be
// ticked again stops itself first, under its own lock. When s was its
// shard's last member, Remove returns after the shard goroutine has. A
// second Remove does nothing.
func (p *Pacer) Remove(s *Member) {
	p.mu.Lock()
	sh := s.shard
	if sh == nil {
		p.mu.Unlock()
		return
	}
	sh.groups[s.group].remove(s)
	sh.n--
	p.n--
	s.shard = nil
	var done chan struct{}
	if sh.n == 0 {
		sh.next.Store(idleNext)
		close(sh.quit)
		sh.quit, done = nil, sh.done
	}
	p.mu.Unlock()
	if done != nil {
		<-done
	}
}

// idleNext is a stopped shard's next: never due.
const idleNext = math.MaxInt64

// dueOff returns when sub-tick k of the shard is due, from the epoch;
// sub-tick k ticks group k mod groups.
func (sh *shard) dueOff(k int64) time.Duration {
	return sh.offset + time.Duration(k)*sh.sub
}

// Poll ticks every group of p that is due and that nobody has ticked yet,
// on the calling goroutine, and returns at once when none is due (a clock
// reading and an atomic load per shard). The legs' packet-reading loops
// call it after each packet: a due group is then ticked by whichever of
// them runs first, instead of waiting for the shard goroutine's turn on a
// busy Go scheduler (its timer wake-up then queues behind every goroutine
// that became runnable meanwhile: up to 5 ms at 1,000 calls on 2 cores).
// The caller must hold no lock a Ticker takes.
func (p *Pacer) Poll() {
	now := time.Since(p.epoch)
	for _, sh := range p.shards {
		sh.poll(now)
	}
}

// poll ticks the sub-ticks of sh due by now that nobody has claimed.
func (sh *shard) poll(now time.Duration) {
	for {
		k, ok := sh.claim(now)
		if !ok {
			return
		}
		sh.tick(k)
	}
}

// claim takes the next sub-tick of the shard if it is due by now: moving
// next on (compare-and-swap) is what makes a goroutine the one that ticks
// it. A shard more than lateFrames periods behind skips the missed
// periods (resync) and claims the due sub-tick of the same group.
func (sh *shard) claim(now time.Duration) (int64, bool) {
	ng := int64(len(sh.groups))
	for {
		k := sh.next.Load()
		if k == idleNext {
			return 0, false
		}
		late := now - sh.dueOff(k)
		if late < 0 {
			return 0, false
		}
		behind := int64(late / audio.FrameDuration)
		if behind <= lateFrames {
			behind = 0
		}
		if !sh.next.CompareAndSwap(k, k+behind*ng+1) {
			continue // another goroutine claimed it first
		}
		if behind > 0 {
			sh.resync(behind)
			late -= time.Duration(behind) * audio.FrameDuration
		}
		if l := sh.groups[k%ng].list.Load(); l != nil && len(*l) > 0 {
			sh.p.observe(late)
		}
		return k + behind*ng, true
	}
}

// run is the shard goroutine: it sleeps until the next sub-tick whose group
// has members and ticks what is due, unless a Poll did first, until quit.
func (sh *shard) run(quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		sh.poll(time.Since(sh.p.epoch))
		k := sh.nextBusy()
		if k == idleNext {
			<-quit // stopped: Remove closes quit
			return
		}
		wait := sh.dueOff(k) - time.Since(sh.p.epoch)
		if wait <= 0 {
			select {
			case <-quit:
				return
			default:
				continue
			}
		}
		timer.Reset(wait)
		select {
		case <-quit:
			return
		case <-sh.wake: // a Member may have joined a group planned to be slept past
		case <-timer.C:
		}
	}
}

// nextSubTick is the first sub-tick still to come.
func (sh *shard) nextSubTick() int64 {
	return int64(time.Since(sh.p.epoch)-sh.offset)/int64(sh.sub) + 1
}

// nextBusy returns the first sub-tick not yet claimed whose group has
// members (the next one if none has: the lists may be changing), or
// idleNext for a stopped shard.
func (sh *shard) nextBusy() int64 {
	k := sh.next.Load()
	if k == idleNext {
		return k
	}
	ng := int64(len(sh.groups))
	for i := range ng {
		if l := sh.groups[(k+i)%ng].list.Load(); l != nil && len(*l) > 0 {
			return k + i
		}
	}
	return k
}

// tick ticks every member of sub-tick k's group, applying a pending
// resync (an empty group forgets its resync: a member that joins later
// has missed nothing).
func (sh *shard) tick(k int64) {
	g := &sh.groups[k%int64(len(sh.groups))]
	skip := int(g.skip.Swap(0))
	if list := g.list.Load(); list != nil {
		for _, m := range *list {
			m.t.Tick(skip)
		}
	}
}

// observe counts a group tick that started late by d.
func (p *Pacer) observe(d time.Duration) {
	d = max(d, 0)
	i := 0
	for i < len(latenessBounds) && d > latenessBounds[i] {
		i++
	}
	p.lateness[i].Add(1)
	for {
		m := p.maxLate.Load()
		if int64(d) <= m || p.maxLate.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// resync records that every group skips the given number of periods.
func (sh *shard) resync(periods int64) {
	sh.p.resyncs.Add(1)
	for i := range sh.groups {
		sh.groups[i].skip.Add(periods)
	}
}
