package audio

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// harmonic returns n samples of a voice-like harmonic series at f0 Hz
// (harmonics from first to 3.4 kHz, amplitude 1/k) scaled to levelDBFS RMS,
// with its fundamental gliding by glide (a fraction, over the whole signal).
func harmonic(n, rate int, f0, levelDBFS, glide float64, first int) PCM16 {
	x := make([]float64, n)
	phase, power := 0.0, 0.0
	for i := range x {
		f := f0 * (1 + glide*float64(i)/float64(n))
		phase += 2 * math.Pi * f / float64(rate)
		v := 0.0
		for k := first; float64(k)*f < min(3400, float64(rate)/2); k++ {
			v += math.Sin(float64(k)*phase) / float64(k)
		}
		x[i] = v
		power += v * v
	}
	gain := 32768 * math.Pow(10, levelDBFS/20) / math.Sqrt(power/float64(n))
	out := make(PCM16, n)
	for i, v := range x {
		out[i] = sat16(gain * v)
	}
	return out
}

// measure feeds s to a new meter in chunks of size (20 ms if 0).
func measure(s PCM16, rate, size int) Prosody {
	m := NewProsodyMeter(rate)
	if size == 0 {
		size = SamplesPerFrame(rate)
	}
	for i := 0; i < len(s); i += size {
		_ = m.Write(s[i:min(i+size, len(s))])
	}
	return m.Result()
}

func within(got, want, frac float64) bool { return math.Abs(got-want) <= frac*want }

func TestProsodyPitchAndLevel(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, tc := range []struct {
			f0, level float64
			first     int
		}{
			{120, -20, 1}, {220, -20, 1}, {85, -26, 1}, {300, -30, 1}, {420, -18, 1},
			{120, -24, 3}, // telephone band: no fundamental, no second harmonic
			{180, -40, 1},
		} {
			t.Run(fmt.Sprintf("%dHz_f0_%g_from_h%d_%gdBFS", rate, tc.f0, tc.first, tc.level), func(t *testing.T) {
				s := harmonic(rate, rate, tc.f0, tc.level, 0, tc.first)
				p := measure(s, rate, 0)
				if !within(p.PitchHz, tc.f0, 0.05) {
					t.Errorf("pitch %.1f Hz, want %g ±5%%", p.PitchHz, tc.f0)
				}
				if want := DBFS(s); math.Abs(p.LevelDBFS-want) > 1 {
					t.Errorf("level %.2f dBFS, want %.2f ±1", p.LevelDBFS, want)
				}
				if p.Frames != 50 || p.VoicedFrames < 48 || p.ShoutFrames != 0 || p.ClippedFrames != 0 {
					t.Errorf("frames %d voiced %d shout %d clipped %d, want 50, ≥48, 0, 0",
						p.Frames, p.VoicedFrames, p.ShoutFrames, p.ClippedFrames)
				}
				if p.Duration != time.Second || p.PitchSpreadHz > 0.03*tc.f0 {
					t.Errorf("duration %v spread %.1f Hz", p.Duration, p.PitchSpreadHz)
				}
			})
		}
	}
}

func TestProsodyUnvoiced(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    PCM16
	}{
		{"digital silence", make(PCM16, 8000)},
		{"line noise -60 dBFS", noise(8000, -60, 1)},
		{"white noise -25 dBFS", noise(8000, -25, 2)},
	} {
		p := measure(tc.s, 8000, 0)
		if p.VoicedFrames > 2 || (p.VoicedFrames == 0 && p.PitchHz != 0) {
			t.Errorf("%s: %d voiced frames, pitch %.1f", tc.name, p.VoicedFrames, p.PitchHz)
		}
	}
	p := measure(make(PCM16, 8000), 8000, 0)
	if p.LevelDBFS != SilenceDBFS || p.ActiveFrames != 0 {
		t.Errorf("silence: level %g active %d", p.LevelDBFS, p.ActiveFrames)
	}
}

