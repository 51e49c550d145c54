package audio

import (
	"math"
	"math/cmplx"
)

// DTMF detection, in the spirit of ITU-T Q.24: the eight DTMF frequencies
// are measured by Goertzel filters over a 20 ms window that slides in 5 ms
// hops. Each hop's complex filter outputs are rotated to a common phase
// reference, so summing the last four of them gives the exact DFT over the
// window; the phase drift from hop to hop measures how far a tone is off its
// nominal frequency, and is compensated for the two strongest tones so that
// a tone 1.5 % off keeps its full power. A window shows a key when
//
//   - the strongest row and the strongest column tone each carry at least
//     dtmfMinTonePower (about -37 dB re full scale per tone peak),
//   - neither is more than dtmfMaxDeviation (3 %) off its frequency,
//   - their levels differ by at most dtmfMaxTwistDB (normal and reverse twist),
//   - each is dtmfPeakRatioDB above every other tone of its group, and
//   - together they hold dtmfMinConcentration of the window's power, which
//     rejects speech, music and noise, whose energy is spread out.
//
// A key is reported once, when dtmfMinHops consecutive windows show it (the
// windows then span 35 ms: tones of 40 ms are always accepted, tones of
// 25 ms or less rejected). The same key is reported again only after
// dtmfGapHops hops without it: pauses of 30 ms or more separate two presses,
// dropouts of 20 ms or less inside one press are bridged. A different key
// needs no pause.
const (
	dtmfHopMs            = 5
	dtmfWindowHops       = 4
	dtmfMinHops          = 4
	dtmfGapHops          = 8
	dtmfMinTonePower     = 1e-4 // mean power of one tone, fraction of full scale
	dtmfMaxTwistDB       = 8.0
	dtmfPeakRatioDB      = 8.0
	dtmfMinConcentration = 0.8
	dtmfMaxDeviation     = 0.03 // relative frequency deviation accepted
	dtmfQueue            = 8
)

var (
	dtmfMaxTwist  = math.Pow(10, dtmfMaxTwistDB/10)
	dtmfPeakRatio = math.Pow(10, dtmfPeakRatioDB/10)
)

// hopDFT is the windowed DFT contribution of one hop.
type hopDFT struct {
	re, im [8]float64
	energy float64
}

// DTMFDetector finds DTMF key presses in a stream of PCM frames. It is not
// safe for concurrent use.
type DTMFDetector struct {
	rate int
	hop  int // samples per hop

	coef [8]float64 // 2cos(ω)
	// driftPerDev is the phase a tone drifts per hop per unit of relative
	// frequency deviation: 2π·f·hop/rate.
	driftPerDev [8]float64
	cosw        [8]float64
	sinw        [8]float64
	end         [8]complex128 // e^{-jω(hop-1)}: hop output to hop-start reference
	rot         [8]complex128 // e^{-jω·hop}: advance of the phase reference per hop
	phasor      [8]complex128 // e^{-jω·n0} for the current hop start n0

	s1, s2 [8]float64
	energy float64
	n      int // samples in the current hop

	ring  [dtmfWindowHops]hopDFT
	next  int // ring slot for the next hop
	fill  int // hops in the ring
	run   rune
	runN  int
	held  rune // key of the press in progress, reported already
	miss  int  // hops since the window last showed held
	queue [dtmfQueue]rune
	qHead int
	qLen  int
	drops uint64
}

// NewDTMFDetector returns a detector for PCM at rate (8 or 16 kHz, though
// any rate above 4 kHz works).
func NewDTMFDetector(rate int) *DTMFDetector {
	d := &DTMFDetector{rate: max(rate, 1)}
	d.hop = max(d.rate*dtmfHopMs/1000, 1)
	for i := range 8 {
		f := dtmfRows[i%4]
		if i >= 4 {
			f = dtmfCols[i-4]
		}
		w := 2 * math.Pi * f / float64(d.rate)
		d.coef[i] = 2 * math.Cos(w)
		d.driftPerDev[i] = w * float64(d.hop)
		d.cosw[i], d.sinw[i] = math.Cos(w), math.Sin(w)
		d.end[i] = cis(-w * float64(d.hop-1))
		d.rot[i] = cis(-w * float64(d.hop))
	}
	d.Reset()
	return d
}

