package resilient

import (
	"slices"
	"testing"
)

// seq returns n samples counting up from first.
func seq(first, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(first + i)
	}
	return out
}

func TestRing(t *testing.T) {
	tests := []struct {
		name       string
		limit      int
		writes     []int // lengths, written as one counting sequence
		trim       int64
		start, end int64
		evicted    int64
	}{
		{"empty", 10, nil, 0, 0, 0, 0},
		{"within", 10, []int{4, 3}, 0, 0, 7, 0},
		{"wraps and evicts", 10, []int{6, 6}, 0, 2, 12, 2},
		{"one write over the limit", 4, []int{9}, 0, 5, 9, 5},
		{"trim", 10, []int{8}, 5, 5, 8, 0},
		{"trim past the end", 10, []int{8}, 20, 8, 8, 0},
		{"grows past ringStart", ringStart * 3, []int{ringStart, ringStart, 5}, 0, 0, 2*ringStart + 5, 0},
		{"grows to the limit then evicts", ringStart + 7, []int{ringStart, 20}, 0, 13, ringStart + 20, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRing(tt.limit)
			n := 0
			for _, w := range tt.writes {
				r.write(seq(n, w))
				n += w
			}
			r.trim(tt.trim)
			if r.start != tt.start || r.end != tt.end || r.evicted != tt.evicted {
				t.Fatalf("start %d end %d evicted %d, want %d %d %d", r.start, r.end, r.evicted, tt.start, tt.end, tt.evicted)
			}
			got := make([]int16, r.size()+3)
			got = got[:r.read(r.start, got)]
			if want := seq(int(r.start), int(r.size())); !slices.Equal(got, want) {
				t.Errorf("read %v…, want %v…", got[:min(5, len(got))], want[:min(5, len(want))])
			}
			if r.read(r.start-3, got[:1]) != min(1, int(r.size())) || len(got) > 0 && got[0] != int16(r.start) {
				t.Error("a read before start does not start at start")
			}
		})
	}
}

// FuzzRing checks the ring against a plain slice under any sequence of
// writes, trims and reads.
func FuzzRing(f *testing.F) {
	f.Add(uint16(7), []byte{5, 200, 3, 9, 130, 4})
	f.Add(uint16(1), []byte{0, 0, 255})
	f.Add(uint16(40000), []byte{255, 255, 255, 255, 128})
	f.Fuzz(func(t *testing.T, limit uint16, ops []byte) {
		r := newRing(int(limit))
		var all []int16
		start := int64(0)
		for _, op := range ops {
			switch n := int(op & 0x7f); {
			case op&0x80 == 0: // write n*37 samples
				p := seq(len(all), n*37)
				r.write(p)
				all = append(all, p...)
				start = max(start, int64(len(all))-max(int64(limit), 1))
			default: // trim n% (up to 127%) of the way from start to end
				pos := start + (int64(len(all))-start)*int64(n)/100
				r.trim(pos)
				start = max(start, min(pos, int64(len(all))))
			}
			if r.start != start || r.end != int64(len(all)) {
				t.Fatalf("start %d end %d, want %d %d", r.start, r.end, start, len(all))
			}
			got := make([]int16, r.size())
			if n := r.read(r.start, got); n != len(got) || !slices.Equal(got, all[start:]) {
				t.Fatalf("read %d samples, differs from the model", n)
			}
		}
	})
}

// TestRingRecycled: a ring on a recycled buffer full of stale samples reads
// back only what it was given, across growth and wrap-around, and the
// grown ring keeps every sample at its position.
func TestRingRecycled(t *testing.T) {
	for range 3 { // poison the pools' buffers
		for k := range 3 {
			b := make([]int16, ringStart<<k)
			for i := range b {
				b[i] = -1
			}
			putRingBuf(b)
		}
	}
	r := newRing(ringStart * 4)
	n := 0
	for _, w := range []int{ringStart - 100, 300, ringStart, 2 * ringStart, 7} {
		r.write(seq(n, w))
		n += w
		r.trim(int64(n) - int64(w)/2) // keep the start moving so the data wraps
		got := make([]int16, r.size())
		if k := r.read(r.start, got); k != len(got) || !slices.Equal(got, seq(int(r.start), len(got))) {
			t.Fatalf("after %d samples: read %d, differs from what was written", n, k)
		}
	}
	r.release()
	if r.size() != 0 || r.read(0, make([]int16, 4)) != 0 {
		t.Fatal("a released ring still holds audio")
	}
	again := newRing(ringStart * 4)
	again.write(seq(5, 50))
	got := make([]int16, 60)
	if k := again.read(0, got); k != 50 || !slices.Equal(got[:k], seq(5, 50)) {
		t.Fatalf("a recycled ring read %d samples %v…", k, got[:min(k, 5)])
	}
}

// BenchmarkRingTurn is one caller turn's replay buffer: 3 s of 20 ms frames
// at 16 kHz into a fresh ring (30 s limit), then released.
func BenchmarkRingTurn(b *testing.B) {
	frame := seq(0, 320)
	b.ReportAllocs()
	for b.Loop() {
		r := newRing(30 * 16000)
		for range 150 {
			r.write(frame)
		}
		r.release()
	}
}

// TestWriteSampleWakesEveryPokeEvery: the owner is woken once per 60 ms of
// audio written, not per 20 ms frame; CloseSend wakes it at once.
func TestWriteSampleWakesEveryPokeEvery(t *testing.T) {
	s := &Stream{rate: 8000, kick: make(chan struct{}, 1), ring: newRing(1 << 16)}
	frame := seq(0, 160)
	for i := 1; i <= 6; i++ {
		if err := s.WriteSample(frame); err != nil {
			t.Fatal(err)
		}
		woken := len(s.kick) == 1
		if want := i%3 == 0; woken != want {
			t.Fatalf("after frame %d: woken %v, want %v", i, woken, want)
		}
		if woken {
			<-s.kick
		}
	}
	_ = s.WriteSample(frame)
	if err := s.CloseSend(); err != nil || len(s.kick) != 1 {
		t.Fatalf("CloseSend after one frame: woken %v (%v)", len(s.kick) == 1, err)
	}
}
