package call

import (
	"context"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// party is one human on a bridged call.
type party int

const (
	partyCaller party = iota
	partyAgent
	partySuper
	nParties
)

func (p party) String() string {
	switch p {
	case partyCaller:
		return "caller"
	case partyAgent:
		return "agent"
	case partySuper:
		return "supervisor"
	}
	return "party"
}

// The bridge mixes at 16 kHz in 20 ms frames. Each party's audio waits in a
// FIFO of at most bridgeMax; mixing starts once bridgePrime is buffered, so
// two legs' clocks and packet timing may differ by that much without a gap.
// A FIFO that overflows drops its oldest audio (counted): latency stays
// bounded when a sender's clock runs fast.
const (
	bridgeRate    = audio.Rate16k
	bridgeFrame   = bridgeRate / 50
	bridgePrime   = 2 * bridgeFrame
	bridgeMax     = 10 * bridgeFrame
	bridgeBacklog = 200 * time.Millisecond // a destination queue longer than this is flushed
)

// bridgeIn is the audio received from one party, at bridgeRate.
type bridgeIn struct {
	rs      *audio.Resampler // leg rate → bridgeRate; nil when equal
	fifo    audio.PCM16
	scratch audio.PCM16
	frame   audio.PCM16 // the frame taken by the current mix
	primed  bool
	on      bool
}

// bridgeOut is where one party hears the mix.
type bridgeOut struct {
	leg Leg
	rs  *audio.Resampler // bridgeRate → leg rate; nil when equal
	mix []int32
	pcm audio.PCM16
	enc audio.PCM16
}

// bridge joins the humans on a call: the caller hears the agent (and a
// barging supervisor), the agent hears the caller and the supervisor, the
// supervisor hears both. Legs write into it from their media goroutines;
// one goroutine (run) mixes every 20 ms and queues each party's mix on its
// leg. A bridge exists only while a human is on the call.
type bridge struct {
	mu      sync.Mutex // guards in, hears and out's leg/rs; never held while calling a leg
	in      [nParties]bridgeIn
	out     [nParties]bridgeOut
	hears   [nParties][nParties]bool // hears[listener][speaker]
	dropped uint64                   // samples dropped by full FIFOs
	flushed uint64                   // destination backlogs flushed
}

func newBridge() *bridge { return &bridge{} }

// attach adds a party: its leg hears the mix and writer() takes its audio.
func (b *bridge) attach(p party, leg Leg) error {
	var rsIn, rsOut *audio.Resampler
	if r := leg.Rate(); r != bridgeRate {
		var err error
		if rsIn, err = audio.NewResampler(r, bridgeRate); err != nil {
			return err
		}
		if rsOut, err = audio.NewResampler(bridgeRate, r); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.in[p] = bridgeIn{rs: rsIn, fifo: make(audio.PCM16, 0, bridgeMax), frame: make(audio.PCM16, bridgeFrame), on: true}
	b.out[p] = bridgeOut{leg: leg, rs: rsOut, mix: make([]int32, bridgeFrame), pcm: make(audio.PCM16, bridgeFrame)}
	return nil
}

// detach removes a party; what it said and what it was about to hear go.
func (b *bridge) detach(p party) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.in[p] = bridgeIn{}
	b.out[p] = bridgeOut{}
	for q := range nParties {
		b.hears[p][q], b.hears[q][p] = false, false
	}
}

// setHears says whether listener hears speaker.
func (b *bridge) setHears(listener, speaker party, on bool) {
	b.mu.Lock()
	b.hears[listener][speaker] = on
	b.mu.Unlock()
}

// writer is the audio sink of party p's leg, at that leg's rate.
func (b *bridge) writer(p party, rate int) audio.Writer {
	return audio.WriterFunc{Rate: rate, Fn: func(f audio.PCM16) error {
		b.push(p, f)
		return nil
	}}
}

// push appends one frame of p's audio, dropping the oldest on overflow.
func (b *bridge) push(p party, f audio.PCM16) {
	b.mu.Lock()
	defer b.mu.Unlock()
	in := &b.in[p]
	if !in.on {
		return
	}
	src := f
	if in.rs != nil {
		in.scratch = in.rs.Resample(in.scratch[:0], f)
		src = in.scratch
	}
	in.fifo = append(in.fifo, src...)
	if over := len(in.fifo) - bridgeMax; over > 0 {
		n := copy(in.fifo, in.fifo[over:])
		in.fifo = in.fifo[:n]
		b.dropped += uint64(over)
	}
}

// frames is one mixed frame per listening party, ready to queue.
type bridgeFrames [nParties]struct {
	leg Leg
	pcm audio.PCM16
}

// mix takes one frame from every primed FIFO and sums, for each attached
// party, the frames of those it hears (never its own).
func (b *bridge) mix(out *bridgeFrames) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var frames [nParties]audio.PCM16
	for p := range nParties {
		in := &b.in[p]
		if !in.on {
			continue
		}
		if !in.primed && len(in.fifo) >= bridgePrime {
			in.primed = true
		}
		if !in.primed || len(in.fifo) < bridgeFrame {
			in.primed = false // ran dry: wait for the prime again
			continue
		}
		copy(in.frame, in.fifo[:bridgeFrame])
		frames[p] = in.frame
		n := copy(in.fifo, in.fifo[bridgeFrame:])
		in.fifo = in.fifo[:n]
	}
	for l := range nParties {
		o := &b.out[l]
		out[l].leg, out[l].pcm = nil, nil
		if o.leg == nil {
			continue
		}
		clear(o.mix)
		for s := range nParties {
			if s == l || !b.hears[l][s] || frames[s] == nil {
				continue
			}
			for i, v := range frames[s] {
				o.mix[i] += int32(v)
			}
		}
		for i, v := range o.mix {
			o.pcm[i] = int16(max(min(v, 32767), -32768))
		}
		pcm := o.pcm
		if o.rs != nil {
			o.enc = o.rs.Resample(o.enc[:0], o.pcm)
			pcm = o.enc
		}
		out[l].leg, out[l].pcm = o.leg, pcm
	}
}

// run mixes every 20 ms until ctx ends. It is the bridge's only goroutine;
// the legs' Enqueue never blocks.
func (b *bridge) run(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var out bridgeFrames
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.mix(&out)
		for _, f := range out {
			if f.leg == nil {
				continue
			}
			if f.leg.Pending() > bridgeBacklog {
				f.leg.Flush()
				b.mu.Lock()
				b.flushed++
				b.mu.Unlock()
			}
			_ = f.leg.Enqueue(f.pcm) // a leg that has ended refuses; its Done tells the session
		}
	}
}

// stats returns the samples dropped by full FIFOs and the backlogs flushed.
func (b *bridge) stats() (dropped, flushed uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped, b.flushed
}
