package synthetic

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// footprint opens n streams, writes frames to each and reports the heap
// bytes and goroutines each live stream costs. The streams are returned
// open.
func footprint(tb testing.TB, r *Recognizer, n int, frames []audio.PCM16) (streams []asr.Stream, bytes, goroutines float64) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	streams = make([]asr.Stream, n)
	for i := range streams {
		st, err := r.NewStream(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		write(tb, st, frames)
		streams[i] = st
	}
	g1 := runtime.NumGoroutine()
	runtime.GC()
	runtime.ReadMemStats(&after)
	bytes = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n) - 8 // the slice slot
	return streams, bytes, float64(g1-g0) / float64(n)
}

// TestThousandStreams holds 1,000 streams open, then ends them all at once
// and checks every final arrives on time without a goroutine per stream.
func TestThousandStreams(t *testing.T) {
	checkGoroutines(t)
	const n, lat = 1000, 200 * time.Millisecond
	r := newRecognizer(t, func(c *Config) { c.Latency = lat; c.PartialEvery = 100 * time.Millisecond })
	streams, bytes, gor := footprint(t, r, n, speech(300*time.Millisecond, 16000, 1))
	t.Logf("%d streams: %.0f heap bytes and %.3f goroutines per stream", n, bytes, gor)
	if gor != 0 {
		t.Errorf("%.3f goroutines per open stream, want 0", gor)
	}
	if !raceEnabled && bytes > 3000 {
		t.Errorf("%.0f bytes per stream, want at most 3000", bytes)
	}
	g0 := runtime.NumGoroutine()
	t0 := time.Now()
	for _, st := range streams {
		st.CloseSend()
	}
	waiting := runtime.NumGoroutine() - g0
	var late time.Duration
	for i, st := range streams {
		got := finals(collect(t, st, 5*time.Second))
		if len(got) != 1 {
			t.Fatalf("stream %d: finals %v", i, got)
		}
		late = max(late, time.Since(t0))
		st.Close()
	}
	t.Logf("%d finals due %v after CloseSend, last read %v after; %d goroutines while waiting", n, lat, late, waiting)
	if waiting > 10 {
		t.Errorf("%d goroutines while %d finals are due", waiting, n)
	}
	if late < lat || late > lat+time.Second {
		t.Errorf("last final %v after CloseSend, want about %v", late, lat)
	}
	if s := r.Stats(); s.Finals != n || s.Partials != 3*n || s.Active != 0 {
		t.Errorf("stats %+v", s)
	}
}

// BenchmarkWriteSample writes one 20 ms frame at 16 kHz: "speech" once the
// utterance has enough speech (energy only), "undecided" while the DTMF
// filters still run (the first MinVoiced of speech of every utterance),
// "quiet" for silence before it (the filters are skipped).
func BenchmarkWriteSample(b *testing.B) {
	for _, tc := range []struct {
		name      string
		minVoiced int64 // samples
		frames    []audio.PCM16
	}{
		{"speech", 320, speech(time.Second, 16000, 1)},
		{"undecided", 1 << 62, speech(time.Second, 16000, 1)},
		{"quiet", 1 << 62, noise(time.Second, 16000, -60)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := newRecognizer(b, func(c *Config) { c.PartialEvery = time.Minute })
			r.minVoiced = tc.minVoiced
			st := r.Open(context.Background())
			defer st.Close()
			fs := tc.frames
			write(b, st, fs)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := st.WriteSample(fs[i%len(fs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStreams opens 1,000 streams with 300 ms of speech each and
// reports the heap bytes and goroutines one open stream costs.
func BenchmarkStreams(b *testing.B) {
	const n = 1000
	r := newRecognizer(b, nil)
	fs := speech(300*time.Millisecond, 16000, 1)
	b.ReportAllocs()
	var bytes, gor float64
	for range b.N {
		streams, by, g := footprint(b, r, n, fs)
		bytes, gor = by, g
		for _, st := range streams {
			st.Close()
		}
	}
	b.ReportMetric(bytes, "B/stream")
	b.ReportMetric(gor, "goroutines/stream")
}
