package call

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/turn"
	"github.com/yuecall/yuecall/audio"
)

// endAfter feeds 1 s of line noise, 1 s of speech and then silence through
// a listener, applies the turn policy to partial after 500 ms of speech (as
// the session does when a partial arrives), and returns how long after the
// speech the utterance ended.
func endAfter(t *testing.T, partial string) time.Duration {
	t.Helper()
	rate := audio.Rate8k
	ev := make(chan speechEvent, 8)
	var drops atomic.Uint64
	l := newListener(rate, audio.DefaultVADConfig(), ev, &drops)
	l.enable(true)
	n := audio.SamplesPerFrame(rate)
	frame := make(audio.PCM16, n)
	noise := audio.NewNoiseGenerator(-60, 1)
	voice := audio.NewToneGenerator(rate, 0.2, 180, 360, 720)
	policy := turn.DefaultPolicy()
	for i := 0; i < 200; i++ { // 4 s
		at := time.Duration(i) * audio.FrameDuration
		if at >= time.Second && at < 2*time.Second {
			voice.Read(frame)
		} else {
			noise.Read(frame)
		}
		_ = l.WriteSample(frame)
		if at == 1500*time.Millisecond {
			l.setEndSilence(1, policy.EndSilence(partial))
		}
		select {
		case e := <-ev:
			if e.kind == speechEnd {
				return at + audio.FrameDuration - 2*time.Second
			}
		default:
		}
	}
	t.Fatalf("%q: the utterance never ended", partial)
	return 0
}

func TestTurnTakingSetsEndSilence(t *testing.T) {
	p := turn.DefaultPolicy()
	for _, tc := range []struct {
		partial string
		want    time.Duration
	}{
		{"我想查下我個戶口", p.Base},     // no cue
		{"我想查下我個戶口結餘呀", p.Final}, // sentence-final particle
		{"我想查結餘同埋", p.Hold},      // trailing conjunction
	} {
		got := endAfter(t, tc.partial)
		if got < tc.want || got > tc.want+2*audio.FrameDuration {
			t.Errorf("%q: turn ended %v after speech, want %v", tc.partial, got, tc.want)
		}
	}
}
