package audio

import (
	"math"
	"time"
)

// Prosody measurement settings. Levels are frame RMS in dBFS.
const (
	// ProsodyGateDBFS is the level below which a frame is not analysed: it
	// counts in Frames and Duration only.
	ProsodyGateDBFS = -50.0
	// ProsodyShoutDBFS is the level at or above which a voiced frame counts
	// as shouted. Telephone speech sits around -26 to -18 dBFS; a caller
	// shouting into the handset reaches -12 and clips.
	ProsodyShoutDBFS = -12.0
	// ProsodyMinPitchHz and ProsodyMaxPitchHz bound the pitch search.
	ProsodyMinPitchHz = 65.0
	ProsodyMaxPitchHz = 460.0
	// prosodyVoicing is the normalised autocorrelation peak a frame needs
	// to count as voiced.
	prosodyVoicing = 0.6
	// prosodyOctave: the shortest lag whose correlation peak reaches this
	// fraction of the best one wins, so a period's multiples do not.
	prosodyOctave = 0.88
	// prosodyClip is the sample magnitude counted as clipping, and
	// prosodyClipSamples how many such samples make a frame clipped.
	prosodyClip        = 32000
	prosodyClipSamples = 2
	// prosodyPitchRate is the rate the pitch tracker works at.
	prosodyPitchRate = 4000
)

// Pitch histogram: bins of 1/48 octave from prosodyHistLow, enough to cover
// the search range. The median and quartiles come from the histogram, so an
// utterance of any length needs no memory per frame.
const (
	prosodyHistLow  = 60.0
	prosodyHistBins = 160 // 60 Hz * 2^(160/48) ≈ 605 Hz
	prosodyHistPer  = 48  // bins per octave
)

// Prosody sums up how one utterance sounded. Frames are the 20 ms
// analysis frames of ProsodyMeter.
type Prosody struct {
	// Frames is how many frames were measured.
	Frames int
	// ActiveFrames is how many were at or above ProsodyGateDBFS.
	ActiveFrames int
	// VoicedFrames is how many active frames had a pitch.
	VoicedFrames int
	// LevelDBFS is the mean RMS level, in dBFS, of the voiced frames (of
	// the active frames if none was voiced; SilenceDBFS if none was active).
	LevelDBFS float64
	// PeakDBFS is the RMS level of the loudest frame.
	PeakDBFS float64
	// PitchHz is the median pitch of the voiced frames, 0 if none.
	PitchHz float64
	// PitchSpreadHz is the interquartile range of that pitch.
	PitchSpreadHz float64
	// ClippedFrames is how many frames had samples at full scale.
	ClippedFrames int
	// ShoutFrames is how many voiced frames were at or above
	// ProsodyShoutDBFS or clipped.
	ShoutFrames int
	// Duration is how much audio was measured, partial frames included.
	Duration time.Duration
}

// ProsodyMeter measures level, pitch and shouting over one utterance, for
// the anger detector. Feed it the caller's audio (any frame size; it
// analyses 20 ms frames) and read Result at the end of the utterance.
//
// Pitch is found by normalised autocorrelation on the signal low-passed
// and decimated to about 4 kHz, 65-460 Hz, on frames at or above
// ProsodyGateDBFS. Write allocates nothing. It is not safe for concurrent
// use.
type ProsodyMeter struct {
	rate     int
	frameLen int // input samples per analysis frame
	dec      int // decimation factor
	decRate  float64
	taps     []float64 // low-pass FIR at the input rate

	in     []float64 // taps-1 samples of history, then the frame being filled
	fill   int       // samples of the frame filled so far
	phase  int       // next output position within the frame
	ring   []float64 // decimated signal, oldest first
	have   int       // valid samples at the end of ring
	dcX    float64   // DC blocker state
	dcY    float64
	lagMin int
	lagMax int
	corr   []float64 // correlation by lag

	frames, active, voiced int
	clipped, shout         int
	samples                int64
	levelSum, activeSum    float64
	peak                   float64
	hist                   [prosodyHistBins]int32
}

var _ Writer = (*ProsodyMeter)(nil)

