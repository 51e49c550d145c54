package audio

import (
	"errors"
	"math"
	"testing"
)

func TestToneGeneratorPhaseContinuous(t *testing.T) {
	whole := make(PCM16, 1000)
	NewToneGenerator(8000, 0.5, 440, 1250).Read(whole)
	g := NewToneGenerator(8000, 0.5, 440, 1250)
	var chunked PCM16
	for _, n := range []int{1, 7, 160, 320, 512} {
		buf := make(PCM16, n)
		g.Read(buf)
		chunked = append(chunked, buf...)
	}
	for i := range whole {
		if whole[i] != chunked[i] {
			t.Fatalf("sample %d: whole %d, chunked %d", i, whole[i], chunked[i])
		}
	}
	amp, sinad := sineFit(sine(8000, 8000, 1000, 0.25), 8000, 1000)
	if math.Abs(db(amp/0.25)) > 0.01 || sinad < 80 {
		t.Errorf("1 kHz at 0.25: amplitude %.4f, SINAD %.1f dB", amp, sinad)
	}
}

func TestGoertzel(t *testing.T) {
	s := sine(8000, 8000, 1000, 0.5)
	tests := []struct {
		name string
		s    PCM16
		freq float64
		want float64
		tol  float64
	}{
		{"on frequency", s, 1000, 0.125, 0.001},
		{"off frequency", s, 1100, 0, 1e-6},
		{"half-way bin", sine(8000, 8000, 1003.3, 0.5), 1003.3, 0.125, 0.001},
		{"empty", nil, 1000, 0, 0},
		{"silence", make(PCM16, 160), 1000, 0, 0},
	}
	for _, tc := range tests {
		if got := Goertzel(tc.s, 8000, tc.freq); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: Goertzel = %g, want %g ± %g", tc.name, got, tc.want, tc.tol)
		}
	}
	if Goertzel(s, 0, 1000) != 0 {
		t.Error("rate 0 should give 0")
	}
}

func TestFindTone(t *testing.T) {
	most := make(PCM16, 8000)
	copy(most, sine(6000, 8000, 1000, 0.3))
	quarter := make(PCM16, 8000)
	copy(quarter, sine(2000, 8000, 1000, 0.3))
	tests := []struct {
		name string
		s    PCM16
		freq float64
		want bool
	}{
		{"clean", sine(1600, 8000, 1000, 0.3), 1000, true},
		{"wrong frequency", sine(1600, 8000, 1000, 0.3), 1200, false},
		{"with noise at 10 dB SNR", mix(sine(1600, 8000, 1000, 0.3), noise(1600, -23.5, 1)), 1000, true},
		{"buried in noise", mix(sine(1600, 8000, 1000, 0.01), noise(1600, -20, 1)), 1000, false},
		{"three quarters present", most, 1000, true},
		{"quarter present", quarter, 1000, false},
		{"too quiet", sine(1600, 8000, 1000, 0.0005), 1000, false},
		{"speech", speech(8000, 8000, -20, 1), 1000, false},
		{"silence", make(PCM16, 1600), 1000, false},
	}
	for _, tc := range tests {
		if got := FindTone(tc.s, 8000, tc.freq); got != tc.want {
			t.Errorf("%s: FindTone = %v (ratio %.3f), want %v", tc.name, got, ToneRatio(tc.s, 8000, tc.freq), tc.want)
		}
	}
}

func TestDTMFFrequencies(t *testing.T) {
	tests := []struct {
		digit     rune
		low, high float64
		ok        bool
	}{
		{'1', 697, 1209, true}, {'5', 770, 1336, true}, {'9', 852, 1477, true},
		{'0', 941, 1336, true}, {'*', 941, 1209, true}, {'#', 941, 1477, true},
		{'A', 697, 1633, true}, {'d', 941, 1633, true},
		{'E', 0, 0, false}, {' ', 0, 0, false}, {'五', 0, 0, false},
	}
	for _, tc := range tests {
		low, high, ok := DTMFFrequencies(tc.digit)
		if low != tc.low || high != tc.high || ok != tc.ok {
			t.Errorf("DTMFFrequencies(%q) = %g, %g, %v", tc.digit, low, high, ok)
		}
	}
}

func TestGenerateDTMF(t *testing.T) {
	buf := make(PCM16, 800)
	out, err := GenerateDTMF(buf, 8000, '6', 0.1)
	if err != nil || len(out) != 800 {
		t.Fatalf("GenerateDTMF: %d samples, %v", len(out), err)
	}
	if r := ToneRatio(out, 8000, 770) + ToneRatio(out, 8000, 1477); r < 0.99 {
		t.Errorf("'6' holds %.3f of its power in 770+1477 Hz", r)
	}
	amp, _ := sineFit(out, 8000, 770)
	if math.Abs(db(amp/0.1)) > 0.1 {
		t.Errorf("row tone amplitude %.4f, want 0.1", amp)
	}
	if _, err := GenerateDTMF(buf, 8000, 'x', 0.1); !errors.Is(err, ErrDTMFDigit) {
		t.Errorf("bad digit: %v", err)
	}
	if _, err := GenerateDTMF(buf, 0, '1', 0.1); !errors.Is(err, ErrRate) {
		t.Errorf("bad rate: %v", err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = GenerateDTMF(buf, 8000, '1', 0.1) }); n != 0 {
		t.Errorf("GenerateDTMF allocates %.1f times", n)
	}
}
