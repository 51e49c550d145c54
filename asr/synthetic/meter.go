package synthetic

import "math"

// dtmfFreqs are the DTMF row then column frequencies (ITU-T Q.23).
var dtmfFreqs = [8]float64{697, 770, 852, 941, 1209, 1336, 1477, 1633}

// Each DTMF frequency is probed at its nominal value and dtmfSpread above
// and below it: over a 20 ms window a tone 1.5 % off its frequency (what
// Q.24 asks a receiver to accept) would otherwise lose a third of its
// power to the rectangular window's main lobe.
const (
	dtmfSpread = 0.015
	dtmfProbes = 3 * len(dtmfFreqs) // rows first, then columns
)

// goertzel4 runs the probes four at a time.
var _ = [1]struct{}{}[dtmfProbes%4]

// dtmfConcentration is the share of a voiced window's power that the
// strongest row tone and the strongest column tone together must hold for
// the window to count as a key press rather than speech. Speech spreads its
// power over many harmonics; audio.DTMFDetector uses the same bound.
const dtmfConcentration = 0.8

// coefs are the Goertzel coefficients 2cos(ω) of the DTMF probes.
type coefs [dtmfProbes]float64

// meter classifies consecutive windows of one frame (20 ms) of a stream.
// It keeps running sums only, never samples: the energy of the window and,
// while tonal is set, the state of one Goertzel filter per DTMF probe.
type meter struct {
	n      int   // samples in the current window
	sumSq  int64 // sum of squared samples in the current window
	tonal  bool  // run the DTMF filters in this window
	s1, s2 [dtmfProbes]float64
}

// add feeds chunk, which must not cross the end of the window. A chunk
// that is a whole window of length frameLen and quieter than thr (see
// voiced) skips the DTMF filters: it cannot be a key press.
func (m *meter) add(chunk []int16, coef *coefs, frameLen int, thr float64) {
	var sq int64
	for _, x := range chunk {
		v := int64(x)
		sq += v * v
	}
	quiet := m.n == 0 && len(chunk) == frameLen && float64(sq) < thr*float64(frameLen)
	m.sumSq += sq
	m.n += len(chunk)
	if m.tonal && !quiet {
		for k := 0; k < dtmfProbes; k += 4 {
			m.goertzel4(chunk, k, coef)
		}
	}
}

// goertzel4 runs the filters of probes k to k+3 over chunk, four at a time
// so that their recurrences overlap in the pipeline.
func (m *meter) goertzel4(chunk []int16, k int, coef *coefs) {
	c0, c1, c2, c3 := coef[k], coef[k+1], coef[k+2], coef[k+3]
	a0, a1, a2, a3 := m.s1[k], m.s1[k+1], m.s1[k+2], m.s1[k+3]
	b0, b1, b2, b3 := m.s2[k], m.s2[k+1], m.s2[k+2], m.s2[k+3]
	for _, x := range chunk {
		f := float64(x)
		a0, b0 = f+c0*a0-b0, a0
		a1, b1 = f+c1*a1-b1, a1
		a2, b2 = f+c2*a2-b2, a2
		a3, b3 = f+c3*a3-b3, a3
	}
	m.s1[k], m.s1[k+1], m.s1[k+2], m.s1[k+3] = a0, a1, a2, a3
	m.s2[k], m.s2[k+1], m.s2[k+2], m.s2[k+3] = b0, b1, b2, b3
}

// voiced reports whether the window's mean square reaches thr (in squared
// sample units).
func (m *meter) voiced(thr float64) bool {
	return m.n > 0 && float64(m.sumSq) >= thr*float64(m.n)
}

// dtmf reports whether the window's power sits on one DTMF row and one
// column tone. It is only meaningful when tonal was set for the window.
func (m *meter) dtmf(coef *coefs) bool {
	if !m.tonal || m.sumSq == 0 {
		return false
	}
	var row, col float64
	for k, c := range coef {
		s1, s2 := m.s1[k], m.s2[k]
		p := s1*s1 + s2*s2 - c*s1*s2
		if k < dtmfProbes/2 {
			row = max(row, p)
		} else {
			col = max(col, p)
		}
	}
	// Goertzel power 2p/n² against the mean power sumSq/n, both in
	// squared sample units.
	share := 2 * (row + col) / (float64(m.n) * float64(m.sumSq))
	return share >= dtmfConcentration
}

// reset starts the next window.
func (m *meter) reset(tonal bool) {
	*m = meter{tonal: tonal}
}

// dtmfCoefs returns the Goertzel coefficients of the probes at rate.
func dtmfCoefs(rate int) *coefs {
	var c coefs
	for i, f := range dtmfFreqs {
		for j, dev := range [3]float64{1 - dtmfSpread, 1, 1 + dtmfSpread} {
			c[3*i+j] = 2 * math.Cos(2*math.Pi*f*dev/float64(rate))
		}
	}
	return &c
}

// levelPower converts a level in dBFS to a mean square in squared sample
// units (full scale 32768).
func levelPower(dbfs float64) float64 {
	a := 32768 * math.Pow(10, dbfs/20)
	return a * a
}
