package call

import (
	"runtime"
	"testing"
	"time"

	"github.com/yuecall/yuecall/tts/cosyvoice"
	"github.com/yuecall/yuecall/tts/ttstest"
)

// The caller hears the first sentence while the provider is still
// synthesising it: CosyVoice's test server holds every task after its first
// audio frame, and that frame must already be playing on the phone.
func TestPlayoutStartsBeforeReplyIsSynthesised(t *testing.T) {
	base := runtime.NumGoroutine()
	hold := make(chan struct{})
	srv := ttstest.NewCosyVoiceServer(ttstest.CosyVoiceOptions{Hold: hold})
	defer srv.Close()
	cfg := cosyvoice.DefaultConfig()
	cfg.URL, cfg.Key = srv.URL(), srv.Key()
	synth, err := cosyvoice.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer synth.Close()
	tc := startTestCallWith(t, func(d *Deps) { d.TTS = synth }, "你好")
	released := false
	defer func() {
		if !released {
			close(hold)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, n := tc.heard.lastLoud(); n > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, n := tc.heard.lastLoud()
	if n == 0 {
		t.Fatal("caller heard nothing while the first sentence was being synthesised")
	}
	tasks := srv.Tasks()
	if len(tasks) != 1 {
		t.Errorf("%d synthesis tasks when the first audio played, want 1 (the first sentence, still held)", len(tasks))
	} else if tasks[0].SampleRate != 8000 {
		t.Errorf("asked for %d Hz on a phone leg, want 8000 (no resampling)", tasks[0].SampleRate)
	}
	t.Logf("caller heard %d frames of the greeting while its synthesis was held", n)
	close(hold)
	released = true
	// the rest of the greeting follows once synthesis goes on
	deadline = time.Now().Add(5 * time.Second)
	for len(srv.Tasks()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(srv.Tasks()); got < 2 {
		t.Errorf("%d tasks after release: the next sentence was never synthesised", got)
	}
	tc.hangUp()
	tc.teardown()
	synth.Close()
	srv.Close()
	checkGoroutines(t, base)
}
