package webrtc

import (
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// stampWriter records each packet's header and when it was written.
type stampWriter struct {
	mu  sync.Mutex
	hdr []rtp.Header
	at  []time.Time
}

func (w *stampWriter) WriteRTP(p *rtp.Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hdr, w.at = append(w.hdr, p.Header), append(w.at, time.Now())
	return nil
}

func (w *stampWriter) wait(t *testing.T, n int) (rtp.Header, time.Time) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		w.mu.Lock()
		if len(w.hdr) >= n {
			h, at := w.hdr[n-1], w.at[n-1]
			w.mu.Unlock()
			return h, at
		}
		w.mu.Unlock()
	}
	t.Fatalf("packet %d not sent", n)
	return rtp.Header{}, time.Time{}
}

// TestKickKeepsClockTrue: audio after silence starts within a sub-period
// of the pacer, and the talkspurt's RTP timestamp still matches the wall
// time since the last packet (the clock is rewound by the Kick's shift).
func TestKickKeepsClockTrue(t *testing.T) {
	enc, err := newEncoder(CodecPCMU, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	w := &stampWriter{}
	s := newSender(&counters{}, time.Second)
	s.w, s.enc = w, enc
	p := rtpio.NewPacer(1)
	m := p.Add(s)
	defer p.Remove(m)
	frame := make(audio.PCM16, frameSamples)
	for i := range frame {
		frame[i] = int16(3000 * (i%32 - 16))
	}
	var waits time.Duration
	const talkspurts = 10
	for n := 1; n <= talkspurts; n++ {
		s.q.Push(frame)
		p.KickIfIdle(m, &s.idle)
		h1, at1 := w.wait(t, 2*n-1)
		s.q.Push(frame)
		w.wait(t, 2*n)
		time.Sleep(time.Duration(60+n*7) * time.Millisecond) // idle: the next push kicks
		s.q.Push(frame)
		pushed := time.Now()
		p.KickIfIdle(m, &s.idle)
		h2, at2 := w.wait(t, 2*n+1)
		waits += at2.Sub(pushed)
		clock := time.Duration(h2.Timestamp-h1.Timestamp) * time.Second / 8000
		if d := clock - at2.Sub(at1); d < -8*time.Millisecond || d > 8*time.Millisecond || !h2.Marker {
			t.Fatalf("talkspurt %d: RTP clock advanced %v in %v of wall time (marker %v)", n, clock, at2.Sub(at1), h2.Marker)
		}
		s.q.Flush() // nothing left for the next round
		w.mu.Lock()
		w.hdr, w.at = w.hdr[:2*n], w.at[:2*n]
		w.mu.Unlock()
	}
	if mean := waits / talkspurts; mean > 8*time.Millisecond {
		t.Errorf("talkspurts started %v after the audio on average, want within the 5 ms sub-period", mean)
	}
}