func cis(a float64) complex128 {
	s, c := math.Sincos(a)
	return complex(c, s)
}

// Reset forgets all history and any digit not yet returned.
func (d *DTMFDetector) Reset() {
	for i := range d.phasor {
		d.phasor[i] = 1
	}
	d.s1, d.s2 = [8]float64{}, [8]float64{}
	d.energy, d.n = 0, 0
	d.next, d.fill = 0, 0
	d.run, d.runN, d.held, d.miss = 0, 0, 0, 0
	d.qHead, d.qLen = 0, 0
}

// Dropped returns how many confirmed keys were discarded because more than
// dtmfQueue (8) were waiting to be returned; frames of 20 ms never cause it.
func (d *DTMFDetector) Dropped() uint64 { return d.drops }

// Process analyses frame and returns a key the moment its press is
// confirmed. It returns at most one key per call; should a long frame
// complete several presses, the others are returned by the following calls
// (Process(nil) drains them).
func (d *DTMFDetector) Process(frame PCM16) (digit rune, ok bool) {
	for len(frame) > 0 {
		seg := frame[:min(len(frame), d.hop-d.n)]
		if d.n == 0 && len(seg) == d.hop && d.quiet(seg) {
			d.n = d.hop // the filters stay at rest: this hop's DFT terms are 0
		} else {
			d.accumulate(seg)
		}
		frame = frame[len(seg):]
		if d.n == d.hop {
			d.endHop()
		}
	}
	if d.qLen == 0 {
		return 0, false
	}
	digit = d.queue[d.qHead]
	d.qHead = (d.qHead + 1) % dtmfQueue
	d.qLen--
	return digit, true
}

// dtmfQuietPower is the mean power (fraction of full scale) under which a
// whole hop skips the Goertzel filters, 17 dB below one tone at
// dtmfMinTonePower: even if all of it were at a key's frequency it could
// move that tone's amplitude in a window by at most a seventh of the
// weakest accepted tone's. Line noise and silence, most of what a call
// hears, then cost only the energy sum.
const dtmfQuietPower = dtmfMinTonePower / 50

// quiet adds seg's energy to the hop and reports whether the hop is too
// quiet to be worth filtering. seg must be a whole hop.
func (d *DTMFDetector) quiet(seg PCM16) bool {
	var e float64
	for _, x := range seg {
		v := float64(x)
		e += v * v
	}
	if e >= dtmfQuietPower*32768*32768*float64(len(seg)) {
		return false
	}
	d.energy += e
	return true
}

// accumulate runs the eight Goertzel recursions and the energy sum over seg.
// Four filters share one pass so their dependency chains overlap.
func (d *DTMFDetector) accumulate(seg PCM16) {
	for g := 0; g < 8; g += 4 {
		c0, c1, c2, c3 := d.coef[g], d.coef[g+1], d.coef[g+2], d.coef[g+3]
		a1, a2 := d.s1[g], d.s2[g]
		b1, b2 := d.s1[g+1], d.s2[g+1]
		e1, e2 := d.s1[g+2], d.s2[g+2]
		f1, f2 := d.s1[g+3], d.s2[g+3]
		for _, x := range seg {
			v := float64(x)
			a1, a2 = v+c0*a1-a2, a1
			b1, b2 = v+c1*b1-b2, b1
			e1, e2 = v+c2*e1-e2, e1
			f1, f2 = v+c3*f1-f2, f1
		}
		d.s1[g], d.s2[g] = a1, a2
		d.s1[g+1], d.s2[g+1] = b1, b2
		d.s1[g+2], d.s2[g+2] = e1, e2
		d.s1[g+3], d.s2[g+3] = f1, f2
	}
	e := d.energy
	for _, x := range seg {
		v := float64(x)
		e += v * v
	}
	d.energy = e
	d.n += len(seg)
}

// endHop stores the hop's DFT terms, classifies the window and updates the
// press state.
func (d *DTMFDetector) endHop() {
	h := &d.ring[d.next]
	for i := range 8 {
		y := complex(d.s1[i]-d.cosw[i]*d.s2[i], d.sinw[i]*d.s2[i])
		x := y * d.end[i] * d.phasor[i]
		h.re[i], h.im[i] = real(x), imag(x)
		p := d.phasor[i] * d.rot[i]
		d.phasor[i] = p * complex(1/math.Hypot(real(p), imag(p)), 0)
	}
	h.energy = d.energy
	d.s1, d.s2 = [8]float64{}, [8]float64{}
	d.energy, d.n = 0, 0
	d.next = (d.next + 1) % dtmfWindowHops
	d.fill = min(d.fill+1, dtmfWindowHops)
	var key rune
	if d.fill == dtmfWindowHops {
		key = d.classify()
	}
	d.track(key)
}

