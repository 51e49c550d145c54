package audio

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var testRates = []int{8000, 16000, 22050, 24000, 44100, 48000}

func mustResampler(t testing.TB, from, to int) *Resampler {
	t.Helper()
	r, err := NewResampler(from, to)
	if err != nil {
		t.Fatalf("NewResampler(%d, %d): %v", from, to, err)
	}
	return r
}

func TestNewResamplerRejectsBadRates(t *testing.T) {
	for _, tc := range [][2]int{{0, 8000}, {8000, 0}, {-8000, 16000}, {16000, -1}, {MaxRate + 1, 8000}, {8000, MaxRate + 1}} {
		if r, err := NewResampler(tc[0], tc[1]); !errors.Is(err, ErrRate) || r != nil {
			t.Errorf("NewResampler(%d, %d) = %v, %v; want ErrRate", tc[0], tc[1], r, err)
		}
	}
}

// TestResampleToneAllPairs sends a 1 kHz tone through every pair of rates
// (and a pair without a small common ratio) and checks the output length,
// level and purity.
func TestResampleToneAllPairs(t *testing.T) {
	pairs := [][2]int{{8000, 7999}, {7999, 16000}, {8000, 8000}}
	for _, from := range testRates {
		for _, to := range testRates {
			if from != to {
				pairs = append(pairs, [2]int{from, to})
			}
		}
	}
	for _, p := range pairs {
		from, to := p[0], p[1]
		t.Run(fmt.Sprintf("%dto%d", from, to), func(t *testing.T) {
			t.Parallel()
			r := mustResampler(t, from, to)
			in := sine(from/2, from, 1000, 0.5) // 500 ms
			out := r.Resample(nil, in)
			want := float64(len(in)) * float64(to) / float64(from)
			if math.Abs(float64(len(out))-want) > 1 {
				t.Fatalf("got %d samples, want %.1f", len(out), want)
			}
			skip := int(2*r.Delay().Seconds()*float64(to)) + 1
			amp, sinad := sineFit(out[skip:], to, 1000)
			if g := db(amp / 0.5); math.Abs(g) > 0.05 {
				t.Errorf("gain %.3f dB, want 0 ± 0.05", g)
			}
			if sinad < 70 {
				t.Errorf("SINAD %.1f dB, want >= 70", sinad)
			}
		})
	}
}

// TestResampleFrequencyResponse checks the anti-aliasing filter: passband
// tones keep their level, tones above the output Nyquist frequency vanish
// instead of folding back.
func TestResampleFrequencyResponse(t *testing.T) {
	tests := []struct {
		from, to  int
		freq      float64
		minDB     float64 // output level relative to input
		maxDB     float64
		aliasFreq float64 // where the tone would land if aliased
	}{
		{48000, 8000, 3400, -1, 1, 3400},
		{48000, 8000, 300, -0.1, 0.1, 300},
		{16000, 8000, 3400, -1, 1, 3400},
		{16000, 8000, 6000, math.Inf(-1), -30, 2000},
		{16000, 8000, 4700, math.Inf(-1), -30, 3300},
		{48000, 8000, 10000, math.Inf(-1), -60, 2000},
		{22050, 8000, 3400, -1, 1, 3400},
		{22050, 8000, 5000, math.Inf(-1), -40, 3000},
		{44100, 16000, 7000, -1, 1, 7000},
		{44100, 16000, 10000, math.Inf(-1), -40, 6000},
		{24000, 8000, 9000, math.Inf(-1), -60, 1000},
		{8000, 16000, 3400, -1, 1, 3400},
		{8000, 16000, 3000, math.Inf(-1), -50, 5000}, // the image of 3 kHz at 5 kHz
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%dto%d_%gHz", tc.from, tc.to, tc.freq)
		t.Run(name, func(t *testing.T) {
			r := mustResampler(t, tc.from, tc.to)
			out := r.Resample(nil, sine(tc.from/2, tc.from, tc.freq, 0.5))
			skip := int(2*r.Delay().Seconds()*float64(tc.to)) + 1
			amp, _ := sineFit(out[skip:], tc.to, tc.aliasFreq)
			level := db(max(amp, 1e-12) / 0.5)
			if level < tc.minDB || level > tc.maxDB {
				t.Errorf("level at %g Hz = %.2f dB, want %g..%g", tc.aliasFreq, level, tc.minDB, tc.maxDB)
			}
		})
	}
}

