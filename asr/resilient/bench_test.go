package resilient

import (
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// BenchmarkWriteSample is the caller's hot path: one 20 ms frame into the
// ring and a wake-up of the owner.
func BenchmarkWriteSample(b *testing.B) {
	srv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Script: asrtest.Scripted("我想查户口结余")})
	defer srv.Close()
	s, err := New(sherpaRec(b, srv), testConfig(), nil, nil).NewStream(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	go func() {
		for range s.Results() {
		}
	}()
	frame := speech(utts[:1], 0)[:audio.SamplesPerFrame(rate)]
	b.ReportAllocs()
	for b.Loop() {
		if err := s.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCovered is the trim after a final, over 10 s of buffered audio.
func BenchmarkCovered(b *testing.B) {
	c := newCoverage(DefaultConfig(), rate)
	r := newRing(samples(30*time.Second, rate))
	pcm := speech(utts, 0)
	for r.end < int64(at(10*time.Second)) {
		r.write(pcm)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.covered(&r, r.end, 0, 0)
	}
}

// BenchmarkRecovery measures a cut mid-utterance: from the server dropping
// the socket to the first result from the replacement stream (ms/recovery).
func BenchmarkRecovery(b *testing.B) {
	pcm := speech(utts[:1], 0)
	var total time.Duration
	for b.Loop() {
		srv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Script: toneScript,
			Faults: asrtest.SherpaFaults{Cut: map[int]int{0: at(600 * time.Millisecond)}}})
		s, err := New(sherpaRec(b, srv), testConfig(), nil, nil).NewStream(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		s.WriteSample(pcm)
		var got time.Time
		for range s.Results() {
			if recs := srv.Streams(); len(recs) > 1 && time.Now().After(recs[1].Opened) {
				got = time.Now()
				total += got.Sub(recs[0].FaultAt)
				break
			}
		}
		s.Close()
		srv.Close()
		if got.IsZero() {
			b.Fatal("no result after the cut")
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/recovery")
}
