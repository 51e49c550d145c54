package audio

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrRate reports a sample rate that is zero, negative or above MaxRate.
var ErrRate = errors.New("audio: invalid sample rate")

// MaxRate is the highest sample rate the package accepts (about 1 MHz).
const MaxRate = 1 << 20

// Resampler design. The output sample n sits at input time n·from/to. With
// the rate ratio reduced to to/from = l/m, that time is a whole input index
// plus a phase p/l, and the output is the dot product of the last taps input
// samples with the windowed-sinc filter row of that phase (a polyphase FIR).
// The low-pass cuts at the Nyquist frequency of the lower of the two rates,
// so the same filter interpolates when upsampling and removes what would
// alias when downsampling. When l is large (rates without a small common
// ratio, such as 8000 -> 7999) the rows come from a table of
// resampleTablePhases+1 phases and are linearly interpolated.
const (
	// resampleZeroCrossings is how many sinc zero crossings, counted at the
	// lower rate, the filter spans on each side. With the Kaiser window
	// below, the transition band is about 2.5/resampleZeroCrossings of the
	// lower rate wide (about 1.25 kHz at 8 kHz), centred on its Nyquist.
	resampleZeroCrossings = 16
	// resampleKaiserBeta gives about 80 dB of stopband rejection.
	resampleKaiserBeta = 8.0
	// resampleMaxPhases is the largest l that gets one exact row per phase,
	// and resampleMaxExact the most coefficients such a table may hold.
	resampleMaxPhases = 1024
	resampleMaxExact  = 1 << 18
	// resampleTablePhases is the table size when rows are interpolated.
	resampleTablePhases = 512
	// resampleChunk is how many input samples are staged per inner step; it
	// bounds the internal buffer so no call allocates.
	resampleChunk = 480
)

// Resampler converts a PCM16 stream from one sample rate to another with a
// windowed-sinc polyphase low-pass filter. It keeps its filter history
// between calls, so a signal fed in chunks of any size gives the same output
// as the whole signal fed at once. The output lags the input by Delay. A
// Resampler is not safe for concurrent use.
type Resampler struct {
	from, to int
	l, m     int // to/from reduced; each output advances the input by m/l
	step     int // m / l
	stepRem  int // m % l
	taps     int // filter length in input samples, a multiple of 4
	exact    bool
	scale    float64   // table phases per unit of phase (interpolated rows)
	coef     []float32 // rows of taps coefficients, oldest sample first
	delta    []int32   // per exact row: index of its only tap, or -1
	buf      []float32 // history followed by staged input
	pos      int       // buf index of the newest input the next output uses
	phase    int       // next output's fractional position, in 1/l
}

// NewResampler returns a Resampler from one rate to another, each in
// 1..MaxRate Hz. Equal rates are allowed and copy samples through after
// the filter delay.
func NewResampler(from, to int) (*Resampler, error) {
	if from <= 0 || to <= 0 || from > MaxRate || to > MaxRate {
		return nil, fmt.Errorf("%w: %d Hz to %d Hz", ErrRate, from, to)
	}
	g := gcd(from, to)
	r := &Resampler{from: from, to: to, l: to / g, m: from / g}
	r.step, r.stepRem = r.m/r.l, r.m%r.l
	rho := 1.0 // cutoff relative to the input Nyquist frequency
	if to < from {
		rho = float64(to) / float64(from)
	}
	half := int(math.Ceil(resampleZeroCrossings / rho))
	r.taps = (2*half + 3) &^ 3
	r.exact = r.l <= resampleMaxPhases && r.l*r.taps <= resampleMaxExact
	rows := resampleTablePhases + 1
	if r.exact {
		rows = r.l
	} else {
		r.scale = float64(resampleTablePhases) / float64(r.l)
	}
	r.coef = make([]float32, rows*r.taps)
	r.delta = make([]int32, rows)
	for q := range rows {
		f := float64(q) / float64(rows-1)
		if r.exact {
			f = float64(q) / float64(r.l)
		}
		r.delta[q] = designRow(r.coef[q*r.taps:(q+1)*r.taps], f, rho)
	}
	if !r.exact {
		for i := range r.delta {
			r.delta[i] = -1
		}
	}
	r.buf = make([]float32, 0, r.taps-1+resampleChunk)
	r.Reset()
	return r, nil
}