// NewProsodyMeter returns a meter for PCM at rate (8 or 16 kHz on the
// telephone path; any rate from 4 kHz up works, lower rates are taken as
// 4 kHz).
func NewProsodyMeter(rate int) *ProsodyMeter {
	rate = max(rate, prosodyPitchRate)
	d := max(int(math.Round(float64(rate)/prosodyPitchRate)), 1)
	m := &ProsodyMeter{
		rate:     rate,
		frameLen: SamplesPerFrame(rate),
		dec:      d,
		decRate:  float64(rate) / float64(d),
		taps:     lowPass(12*d+1, 1000/float64(rate)),
	}
	m.lagMin = int(math.Floor(m.decRate / ProsodyMaxPitchHz))
	m.lagMax = int(math.Ceil(m.decRate / ProsodyMinPitchHz))
	window := m.frameLen / d
	m.ring = make([]float64, window+m.lagMax+2)
	m.corr = make([]float64, m.lagMax+2)
	m.in = make([]float64, len(m.taps)-1+m.frameLen)
	m.Reset()
	return m
}

// lowPass returns a Hamming-windowed sinc low-pass of n taps (odd) with
// cutoff fc in cycles per sample, normalised to unity gain at DC.
func lowPass(n int, fc float64) []float64 {
	h := make([]float64, n)
	sum := 0.0
	mid := float64(n-1) / 2
	for i := range h {
		x := float64(i) - mid
		v := 2 * fc
		if x != 0 {
			v = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		v *= 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		h[i] = v
		sum += v
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// Reset forgets the utterance so the meter can measure the next one.
func (m *ProsodyMeter) Reset() {
	clear(m.in)
	clear(m.ring)
	m.fill, m.phase, m.have = 0, 0, 0
	m.dcX, m.dcY = 0, 0
	m.frames, m.active, m.voiced = 0, 0, 0
	m.clipped, m.shout = 0, 0
	m.samples = 0
	m.levelSum, m.activeSum = 0, 0
	m.peak = SilenceDBFS
	m.hist = [prosodyHistBins]int32{}
}

// SampleRate returns the rate the meter was built for.
func (m *ProsodyMeter) SampleRate() int { return m.rate }

// WriteSample is Write, for use in a Writer chain.
func (m *ProsodyMeter) WriteSample(s PCM16) error { return m.Write(s) }

// Write measures f. It never fails; the error is there for Writer.
func (m *ProsodyMeter) Write(f PCM16) error {
	m.samples += int64(len(f))
	hist := len(m.taps) - 1
	for len(f) > 0 {
		n := len(int16sToFloat(f, m.in[hist+m.fill:]))
		m.fill += n
		f = f[n:]
		if m.fill == m.frameLen {
			m.frame()
			copy(m.in, m.in[m.frameLen:])
			m.fill = 0
		}
	}
	return nil
}

// int16sToFloat converts as much of f as fits into dst and returns the
// filled part of dst.
func int16sToFloat(f PCM16, dst []float64) []float64 {
	n := min(len(f), len(dst))
	for i, v := range f[:n] {
		dst[i] = float64(v)
	}
	return dst[:n]
}

// frame analyses the complete frame at the end of m.in.
func (m *ProsodyMeter) frame() {
	x := m.in[len(m.taps)-1:]
	m.frames++
	m.decimate()
	power, clips := 0.0, 0
	for _, v := range x {
		power += v * v
		if v >= prosodyClip || v <= -prosodyClip {
			clips++
		}
	}
	level := powerDB(power / float64(len(x)) / (32768 * 32768))
	m.peak = max(m.peak, level)
	clip := clips >= prosodyClipSamples
	if clip {
		m.clipped++
	}
	if level < ProsodyGateDBFS {
		return
	}
	m.active++
	m.activeSum += level
	f0 := m.pitch()
	if f0 == 0 {
		return
	}
	m.voiced++
	m.levelSum += level
	if level >= ProsodyShoutDBFS || clip {
		m.shout++
	}
	b := int(math.Floor(prosodyHistPer * math.Log2(f0/prosodyHistLow)))
	m.hist[min(max(b, 0), prosodyHistBins-1)]++
}

// decimate low-passes the frame and appends every dec-th output, DC
// removed, to the ring.
func (m *ProsodyMeter) decimate() {
	n := 0
	for p := m.phase; p < m.frameLen; p += m.dec {
		n++
	}
	copy(m.ring, m.ring[n:])
	out := m.ring[len(m.ring)-n:]
	k := 0
	for p := m.phase; p < m.frameLen; p += m.dec {
		// m.in[p : p+taps] ends at the frame sample p.
		y := prosodyDot(m.taps, m.in[p:p+len(m.taps)])
		m.dcY = y - m.dcX + 0.98*m.dcY
		m.dcX = y
		out[k] = m.dcY
		k++
		m.phase = p + m.dec
	}
	m.phase -= m.frameLen
	m.have = min(m.have+n, len(m.ring))
}

// pitch returns the pitch of the newest window of the ring, 0 if it is not
// periodic enough or the ring is not full yet. The window is compared with
// the signal one lag earlier, for each lag in the search range.
func (m *ProsodyMeter) pitch() float64 {
	if m.have < len(m.ring) {
		return 0
	}
	x := m.ring
	end := len(x)
	w := end - m.lagMax - 2
	ref := x[end-w:]
	e0 := 0.0
	for _, v := range ref {
		e0 += v * v
	}
	if e0 <= 0 {
		return 0
	}
	// Energy of x[end-w-t : end-t], slid along with the lag.
	et := 0.0
	for _, v := range x[end-w-m.lagMin : end-m.lagMin] {
		et += v * v
	}
	best := 0.0
	for t := m.lagMin; t <= m.lagMax+1; t++ {
		y := x[end-w-t : end-t]
		dot := prosodyDot(ref, y)
		c := 0.0
		if et > 0 {
			c = dot / math.Sqrt(e0*et)
		}
		m.corr[t] = c
		if t <= m.lagMax {
			best = max(best, c)
		}
		if t < m.lagMax+1 {
			in, out := x[end-w-t-1], x[end-t-1]
			et += in*in - out*out
		}
	}
	if best < prosodyVoicing {
		return 0
	}
	return m.pickLag(best)
}

// pickLag returns the pitch at the shortest correlation peak within
// prosodyOctave of best, refined by a parabola through its neighbours.
func (m *ProsodyMeter) pickLag(best float64) float64 {
	c := m.corr
	for t := max(m.lagMin+1, 2); t <= m.lagMax; t++ {
		if c[t] < prosodyOctave*best || c[t] < c[t-1] || c[t] < c[t+1] {
			continue
		}
		lag := float64(t)
		if den := c[t-1] - 2*c[t] + c[t+1]; den < 0 {
			lag += 0.5 * (c[t-1] - c[t+1]) / den
		}
		f0 := m.decRate / lag
		if f0 < ProsodyMinPitchHz || f0 > ProsodyMaxPitchHz {
			return 0
		}
		return f0
	}
	return 0
}

// Result returns the measurements so far.
func (m *ProsodyMeter) Result() Prosody {
	p := Prosody{
		Frames:        m.frames,
		ActiveFrames:  m.active,
		VoicedFrames:  m.voiced,
		LevelDBFS:     SilenceDBFS,
		PeakDBFS:      m.peak,
		ClippedFrames: m.clipped,
		ShoutFrames:   m.shout,
		Duration:      Duration(int(m.samples), m.rate),
	}
	switch {
	case m.voiced > 0:
		p.LevelDBFS = m.levelSum / float64(m.voiced)
	case m.active > 0:
		p.LevelDBFS = m.activeSum / float64(m.active)
	}
	if m.voiced > 0 {
		q1 := m.quantile(0.25)
		p.PitchHz = m.quantile(0.5)
		p.PitchSpreadHz = m.quantile(0.75) - q1
	}
	return p
}

// quantile returns the q-th quantile of the pitch histogram, interpolated
// within its bin on the log scale.
func (m *ProsodyMeter) quantile(q float64) float64 {
	target := q * float64(m.voiced)
	acc := 0.0
	for b, n := range m.hist {
		if n == 0 {
			continue
		}
		if acc+float64(n) >= target {
			frac := (target - acc) / float64(n)
			return prosodyHistLow * math.Exp2((float64(b)+frac)/prosodyHistPer)
		}
		acc += float64(n)
	}
	return prosodyHistLow * math.Exp2(float64(prosodyHistBins)/prosodyHistPer)
}

// prosodyDot returns the dot product of a and b[:len(a)], four lanes at a
// time so the additions do not wait on each other.
func prosodyDot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
