package sim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Target: "sip:hotline@127.0.0.1:5060", Script: []Step{{WaitBot: true}, {Say: "你好"}, {WaitHangup: true}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*Config){
		"no host":           func(c *Config) { c.Target = "sip:hotline@" },
		"not sip":           func(c *Config) { c.Target = "http://x" },
		"two speeches":      func(c *Config) { c.Script = []Step{{Say: "a", WAV: "b.wav"}} },
		"negative pause":    func(c *Config) { c.Script = []Step{{Pause: -time.Second}} },
		"barge-in no voice": func(c *Config) { c.Script = []Step{{BargeInAfter: time.Second}} },
		"backchannel alone": func(c *Config) { c.Script = []Step{{Backchannel: true}} },
		"hangup not last":   func(c *Config) { c.Script = []Step{{WaitHangup: true}, {Pause: 1}} },
		"bad digit":         func(c *Config) { c.Script = []Step{{DTMF: "12x"}} },
		"loud positive":     func(c *Config) { c.LoudDBFS = 3 },
		"negative timeout":  func(c *Config) { c.Timeout = -1 },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestLineValidate(t *testing.T) {
	if err := (Line{}).Validate(); err != nil {
		t.Fatalf("zero line: %v", err)
	}
	bad := map[string]func(*Line){
		"ip":       func(l *Line) { l.LocalIP = "localhost" },
		"range":    func(l *Line) { l.RTPPortMin, l.RTPPortMax = 40000, 40001 },
		"sip port": func(l *Line) { l.SIPPort = 70000 },
		"noise":    func(l *Line) { l.NoiseDBFS = -3 },
		"from":     func(l *Line) { l.From = "a b@c" },
		"speed":    func(l *Line) { l.Speech.Speed = 2000 },
		"voice":    func(l *Line) { l.Speech.Voice = "yue;rm" },
	}
	for name, mutate := range bad {
		l := DefaultLine()
		mutate(&l)
		if err := l.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

// feed writes frames to m: loud (−20 dBFS tone) or quiet (−70 dBFS noise),
// one per 20 ms from t0, and returns the time after the last.
func feed(m *monitor, t0 time.Time, pattern string) time.Time {
	loud := make(audio.PCM16, frameSamples)
	audio.NewToneGenerator(rtp.Rate, 0.14, 500).Read(loud)
	quiet := make(audio.PCM16, frameSamples)
	audio.NewNoiseGenerator(-70, 1).Read(quiet)
	for i, c := range pattern {
		at := t0.Add(time.Duration(i) * audio.FrameDuration)
		switch c {
		case 'L':
			m.frame(loud, at)
		case 'q':
			m.frame(quiet, at)
		} // '.': no packet
	}
	return t0.Add(time.Duration(len(pattern)) * audio.FrameDuration)
}

func TestMonitorUtterances(t *testing.T) {
	t0 := time.Unix(1000, 0)
	m := newMonitor(DefaultLoudDBFS, 100*time.Millisecond, true, t0)
	// loud 3 frames, 4 frames (80 ms) quiet, loud 2, 10 frames nothing, loud 1.
	feed(m, t0, "LLLqqqqLL..........L")
	spans := m.snapshot()
	f := func(i int) time.Time { return t0.Add(time.Duration(i) * audio.FrameDuration) }
	want := []span{{f(0), f(8)}, {f(19), f(19)}}
	if len(spans) != len(want) {
		t.Fatalf("spans = %v, want %v", spans, want)
	}
	for i := range want {
		if !spans[i].start.Equal(want[i].start) || !spans[i].end.Equal(want[i].end) {
			t.Errorf("span %d = %v..%v, want %v..%v", i, spans[i].start.Sub(t0), spans[i].end.Sub(t0),
				want[i].start.Sub(t0), want[i].end.Sub(t0))
		}
	}
	if got, ok := m.utteranceSince(f(10)); !ok || !got.Equal(f(0)) {
		t.Errorf("utterance since 200 ms = %v %v: the first one was still within the gap", got.Sub(t0), ok)
	}
	if got, ok := m.utteranceSince(f(14)); !ok || !got.Equal(f(19)) {
		t.Errorf("utterance since 280 ms = %v %v, want the one at 380 ms", got.Sub(t0), ok)
	}
	if _, ok := m.utteranceSince(f(25)); ok {
		t.Error("an utterance after the last frame")
	}
	hist, rec, frames := m.results()
	if frames != 10 || hist.Count() != 8 {
		t.Errorf("frames %d, intervals %d; want 10 and 8 (the 220 ms gap is a pause)", frames, hist.Count())
	}
	// The recording keeps the timeline: 20 frames.
	if len(rec) != 20*frameSamples {
		t.Errorf("recording %d samples, want %d", len(rec), 20*frameSamples)
	}
	if !m.lastLoud().Equal(f(19)) {
		t.Errorf("last loud %v", m.lastLoud().Sub(t0))
	}
}

func TestTurns(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	spans := []span{
		{at(0), at(2000)},    // greeting; the caller barges in at 1500, bot stops at 1560
		{at(3300), at(4000)}, // answer to utterance 0 (ended 2500)
		{at(4200), at(6000)}, // next prompt; a backchannel at 5000-5300 does not stop it
	}
	spans[0].end = at(1560)
	c := &caller{cfg: Config{BotGap: DefaultBotGap}, l: &leg{answered: t0}, said: []spoken{
		{step: 1, start: at(1500), end: at(2500)},
		{step: 3, backchannel: true, start: at(5000), end: at(5300)},
	}}
	got := c.turns(spans)
	want := []Turn{
		{Step: 1, SpeechStart: 1500 * time.Millisecond, SpeechEnd: 2500 * time.Millisecond, Answered: true,
			ResponseLatency: 800 * time.Millisecond, BargeIn: true, BotStopped: true, BargeInStop: 60 * time.Millisecond},
		{Step: 3, Backchannel: true, SpeechStart: 5000 * time.Millisecond, SpeechEnd: 5300 * time.Millisecond, BargeIn: true},
	}
	if len(got) != len(want) {
		t.Fatalf("turns %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("turn %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	if h.Quantile(0.99) != 0 || h.Count() != 0 {
		t.Fatal("empty histogram")
	}
	for i := range 100 {
		h.Add(time.Duration(i) * time.Millisecond / 10) // 0 .. 9.9 ms
	}
	h.Add(300 * time.Millisecond) // beyond the last bucket
	var o Histogram
	o.Merge(&h)
	cases := []struct {
		q    float64
		want time.Duration
	}{{0.5, 5 * time.Millisecond}, {0.99, 10 * time.Millisecond}, {1, 300 * time.Millisecond}}
	for _, c := range cases {
		if got := o.Quantile(c.q); got < c.want-histBucket || got > c.want+histBucket {
			t.Errorf("q%.2f = %v, want %v", c.q, got, c.want)
		}
	}
	if o.Count() != 101 || o.Max() != 300*time.Millisecond {
		t.Errorf("count %d max %v", o.Count(), o.Max())
	}
}

func TestTrimAndNormalise(t *testing.T) {
	pcm := make(audio.PCM16, 3*rtp.Rate)
	audio.NewNoiseGenerator(-70, 2).Read(pcm)
	voice := pcm[rtp.Rate : 2*rtp.Rate]
	audio.NewSpeechLikeGenerator(rtp.Rate, -30, 3).Read(voice)
	out, err := prepare(append(audio.PCM16(nil), pcm...), rtp.Rate)
	if err != nil {
		t.Fatal(err)
	}
	if d := audio.Duration(len(out), rtp.Rate); d < 960*time.Millisecond || d > 1040*time.Millisecond {
		t.Errorf("trimmed to %v, want about 1 s", d)
	}
	var peak int
	for _, v := range out {
		peak = max(peak, int(v), -int(v))
	}
	if want := 23197; peak < want-50 || peak > want+50 { // -3 dBFS
		t.Errorf("peak %d, want about %d", peak, want)
	}
	if _, err := prepare(make(audio.PCM16, 800), rtp.Rate); !errors.Is(err, ErrSpeech) {
		t.Errorf("silence: err = %v, want ErrSpeech", err)
	}
}

func TestSpeechCacheOncePerText(t *testing.T) {
	c := newSpeechCache(SpeechConfig{})
	var made atomic.Int32
	mk := func() (audio.PCM16, error) {
		made.Add(1)
		time.Sleep(10 * time.Millisecond) // let the others pile up
		return audio.PCM16{1, 2, 3}, nil
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if pcm, err := c.get(context.Background(), "k", mk); err != nil || len(pcm) != 3 {
				t.Errorf("get: %v %v", pcm, err)
			}
		})
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Errorf("made %d times, want once", made.Load())
	}
	// Failures are not cached.
	fail := func() (audio.PCM16, error) { made.Add(1); return nil, ErrSpeech }
	for range 2 {
		if _, err := c.get(context.Background(), "bad", fail); !errors.Is(err, ErrSpeech) {
			t.Errorf("err = %v", err)
		}
	}
	if made.Load() != 3 {
		t.Errorf("made %d times, want 3", made.Load())
	}
}

func TestSpeechErrors(t *testing.T) {
	c := newSpeechCache(SpeechConfig{Binary: filepath.Join(t.TempDir(), "no-espeak")})
	if _, err := c.forStep(context.Background(), Step{Say: "你好"}); !errors.Is(err, ErrSpeech) {
		t.Errorf("missing espeak: %v", err)
	}
	if _, err := c.forStep(context.Background(), Step{WAV: "/nonexistent.wav"}); !errors.Is(err, ErrSpeech) {
		t.Errorf("missing wav: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.wav")
	if err := os.WriteFile(junk, []byte("RIFF....WAVEjunk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.forStep(context.Background(), Step{WAV: junk}); !errors.Is(err, ErrSpeech) {
		t.Errorf("junk wav: %v", err)
	}
	// A WAV at 16 kHz is resampled to 8 kHz.
	path := filepath.Join(t.TempDir(), "s.wav")
	f, _ := os.Create(path)
	pcm := make(audio.PCM16, 16000)
	audio.NewSpeechLikeGenerator(16000, -20, 4).Read(pcm)
	if err := audio.WriteWAV(f, pcm, 16000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := c.forStep(context.Background(), Step{WAV: path})
	if err != nil || len(got) < 7800 || len(got) > 8100 {
		t.Errorf("16 kHz WAV: %d samples, %v", len(got), err)
	}
}

func BenchmarkMonitorFrame(b *testing.B) {
	frame := make(audio.PCM16, frameSamples)
	audio.NewSpeechLikeGenerator(rtp.Rate, -20, 1).Read(frame)
	m := newMonitor(DefaultLoudDBFS, DefaultBotGap, false, time.Now())
	t0 := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.frame(frame, t0.Add(time.Duration(i)*audio.FrameDuration))
	}
}