func TestProsodyShoutAndClip(t *testing.T) {
	loud := harmonic(8000, 8000, 200, -8, 0, 1)
	p := measure(loud, 8000, 0)
	if p.ShoutFrames < 45 || p.ClippedFrames != 0 {
		t.Errorf("-8 dBFS: shout %d clipped %d", p.ShoutFrames, p.ClippedFrames)
	}
	clipped := harmonic(8000, 8000, 200, -8, 0, 1)
	for i := range clipped {
		clipped[i] = sat16(3 * float64(clipped[i]))
	}
	p = measure(clipped, 8000, 0)
	if p.ClippedFrames < 45 || p.ShoutFrames < 45 || !within(p.PitchHz, 200, 0.05) {
		t.Errorf("clipped: shout %d clipped %d pitch %.1f", p.ShoutFrames, p.ClippedFrames, p.PitchHz)
	}
	if p.PeakDBFS < -8 {
		t.Errorf("clipped: peak %.1f dBFS", p.PeakDBFS)
	}
}

// TestProsodyGlide checks the median and spread of a pitch rising from
// 150 to 250 Hz.
func TestProsodyGlide(t *testing.T) {
	s := harmonic(2*16000, 16000, 150, -20, 2.0/3, 1)
	p := measure(s, 16000, 0)
	if !within(p.PitchHz, 200, 0.05) {
		t.Errorf("median pitch %.1f, want about 200", p.PitchHz)
	}
	// Quartiles of a linear glide are at 175 and 225 Hz.
	if !within(p.PitchSpreadHz, 50, 0.15) {
		t.Errorf("spread %.1f Hz, want about 50", p.PitchSpreadHz)
	}
}

// TestProsodyChunking checks that frame size does not change the result,
// and that Reset forgets the previous utterance.
func TestProsodyChunking(t *testing.T) {
	s := concat(harmonic(8000, 16000, 140, -22, 0.3, 1), noise(4000, -45, 3))
	want := measure(s, 16000, 0)
	for _, size := range []int{1, 7, 160, 333, 1000} {
		if got := measure(s, 16000, size); got != want {
			t.Errorf("chunks of %d: %+v, want %+v", size, got, want)
		}
	}
	m := NewProsodyMeter(16000)
	_ = m.Write(harmonic(16000, 16000, 300, -10, 0, 1))
	m.Reset()
	for i := 0; i < len(s); i += 320 {
		_ = m.WriteSample(s[i:min(i+320, len(s))])
	}
	if got := m.Result(); got != want {
		t.Errorf("after Reset: %+v, want %+v", got, want)
	}
	if m.SampleRate() != 16000 {
		t.Errorf("SampleRate %d", m.SampleRate())
	}
}

func TestProsodyZeroAlloc(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		m := NewProsodyMeter(rate)
		f := speechFrame(rate)
		if n := testing.AllocsPerRun(200, func() { _ = m.Write(f) }); n != 0 {
			t.Errorf("%d Hz: %.1f allocations per frame", rate, n)
		}
	}
}

// TestProsodyEspeak measures real synthetic speech: the pitch agrees with a
// brute-force autocorrelation at the full rate, a higher espeak pitch
// setting reads higher, and 6 dB more gain reads 6 dB louder.
func TestProsodyEspeak(t *testing.T) {
	low := espeak(t, "30")
	high := espeak(t, "75")
	pl, ph := measure(low, 8000, 0), measure(high, 8000, 0)
	t.Logf("espeak -p30: %+v", pl)
	t.Logf("espeak -p75: %+v", ph)
	for _, c := range []struct {
		s PCM16
		p Prosody
	}{{low, pl}, {high, ph}} {
		ref := referencePitch(c.s, 8000)
		if !within(c.p.PitchHz, ref, 0.05) {
			t.Errorf("pitch %.1f Hz, reference %.1f Hz", c.p.PitchHz, ref)
		}
		if c.p.VoicedFrames < c.p.Frames/4 {
			t.Errorf("only %d of %d frames voiced", c.p.VoicedFrames, c.p.Frames)
		}
	}
	if ph.PitchHz < 1.2*pl.PitchHz {
		t.Errorf("higher voice %.1f Hz not 20%% above %.1f Hz", ph.PitchHz, pl.PitchHz)
	}
	louder := slices.Clone(low)
	for i := range louder {
		louder[i] = sat16(2 * float64(louder[i]))
	}
	pL := measure(louder, 8000, 0)
	if d := pL.LevelDBFS - pl.LevelDBFS; math.Abs(d-6.02) > 1 {
		t.Errorf("doubling the gain raised the level by %.2f dB", d)
	}
}

