package synthetic

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// footprint starts n streams of text, reads one 20 ms frame from each and
// reports the heap bytes and goroutines one open stream costs. The streams
// are returned open.
func footprint(tb testing.TB, s *Synthesizer, n int, text string) (streams []tts.Stream, bytes, goroutines float64) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	streams = make([]tts.Stream, n)
	buf := make(audio.PCM16, audio.SamplesPerFrame(s.cfg.SampleRate))
	for i := range streams {
		st, err := s.Synthesize(context.Background(), text)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := st.Read(buf); err != nil {
			tb.Fatal(err)
		}
		streams[i] = st
	}
	g1 := runtime.NumGoroutine()
	runtime.GC()
	runtime.ReadMemStats(&after)
	bytes = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-int64(len(buf)*2))/float64(n) - 16 // the slice slot
	return streams, bytes, float64(g1-g0) / float64(n)
}

func TestThousandStreams(t *testing.T) {
	checkGoroutines(t)
	const n = 1000
	s := newSynth(t, func(c *Config) { c.Latency = 0 })
	streams, bytes, gor := footprint(t, s, n, "我哋嘅分行星期一至五朝早九點開門")
	t.Logf("%d streams: %.0f heap bytes and %.3f goroutines per stream", n, bytes, gor)
	if gor != 0 {
		t.Errorf("%.3f goroutines per open stream, want 0", gor)
	}
	if !raceEnabled && bytes > 1000 {
		t.Errorf("%.0f bytes per stream, want at most 1000", bytes)
	}
	for _, st := range streams {
		st.Close()
	}
}

// BenchmarkRead reads one 20 ms frame at 8 kHz.
func BenchmarkRead(b *testing.B) {
	s := newSynth(b, func(c *Config) { c.Latency = 0 })
	st := newStream(context.Background(), s.waves.get(8000), 8000, time.Hour, time.Now())
	buf := make(audio.PCM16, audio.SamplesPerFrame(8000))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if st.pos+len(buf) > st.total {
			st.pos = 0
		}
		if _, err := st.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreams starts 1,000 streams, reads a frame of each and reports
// the heap bytes and goroutines one open stream costs.
func BenchmarkStreams(b *testing.B) {
	const n = 1000
	s := newSynth(b, func(c *Config) { c.Latency = 0 })
	b.ReportAllocs()
	var bytes, gor float64
	for range b.N {
		streams, by, g := footprint(b, s, n, "我哋嘅分行星期一至五朝早九點開門")
		bytes, gor = by, g
		for _, st := range streams {
			st.Close()
		}
	}
	b.ReportMetric(bytes, "B/stream")
	b.ReportMetric(gor, "goroutines/stream")
}
