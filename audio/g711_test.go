package audio

import (
	"math"
	"testing"
)

func TestULawKnownCodes(t *testing.T) {
	// Values from the G.711 µ-law tables (decoder output scaled to 16 bits).
	tests := []struct {
		code byte
		want int16
	}{
		{0xFF, 0},
		{0x7F, 0}, // negative zero
		{0x00, -32124},
		{0x80, 32124},
		{0xFE, 8},
		{0x7E, -8},
		{0xF0, 120},
		{0xEF, 132},
		{0xDF, 396},
		{0x8F, 16764},
		{0x0F, -16764},
		{0x8E, 17788},
	}
	for _, tc := range tests {
		if got := ULawDecode(tc.code); got != tc.want {
			t.Errorf("ULawDecode(%#02x) = %d, want %d", tc.code, got, tc.want)
		}
	}
	encodes := []struct {
		s    int16
		want byte
	}{
		{0, 0xFF},
		{-1, 0x7F},
		{32767, 0x80},
		{-32768, 0x00},
		{32124, 0x80},
		{-32124, 0x00},
		{8, 0xFE},
		{-8, 0x7E},
	}
	for _, tc := range encodes {
		if got := ULawEncode(tc.s); got != tc.want {
			t.Errorf("ULawEncode(%d) = %#02x, want %#02x", tc.s, got, tc.want)
		}
	}
}

func TestALawKnownCodes(t *testing.T) {
	tests := []struct {
		code byte
		want int16
	}{
		{0xD5, 8},
		{0x55, -8},
		{0xD4, 24},
		{0x54, -24},
		{0xAA, 32256},
		{0x2A, -32256},
		{0xC5, 264}, // segment 1 start (0x108)
	}
	for _, tc := range tests {
		if got := ALawDecode(tc.code); got != tc.want {
			t.Errorf("ALawDecode(%#02x) = %d, want %d", tc.code, got, tc.want)
		}
	}
	encodes := []struct {
		s    int16
		want byte
	}{
		{0, 0xD5},
		{-1, 0x55},
		{32767, 0xAA},
		{-32768, 0x2A},
	}
	for _, tc := range encodes {
		if got := ALawEncode(tc.s); got != tc.want {
			t.Errorf("ALawEncode(%d) = %#02x, want %#02x", tc.s, got, tc.want)
		}
	}
}

func TestG711CodeIdentity(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if got := ALawEncode(ALawDecode(b)); got != b {
			t.Errorf("A-law %#02x -> %d -> %#02x", b, ALawDecode(b), got)
		}
		want := b
		if b == 0x7F { // µ-law negative zero decodes to 0, which encodes as +0
			want = 0xFF
		}
		if got := ULawEncode(ULawDecode(b)); got != want {
			t.Errorf("µ-law %#02x -> %d -> %#02x, want %#02x", b, ULawDecode(b), got, want)
		}
	}
}

// TestG711RoundTripError checks every int16: the error is within half a
// quantisation step of the segment (plus the 2- or 3-bit truncation G.711
// applies before quantising) and clipping only above the top level.
func TestG711RoundTripError(t *testing.T) {
	codecs := []struct {
		name   string
		enc    func(int16) byte
		dec    func(byte) int16
		minGap int     // smallest step between levels
		rel    float64 // half step relative to magnitude, upper bound
		top    int     // largest magnitude level
	}{
		{"ulaw", ULawEncode, ULawDecode, 8, 1.0 / 16, 32124},
		{"alaw", ALawEncode, ALawDecode, 16, 1.0 / 32, 32256},
	}
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			maxErr, prev := 0, math.MinInt
			for v := math.MinInt16; v <= math.MaxInt16; v++ {
				d := int(c.dec(c.enc(int16(v))))
				if d < prev {
					t.Fatalf("not monotonic at %d: %d after %d", v, d, prev)
				}
				prev = d
				mag := v
				if mag < 0 {
					mag = -mag
				}
				if mag > c.top {
					if d != c.top && d != -c.top {
						t.Fatalf("%d above top decodes to %d", v, d)
					}
					continue
				}
				err := d - v
				if err < 0 {
					err = -err
				}
				bound := float64(c.minGap) + c.rel*float64(mag)
				if float64(err) > bound {
					t.Fatalf("%d -> %d: error %d > bound %.1f", v, d, err, bound)
				}
				maxErr = max(maxErr, err)
			}
			if maxErr > 1024 {
				t.Errorf("max error %d", maxErr)
			}
		})
	}
}

func TestG711SliceCodecs(t *testing.T) {
	src := PCM16{0, 1, -1, 1000, -1000, 32767, -32768, 12345}
	u := EncodeULaw([]byte{0xAB}, src)
	if len(u) != len(src)+1 || u[0] != 0xAB {
		t.Fatalf("EncodeULaw did not append: %x", u)
	}
	a := EncodeALaw(nil, src)
	du := DecodeULaw(PCM16{7}, u[1:])
	da := DecodeALaw(nil, a)
	if len(du) != len(src)+1 || du[0] != 7 || len(da) != len(src) {
		t.Fatalf("decode lengths %d %d", len(du), len(da))
	}
	for i, s := range src {
		if u[i+1] != ULawEncode(s) || a[i] != ALawEncode(s) {
			t.Errorf("sample %d: slice encode differs from scalar", i)
		}
		if du[i+1] != ULawDecode(u[i+1]) || da[i] != ALawDecode(a[i]) {
			t.Errorf("sample %d: slice decode differs from scalar", i)
		}
	}
	frame := make(PCM16, 160)
	buf := make([]byte, 0, 160)
	out := make(PCM16, 0, 160)
	allocs := testing.AllocsPerRun(100, func() {
		buf = EncodeULaw(buf[:0], frame)
		out = DecodeULaw(out[:0], buf)
		buf = EncodeALaw(buf[:0], frame)
		out = DecodeALaw(out[:0], buf)
	})
	if allocs != 0 {
		t.Errorf("G.711 slice codecs allocate %.1f times per frame", allocs)
	}
}

func BenchmarkDecodeULawFrame(b *testing.B) {
	src := EncodeULaw(nil, speechFrame(Rate8k))
	dst := make(PCM16, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		dst = DecodeULaw(dst[:0], src)
	}
}

func BenchmarkEncodeULawFrame(b *testing.B) {
	src := speechFrame(Rate8k)
	dst := make([]byte, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src) * 2))
	for b.Loop() {
		dst = EncodeULaw(dst[:0], src)
	}
}
