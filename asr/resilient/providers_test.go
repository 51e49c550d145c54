package resilient

import (
	"context"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/dashscope"
	"github.com/yuecall/yuecall/asr/funasr"
	"github.com/yuecall/yuecall/audio"
)

// Reconnect-with-replay works with the other streaming providers too: their
// test servers crash the first connection mid-utterance (no close frame),
// and the second connection must receive the whole utterance again (the
// replayed audio plus the rest), then give the final.
func TestReplayAcrossProviders(t *testing.T) {
	const utter = 2 * time.Second
	fun := asrtest.NewFunASRServer(asrtest.FunASROptions{Script: asrtest.FunASRScripted("我想查戶口結餘"),
		DropAfter: 700 * time.Millisecond, DropFirst: 1})
	defer fun.Close()
	ds := asrtest.NewDashScopeServer(asrtest.DashScopeOptions{Transcripts: []string{"我想查戶口結餘"},
		DropAfter: 700 * time.Millisecond, DropFirst: 1})
	defer ds.Close()
	fc := funasr.DefaultConfig()
	fc.URL = fun.URL()
	fr, err := funasr.New(fc, nil)
	if err != nil {
		t.Fatal(err)
	}
	dc := dashscope.DefaultConfig()
	dc.URL, dc.Key = ds.URL(), ds.Key()
	dr, err := dashscope.New(dc, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		rec     asr.Recognizer
		samples func() []int // samples each connection received
	}{
		{"funasr", fr, func() []int {
			var out []int
			for _, r := range fun.Streams() {
				out = append(out, r.Samples)
			}
			return out
		}},
		{"dashscope", dr, func() []int {
			var out []int
			for _, r := range ds.Tasks() {
				out = append(out, r.Samples)
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counters := &Counters{}
			rec := New(tc.rec, Config{Name: tc.name, StallTimeout: time.Second}, counters, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			st, err := rec.NewStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rate := st.SampleRate()
			pcm := make(audio.PCM16, int(utter.Seconds()*float64(rate)))
			audio.NewSpeechLikeGenerator(rate, -20, 3).Read(pcm)
			n := audio.SamplesPerFrame(rate)
			for i := 0; i < len(pcm); i += n { // real time, as a caller speaks
				_ = st.WriteSample(pcm[i:min(i+n, len(pcm))])
				time.Sleep(audio.FrameDuration)
			}
			_ = st.CloseSend()
			var finals []string
			for r := range st.Results() {
				if r.Final {
					finals = append(finals, r.Text)
				}
			}
			if err := st.Err(); err != nil {
				t.Fatalf("stream error after recovery: %v", err)
			}
			got := tc.samples()
			if len(got) != 2 {
				t.Fatalf("connections received %v samples, want two connections", got)
			}
			if got[1] < len(pcm)-n {
				t.Errorf("the second connection received %d of %d samples: the audio before the crash was not replayed", got[1], len(pcm))
			}
			if len(finals) == 0 {
				t.Error("no final after the reconnect")
			}
			snap := counters.Snapshot()
			t.Logf("%s: samples per connection %v, finals %q, reconnects %v", tc.name, got, finals, snap.Reconnects)
		})
	}
}