// designRow fills row with the filter taps for an output at fractional
// position f in [0, 1] past the newest input, normalised to unit DC gain.
// row[j] multiplies the input sample len(row)-1-j steps before the newest.
// It returns the index of the single non-zero tap when the row is a pure
// delay (phase 0 when upsampling), else -1.
func designRow(row []float32, f, rho float64) int32 {
	k := len(row)
	c := float64(k) / 2
	sum := 0.0
	vals := make([]float64, k)
	for j := range k {
		d := f + float64(k-1-j) - c // distance from the filter centre
		v := rho * sinc(rho*d) * kaiser(d/c, resampleKaiserBeta)
		vals[j] = v
		sum += v
	}
	single, nonzero := int32(-1), 0
	for j, v := range vals {
		v /= sum
		if math.Abs(v) > 1e-9 {
			nonzero++
			single = int32(j)
		} else {
			v = 0
		}
		row[j] = float32(v)
	}
	if nonzero == 1 && row[single] == 1 {
		return single
	}
	return -1
}

// sinc is the normalised sinc function sin(πx)/(πx).
func sinc(x float64) float64 {
	if math.Abs(x) < 1e-12 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x, beta float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-x*x)) / besselI0(beta)
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 64; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// InRate returns the input sample rate.
func (r *Resampler) InRate() int { return r.from }

// OutRate returns the output sample rate.
func (r *Resampler) OutRate() int { return r.to }

// Delay returns how far the output lags the input (half the filter length).
func (r *Resampler) Delay() time.Duration {
	return time.Duration(r.taps/2) * time.Second / time.Duration(r.from)
}

// MaxOutput returns the most samples one Resample call can append for n
// input samples; size dst with it to keep Resample allocation-free.
func (r *Resampler) MaxOutput(n int) int {
	return int((int64(n)*int64(r.l)+int64(r.m)-1)/int64(r.m)) + 1
}

// Reset forgets the history, as if the stream started again with silence.
func (r *Resampler) Reset() {
	r.buf = r.buf[:r.taps-1]
	clear(r.buf)
	r.pos = r.taps - 1
	r.phase = 0
}

// Resample appends to dst the output for src and returns the extended
// slice. It does not allocate when dst has MaxOutput(len(src)) spare room.
func (r *Resampler) Resample(dst, src PCM16) PCM16 {
	for len(src) > 0 {
		n := min(len(src), resampleChunk)
		base := len(r.buf)
		r.buf = r.buf[:base+n]
		in := r.buf[base:]
		for i, s := range src[:n] {
			in[i] = float32(s)
		}
		src = src[n:]
		dst = r.drain(dst)
		r.compact()
	}
	return dst
}

// Flush appends the output still held in the filter (the last Delay of the
// input, followed by silence) and resets the Resampler.
func (r *Resampler) Flush(dst PCM16) PCM16 {
	var zeros [64]int16
	for left := r.taps / 2; left > 0; left -= len(zeros) {
		dst = r.Resample(dst, zeros[:min(left, len(zeros))])
	}
	r.Reset()
	return dst
}

// drain computes every output whose input is staged.
func (r *Resampler) drain(dst PCM16) PCM16 {
	avail := len(r.buf) - r.pos
	if avail <= 0 {
		return dst
	}
	count := int((int64(avail)*int64(r.l) - int64(r.phase) + int64(r.m) - 1) / int64(r.m))
	n := len(dst)
	dst = growPCM(dst, count)
	out := dst[n : n+count]
	if r.exact {
		r.runExact(out)
	} else {
		r.runInterpolated(out)
	}
	return dst
}