// espeak returns a Cantonese sentence spoken by espeak-ng at pitch setting
// p, at 8 kHz.
func espeak(t *testing.T, p string) PCM16 {
	t.Helper()
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Skip("espeak-ng not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-v", "yue", "-p", p, "--stdout",
		"我已經等咗成個鐘，你哋究竟幾時先幫我搞掂呀？").Output()
	if err != nil {
		t.Skipf("espeak-ng failed: %v", err)
	}
	pcm, rate, err := ReadWAV(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("ReadWAV: %v", err)
	}
	r := mustResampler(t, rate, 8000)
	return r.Resample(nil, pcm)
}

// referencePitch is a slow oracle: per 40 ms window at the full rate, the
// first autocorrelation peak within 0.9 of the best over 65-460 Hz, on
// windows above -40 dBFS whose peak is at least 0.7; the median of those.
func referencePitch(s PCM16, rate int) float64 {
	var f0s []float64
	w := rate * 40 / 1000
	for start := 0; start+2*w <= len(s); start += w / 2 {
		x := s[start : start+2*w]
		if DBFS(x[:w]) < -40 {
			continue
		}
		lo, hi := rate/460, rate/65+1
		c := make([]float64, hi+2)
		best := 0.0
		for t := lo; t <= hi+1; t++ {
			var xy, xx, yy float64
			for i := range w {
				a, b := float64(x[i]), float64(x[i+t])
				xy, xx, yy = xy+a*b, xx+a*a, yy+b*b
			}
			c[t] = xy / math.Sqrt(xx*yy+1)
			if t <= hi {
				best = max(best, c[t])
			}
		}
		if best < 0.7 {
			continue
		}
		for t := lo + 1; t <= hi; t++ {
			if c[t] >= 0.9*best && c[t] >= c[t-1] && c[t] >= c[t+1] {
				f0s = append(f0s, float64(rate)/float64(t))
				break
			}
		}
	}
	if len(f0s) == 0 {
		return 0
	}
	slices.Sort(f0s)
	return f0s[len(f0s)/2]
}

// FuzzProsodyMeter feeds arbitrary samples in arbitrary chunks: no panic,
// finite results, pitch in range or zero, counts consistent.
func FuzzProsodyMeter(f *testing.F) {
	f.Add([]byte{0, 0, 255, 127, 0, 128}, uint16(160), false)
	f.Add(bytes.Repeat([]byte{0, 64, 0, 192}, 400), uint16(7), true)
	f.Fuzz(func(t *testing.T, raw []byte, chunk uint16, wide bool) {
		rate := 8000
		if wide {
			rate = 16000
		}
		s := make(PCM16, len(raw)/2)
		for i := range s {
			s[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
		}
		p := measure(s, rate, int(chunk)%1000+1)
		finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
		if !finite(p.LevelDBFS) || !finite(p.PeakDBFS) || !finite(p.PitchHz) || !finite(p.PitchSpreadHz) {
			t.Fatalf("non-finite result %+v", p)
		}
		if p.PitchHz != 0 && (p.PitchHz < ProsodyMinPitchHz*0.9 || p.PitchHz > ProsodyMaxPitchHz*1.1) {
			t.Fatalf("pitch %g out of range", p.PitchHz)
		}
		if p.VoicedFrames > p.ActiveFrames || p.ActiveFrames > p.Frames || p.ShoutFrames > p.VoicedFrames || p.PitchSpreadHz < 0 {
			t.Fatalf("inconsistent counts %+v", p)
		}
	})
}

// BenchmarkProsodyMeter reports the cost of one voiced 20 ms frame.
func BenchmarkProsodyMeter(b *testing.B) {
	for _, rate := range []int{8000, 16000} {
		b.Run(fmt.Sprintf("%dHz", rate), func(b *testing.B) {
			s := harmonic(rate, rate, 160, -20, 0.2, 1)
			n := SamplesPerFrame(rate)
			m := NewProsodyMeter(rate)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				off := (i * n) % (len(s) - n + 1)
				_ = m.Write(s[off : off+n])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
		})
	}
}