// TestResampleChunking feeds the same signal whole and in chunks of
// different sizes; the outputs must agree (the resampler is exact across
// calls, so they agree to the bit).
func TestResampleChunking(t *testing.T) {
	pairs := [][2]int{{8000, 16000}, {16000, 8000}, {22050, 8000}, {48000, 8000}, {8000, 44100}, {44100, 48000}, {8000, 7999}}
	chunkings := map[string][]int{"160": {160}, "320": {320}, "7": {7}, "mixed": {1, 159, 441, 2, 960}, "random": nil}
	for _, p := range pairs {
		in := mix(speech(p[0], p[0], -20, 3), noise(p[0], -45, 4))
		whole := mustResampler(t, p[0], p[1]).Resample(nil, in)
		for name, sizes := range chunkings {
			t.Run(fmt.Sprintf("%dto%d_%s", p[0], p[1], name), func(t *testing.T) {
				r := mustResampler(t, p[0], p[1])
				rng := rand.New(rand.NewPCG(5, 6))
				var got PCM16
				rest := in
				for _, n := range randomChunks(len(in), rng, sizes...) {
					before := len(got)
					got = r.Resample(got, rest[:n])
					if added := len(got) - before; added > r.MaxOutput(n) {
						t.Fatalf("%d samples in gave %d out, MaxOutput says %d", n, added, r.MaxOutput(n))
					}
					rest = rest[n:]
				}
				if len(got) != len(whole) {
					t.Fatalf("chunked output has %d samples, whole %d", len(got), len(whole))
				}
				for i := range got {
					if d := int(got[i]) - int(whole[i]); d > 1 || d < -1 {
						t.Fatalf("sample %d: chunked %d, whole %d", i, got[i], whole[i])
					}
				}
			})
		}
	}
}

func TestResampleResetAndFlush(t *testing.T) {
	r := mustResampler(t, 8000, 16000)
	in := speech(800, 8000, -20, 9)
	first := r.Resample(nil, in)
	r.Reset()
	second := r.Resample(nil, in)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Fatal("output after Reset differs from a fresh Resampler")
	}
	// A constant signal: without Flush the output stops Delay short of the
	// input's end; Flush emits the rest, up to the output centred on the
	// last input sample, which sits on the falling edge (about half level).
	r = mustResampler(t, 22050, 8000)
	dc := make(PCM16, 2205)
	for i := range dc {
		dc[i] = 10000
	}
	out := r.Resample(nil, dc)
	if len(out) != 800 {
		t.Fatalf("100 ms at 22050 Hz gave %d samples at 8 kHz, want 800", len(out))
	}
	if v := out[799]; v < 9990 || v > 10010 {
		t.Errorf("last unflushed sample %d, want about 10000", v)
	}
	out = r.Flush(out)
	c := float64(r.taps / 2)
	end := int((float64(len(dc)-1) + c) * 8000 / 22050)
	if len(out) < end+1 {
		t.Fatalf("flushed output %d samples, want >= %d", len(out), end+1)
	}
	for i, v := range out[800 : end+1] {
		if v < 2000 || v > 11000 {
			t.Fatalf("flushed sample %d = %d, want the tail of the constant", 800+i, v)
		}
	}
	if r.pos != r.taps-1 || r.phase != 0 {
		t.Error("Flush did not reset the resampler")
	}
}