func (r *Resampler) runExact(out PCM16) {
	k, pos, phase := r.taps, r.pos, r.phase
	buf, coef, delta := r.buf, r.coef, r.delta
	for i := range out {
		win := buf[pos+1-k : pos+1]
		var v float32
		if d := delta[phase]; d >= 0 {
			v = win[d]
		} else {
			v = dot(win, coef[phase*k:phase*k+k])
		}
		out[i] = toInt16(v)
		pos += r.step
		phase += r.stepRem
		if phase >= r.l {
			phase -= r.l
			pos++
		}
	}
	r.pos, r.phase = pos, phase
}

func (r *Resampler) runInterpolated(out PCM16) {
	k, pos, phase := r.taps, r.pos, r.phase
	buf, coef := r.buf, r.coef
	for i := range out {
		win := buf[pos+1-k : pos+1]
		x := float64(phase) * r.scale
		q := int(x)
		a := float32(x - float64(q))
		v0 := dot(win, coef[q*k:q*k+k])
		v1 := dot(win, coef[(q+1)*k:(q+2)*k])
		out[i] = toInt16(v0 + a*(v1-v0))
		pos += r.step
		phase += r.stepRem
		if phase >= r.l {
			phase -= r.l
			pos++
		}
	}
	r.pos, r.phase = pos, phase
}

// compact drops input that no future output needs.
func (r *Resampler) compact() {
	drop := r.pos - (r.taps - 1)
	if drop <= 0 {
		return
	}
	drop = min(drop, len(r.buf))
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.pos -= drop
}

// dot returns the inner product of x and h[:len(x)]; len(x) is a multiple of 4.
func dot(x, h []float32) float32 {
	h = h[:len(x)]
	var s0, s1, s2, s3 float32
	for i := 0; i+3 < len(x); i += 4 {
		xx, hh := x[i:i+4:i+4], h[i:i+4:i+4]
		s0 += xx[0] * hh[0]
		s1 += xx[1] * hh[1]
		s2 += xx[2] * hh[2]
		s3 += xx[3] * hh[3]
	}
	return (s0 + s1) + (s2 + s3)
}

// toInt16 rounds v to the nearest sample value, saturating.
func toInt16(v float32) int16 {
	f := float64(v)
	if f >= math.MaxInt16 {
		return math.MaxInt16
	}
	if f <= math.MinInt16 {
		return math.MinInt16
	}
	return int16(int32(f+32768.5) - 32768)
}

var _ Writer = (*resampleWriter)(nil)

// resampleWriter is the Writer NewResampleWriter returns.
type resampleWriter struct {
	r    *Resampler
	next Writer
	buf  PCM16
}

// NewResampleWriter returns a Writer that accepts samples at fromRate,
// resamples them to next.SampleRate() and writes them to next. When the
// rates are equal it returns next itself. The returned Writer reuses one
// buffer, so it allocates only when a write is larger than any before it.
func NewResampleWriter(next Writer, fromRate int) (Writer, error) {
	if next == nil {
		return nil, errors.New("audio: resample writer needs a next writer")
	}
	to := next.SampleRate()
	if fromRate == to && to > 0 {
		return next, nil
	}
	r, err := NewResampler(fromRate, to)
	if err != nil {
		return nil, err
	}
	buf := make(PCM16, 0, r.MaxOutput(SamplesPerFrame(fromRate)))
	return &resampleWriter{r: r, next: next, buf: buf}, nil
}

// SampleRate returns the rate the writer accepts.
func (w *resampleWriter) SampleRate() int { return w.r.from }

// WriteSample resamples s and passes the result on; it writes nothing to
// next when s yields no output sample yet.
func (w *resampleWriter) WriteSample(s PCM16) error {
	w.buf = w.r.Resample(w.buf[:0], s)
	if len(w.buf) == 0 {
		return nil
	}
	return w.next.WriteSample(w.buf)
}