// classify returns the key the current window shows, or 0.
func (d *DTMFDetector) classify() rune {
	var energy float64
	var re, im [8]float64
	for k := range d.ring {
		h := &d.ring[k]
		energy += h.energy
		for i := range 8 {
			re[i] += h.re[i]
			im[i] += h.im[i]
		}
	}
	n := float64(dtmfWindowHops*d.hop) * 32768
	total := energy / (n * 32768)
	if total < 2*dtmfMinTonePower {
		return 0 // too quiet to hold two tones
	}
	var pw [8]float64
	for i := range 8 {
		pw[i] = 2 * (re[i]*re[i] + im[i]*im[i]) / (n * n)
	}
	r, c := strongest(pw[:4]), 4+strongest(pw[4:])
	pr, devR := d.tracked(r, n)
	pc, devC := d.tracked(c, n)
	pw[r], pw[c] = pr, pc
	switch {
	case pr < dtmfMinTonePower || pc < dtmfMinTonePower:
		return 0
	case math.Abs(devR) > dtmfMaxDeviation || math.Abs(devC) > dtmfMaxDeviation:
		return 0
	case pr > pc*dtmfMaxTwist || pc > pr*dtmfMaxTwist:
		return 0
	case !dominates(pw[:4], r) || !dominates(pw[4:], c-4):
		return 0
	case pr+pc < dtmfMinConcentration*total:
		return 0
	}
	return dtmfKeys[r][c-4]
}

// tracked returns the window power of tone i with the phase drift of a
// tone slightly off its nominal frequency compensated, and the relative
// frequency deviation that drift shows. The drift between hops is measured
// from the hops' DFT terms and compensated up to dtmfMaxDeviation, so a
// tone 1.5 % off keeps its full power while a tone further off is rejected
// by the caller.
func (d *DTMFDetector) tracked(i int, n float64) (p, dev float64) {
	var xs [dtmfWindowHops]complex128
	var drift complex128
	for h := range dtmfWindowHops {
		r := &d.ring[(d.next+h)%dtmfWindowHops] // oldest first
		xs[h] = complex(r.re[i], r.im[i])
		if h > 0 {
			drift += xs[h] * cmplx.Conj(xs[h-1])
		}
	}
	theta := cmplx.Phase(drift)
	dev = theta / d.driftPerDev[i]
	limit := dtmfMaxDeviation * d.driftPerDev[i]
	theta = max(-limit, min(theta, limit))
	var sum complex128
	step, rot := cis(-theta), complex(1, 0)
	for _, x := range xs {
		sum += x * rot
		rot *= step
	}
	return 2 * (real(sum)*real(sum) + imag(sum)*imag(sum)) / (n * n), dev
}

// strongest returns the index of the largest of four powers.
func strongest(p []float64) int {
	best := 0
	for i := 1; i < len(p); i++ {
		if p[i] > p[best] {
			best = i
		}
	}
	return best
}

// dominates reports whether p[k] exceeds every other entry by the peak ratio.
func dominates(p []float64, k int) bool {
	for i, v := range p {
		if i != k && v*dtmfPeakRatio > p[k] {
			return false
		}
	}
	return true
}

// track advances the press state machine with the key of one window.
func (d *DTMFDetector) track(key rune) {
	if key != 0 && key == d.run {
		d.runN++
	} else {
		d.run, d.runN = key, 0
		if key != 0 {
			d.runN = 1
		}
	}
	if d.held != 0 {
		if key == d.held {
			d.miss = 0
		} else if d.miss++; d.miss >= dtmfGapHops {
			d.held = 0
		}
	}
	if d.run != 0 && d.run != d.held && d.runN >= dtmfMinHops {
		d.held, d.miss = d.run, 0
		if d.qLen == dtmfQueue {
			d.drops++
			return
		}
		d.queue[(d.qHead+d.qLen)%dtmfQueue] = d.run
		d.qLen++
	}
}