func TestResampleDelay(t *testing.T) {
	for _, p := range [][2]int{{8000, 16000}, {48000, 8000}, {22050, 8000}} {
		r := mustResampler(t, p[0], p[1])
		in := make(PCM16, p[0]/10)
		in[0] = 20000
		out := r.Resample(nil, in)
		peak := 0
		for i, v := range out {
			if v > out[peak] {
				peak = i
			}
		}
		want := r.Delay().Seconds() * float64(p[1])
		if math.Abs(float64(peak)-want) > 1 {
			t.Errorf("%d->%d: impulse peak at output %d, Delay says %.1f", p[0], p[1], peak, want)
		}
		if r.Delay() > 3*time.Millisecond {
			t.Errorf("%d->%d: delay %v longer than 3 ms", p[0], p[1], r.Delay())
		}
	}
}

func TestResampleNoAllocs(t *testing.T) {
	for _, p := range [][2]int{{8000, 16000}, {16000, 8000}, {22050, 8000}, {8000, 7999}} {
		r := mustResampler(t, p[0], p[1])
		in := speechFrame(p[0])
		dst := make(PCM16, 0, r.MaxOutput(len(in)))
		if n := testing.AllocsPerRun(50, func() { dst = r.Resample(dst[:0], in) }); n != 0 {
			t.Errorf("%d->%d: %.1f allocs per frame", p[0], p[1], n)
		}
	}
}

func TestResampleWriter(t *testing.T) {
	var got []int
	var total int
	sink := WriterFunc{Rate: 16000, Fn: func(s PCM16) error {
		got = append(got, len(s))
		total += len(s)
		return nil
	}}
	if w, err := NewResampleWriter(sink, 16000); err != nil || w.SampleRate() != 16000 {
		t.Fatalf("equal rates: %v, %v", w, err)
	} else if _, ok := w.(WriterFunc); !ok {
		t.Errorf("equal rates should pass through, got %T", w)
	}
	w, err := NewResampleWriter(sink, 8000)
	if err != nil || w.SampleRate() != 8000 {
		t.Fatalf("NewResampleWriter: %v, %v", w, err)
	}
	frame := speechFrame(8000)
	for range 10 {
		if err := w.WriteSample(frame); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range got {
		if n != 320 {
			t.Fatalf("write %d passed %d samples, want 320", i, n)
		}
	}
	if n := testing.AllocsPerRun(50, func() { _ = w.WriteSample(frame) }); n != 0 {
		t.Errorf("WriteSample allocates %.1f times per frame", n)
	}
	boom := errors.New("boom")
	w, _ = NewResampleWriter(WriterFunc{Rate: 8000, Fn: func(PCM16) error { return boom }}, 48000)
	if err := w.WriteSample(make(PCM16, 960)); !errors.Is(err, boom) {
		t.Errorf("next error not returned: %v", err)
	}
	if _, err := NewResampleWriter(nil, 8000); err == nil {
		t.Error("nil next accepted")
	}
	if _, err := NewResampleWriter(Discard(8000), 0); !errors.Is(err, ErrRate) {
		t.Errorf("rate 0: %v", err)
	}
	if _, err := NewResampleWriter(Discard(0), 0); !errors.Is(err, ErrRate) {
		t.Errorf("rates 0 to 0: %v", err)
	}
}

func benchmarkResample(b *testing.B, from, to int) {
	r := mustResampler(b, from, to)
	in := speechFrame(from)
	dst := make(PCM16, 0, r.MaxOutput(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = r.Resample(dst[:0], in)
	}
}

func BenchmarkResample8to16Frame(b *testing.B)        { benchmarkResample(b, 8000, 16000) }
func BenchmarkResample16to8Frame(b *testing.B)        { benchmarkResample(b, 16000, 8000) }
func BenchmarkResample22050to8000Frame(b *testing.B)  { benchmarkResample(b, 22050, 8000) }
func BenchmarkResample22050to16000Frame(b *testing.B) { benchmarkResample(b, 22050, 16000) }
func BenchmarkResample48to8Frame(b *testing.B)        { benchmarkResample(b, 48000, 8000) }
func BenchmarkResample8to48Frame(b *testing.B)        { benchmarkResample(b, 8000, 48000) }
func BenchmarkResample8000to7999Frame(b *testing.B)   { benchmarkResample(b, 8000, 7999) }
