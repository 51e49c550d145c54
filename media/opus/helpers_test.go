package opus

import (
	"bufio"
	"math"
	"math/cmplx"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// tool returns the path of an opus-tools program or skips the test.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install opus-tools)", name)
	}
	return p
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// readRanges parses the file of opusdec --save-range: the last field of
// each line is the range decoder's final state for one packet.
func readRanges(t *testing.T, path string) []uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []uint32
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(strings.TrimSpace(sc.Text()), "]")
		i := strings.LastIndexAny(line, ", ")
		v, err := strconv.ParseUint(strings.TrimSpace(line[i+1:]), 10, 32)
		if err != nil {
			t.Fatalf("range line %q: %v", sc.Text(), err)
		}
		out = append(out, uint32(v))
	}
	return out
}

func readWAVFile(t *testing.T, path string) (audio.PCM16, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, rate, err := audio.ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	return pcm, rate
}

func writeWAVFile(t *testing.T, path string, pcm audio.PCM16, rate int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteWAV(f, pcm, rate); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// signal is a named deterministic test input.
type signal struct {
	name string
	gen  func(rate int, n int) audio.PCM16
}

var signals = []signal{
	{"tone440", func(rate, n int) audio.PCM16 {
		s := make(audio.PCM16, n)
		audio.NewToneGenerator(rate, 0.3, 440).Read(s)
		return s
	}},
	{"speechlike", func(rate, n int) audio.PCM16 {
		s := make(audio.PCM16, n)
		audio.NewSpeechLikeGenerator(rate, -20, 7).Read(s)
		return s
	}},
}

// lag returns the shift (in samples, within ±maxLag) that best aligns got
// with want: got[i+lag] ≈ want[i].
func lag(want, got audio.PCM16, maxLag int) int {
	best, bestV := 0, math.Inf(-1)
	n := min(len(want), len(got)) - 2*maxLag
	for l := -maxLag; l <= maxLag; l++ {
		var v float64
		for i := maxLag; i < n; i++ {
			v += float64(want[i]) * float64(got[i+l])
		}
		if v > bestV {
			best, bestV = l, v
		}
	}
	return best
}

// snrDB returns the signal-to-difference ratio of got against want.
func snrDB(want, got audio.PCM16) float64 {
	var s, d float64
	for i := range min(len(want), len(got)) {
		w := float64(want[i])
		s += w * w
		e := w - float64(got[i])
		d += e * e
	}
	if d == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(s/d)
}

// bandsDB returns the mean power, in dB, of s in each band [edges[i],
// edges[i+1]) Hz, from averaged 512-point FFT blocks with a Hann window.
func bandsDB(s audio.PCM16, rate int, edges []float64) []float64 {
	const n = 512
	pow := make([]float64, n/2)
	buf := make([]complex128, n)
	for off := 0; off+n <= len(s); off += n / 2 {
		for i := range n {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/n)
			buf[i] = complex(w*float64(s[off+i])/32768, 0)
		}
		fft(buf)
		for k := range pow {
			a := cmplx.Abs(buf[k])
			pow[k] += a * a
		}
	}
	out := make([]float64, len(edges)-1)
	for b := range out {
		var p float64
		for k := range pow {
			f := float64(k) * float64(rate) / n
			if f >= edges[b] && f < edges[b+1] {
				p += pow[k]
			}
		}
		out[b] = 10 * math.Log10(p+1e-20)
	}
	return out
}

// fft is an in-place radix-2 FFT; len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j |= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], x[start+k+size/2]*wk
				x[start+k], x[start+k+size/2] = a+b, a-b
				wk *= w
			}
		}
	}
}

// encodeAll encodes pcm (a whole number of frames) and returns the packets
// with the encoder's final range after each.
func encodeAll(t testing.TB, enc *Encoder, pcm audio.PCM16) ([][]byte, []uint32) {
	t.Helper()
	var pkts [][]byte
	var rngs []uint32
	n := enc.FrameSamples()
	for off := 0; off+n <= len(pcm); off += n {
		p, err := enc.Encode(nil, pcm[off:off+n])
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			t.Fatalf("frame %d: empty packet", off/n)
		}
		pkts = append(pkts, p)
		rngs = append(rngs, enc.FinalRange())
	}
	return pkts, rngs
}
