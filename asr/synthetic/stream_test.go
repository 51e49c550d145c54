package synthetic

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// latencySlack is how late a timer may fire on a loaded 2-core machine
// under -race.
const latencySlack = 150 * time.Millisecond

func TestFinalAfterLatency(t *testing.T) {
	checkGoroutines(t)
	const lat = 80 * time.Millisecond
	r := newRecognizer(t, func(c *Config) { c.Latency = lat })
	// Round robin over the transcripts, wrapping after the third.
	for i, want := range []string{"我想查戶口結餘", "信用卡唔見咗", "分行幾點開門", "我想查戶口結餘"} {
		st, err := r.NewStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		write(t, st, concat(silence(300*time.Millisecond, 16000), speech(time.Second, 16000, uint64(i)),
			silence(200*time.Millisecond, 16000)))
		t0 := time.Now()
		if err := st.CloseSend(); err != nil {
			t.Fatal(err)
		}
		res, ok := <-st.Results()
		took := time.Since(t0)
		if !ok || !res.Final || res.Text != want {
			t.Fatalf("utterance %d: got %+v (ok %v), want final %q", i, res, ok, want)
		}
		if took < lat || took > lat+latencySlack {
			t.Errorf("utterance %d: final %v after CloseSend, want %v", i, took, lat)
		}
		if !near(res.Start, 300*time.Millisecond, 20*time.Millisecond) || !near(res.End, 1300*time.Millisecond, 20*time.Millisecond) {
			t.Errorf("utterance %d: segment %v..%v, want 300ms..1.3s", i, res.Start, res.End)
		}
		if rest := collect(t, st, time.Second); len(rest) != 0 {
			t.Errorf("utterance %d: results after the final: %v", i, rest)
		}
		if err := st.Err(); err != nil {
			t.Errorf("utterance %d: Err %v", i, err)
		}
		if err := st.WriteSample(make(audio.PCM16, 320)); !errors.Is(err, asr.ErrClosed) {
			t.Errorf("write after end: %v, want ErrClosed", err)
		}
		st.Close()
		t.Logf("utterance %d: final %v after CloseSend (latency %v)", i, took, lat)
	}
	if s := r.Stats(); s.Streams != 4 || s.Finals != 4 || s.Active != 0 || s.Empty != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestNoFinalWithoutSpeech(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name  string
		rate  int
		audio func(t *testing.T, rate int) []audio.PCM16
		final bool
	}{
		{"silence", 16000, func(t *testing.T, rate int) []audio.PCM16 { return silence(time.Second, rate) }, false},
		{"line noise", 16000, func(t *testing.T, rate int) []audio.PCM16 { return noise(time.Second, rate, -60) }, false},
		{"short cough", 16000, func(t *testing.T, rate int) []audio.PCM16 {
			return concat(silence(200*time.Millisecond, rate), speech(140*time.Millisecond, rate, 1), silence(500*time.Millisecond, rate))
		}, false},
		{"key presses 16k", 16000, func(t *testing.T, rate int) []audio.PCM16 { return keys(t, "1234#", rate) }, false},
		{"key presses 8k", 8000, func(t *testing.T, rate int) []audio.PCM16 { return keys(t, "5678*0", rate) }, false},
		{"keys then speech", 16000, func(t *testing.T, rate int) []audio.PCM16 {
			return concat(keys(t, "12", rate), speech(500*time.Millisecond, rate, 2))
		}, true},
		{"speech 8k", 8000, func(t *testing.T, rate int) []audio.PCM16 { return speech(400*time.Millisecond, rate, 3) }, true},
		{"loud noise", 16000, func(t *testing.T, rate int) []audio.PCM16 { return noise(time.Second, rate, -25) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecognizer(t, func(c *Config) { c.Latency = 10 * time.Millisecond; c.SampleRate = tc.rate })
			st := r.Open(context.Background())
			defer st.Close()
			write(t, st, tc.audio(t, tc.rate))
			st.CloseSend()
			got := finals(collect(t, st, time.Second))
			if (len(got) == 1) != tc.final || len(got) > 1 {
				t.Errorf("finals %v, want a final: %v", got, tc.final)
			}
			if s := r.Stats(); int(s.Finals+s.Empty) != 1 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestPartials(t *testing.T) {
	checkGoroutines(t)
	r := newRecognizer(t, func(c *Config) {
		c.PartialEvery = 200 * time.Millisecond
		c.Latency = 10 * time.Millisecond
		c.Transcripts = []string{"我想查戶口結餘"}
	})
	st := r.Open(context.Background())
	defer st.Close()
	write(t, st, concat(speech(1100*time.Millisecond, 16000, 4), silence(600*time.Millisecond, 16000)))
	st.CloseSend()
	got := collect(t, st, time.Second)
	want := []string{"我", "我想", "我想查", "我想查戶", "我想查戶口", "我想查戶口結餘"}
	if len(got) != len(want) {
		t.Fatalf("results %v, want texts %v", got, want)
	}
	for i, res := range got {
		last := i == len(got)-1
		if res.Text != want[i] || res.Final != last || res.Segment != 0 {
			t.Errorf("result %d: %+v, want %q final %v", i, res, want[i], last)
		}
		if i > 0 && res.End < got[i-1].End {
			t.Errorf("result %d: end %v before the previous %v", i, res.End, got[i-1].End)
		}
	}
	if s := r.Stats(); s.Partials != 5 || s.Finals != 1 || s.PartialsDropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestPartialOverflowKeepsFinal(t *testing.T) {
	checkGoroutines(t)
	r := newRecognizer(t, func(c *Config) { c.PartialEvery = 20 * time.Millisecond; c.Latency = 0 })
	st := r.Open(context.Background())
	defer st.Close()
	write(t, st, speech(time.Second, 16000, 5)) // 50 partials, nobody reading
	st.CloseSend()
	got := collect(t, st, time.Second)
	if len(got) != resultsCap || !got[len(got)-1].Final {
		t.Fatalf("got %d results (last %+v), want %d ending in the final", len(got), got[len(got)-1], resultsCap)
	}
	if d := st.Dropped(); d != 50-(resultsCap-1) {
		t.Errorf("dropped %d partials, want %d", d, 50-(resultsCap-1))
	}
}

func TestChunkingDoesNotMatter(t *testing.T) {
	fs := concat(silence(220*time.Millisecond, 16000), speech(700*time.Millisecond, 16000, 6), keys(t, "9", 16000))
	var all audio.PCM16
	for _, f := range fs {
		all = append(all, f...)
	}
	run := func(chunk int) asr.Result {
		r := newRecognizer(t, func(c *Config) { c.Latency = 0 })
		st := r.Open(context.Background())
		defer st.Close()
		for p := all; len(p) > 0; {
			k := min(chunk, len(p))
			write(t, st, []audio.PCM16{p[:k]})
			p = p[k:]
		}
		st.CloseSend()
		got := finals(collect(t, st, time.Second))
		if len(got) != 1 {
			t.Fatalf("chunk %d: finals %v", chunk, got)
		}
		return got[0]
	}
	want := run(320)
	for _, chunk := range []int{1, 7, 160, 333, 5000, len(all)} {
		if got := run(chunk); got != want {
			t.Errorf("chunk %d: %+v, want %+v", chunk, got, want)
		}
	}
}

func TestCloseAndCancel(t *testing.T) {
	checkGoroutines(t)
	r := newRecognizer(t, func(c *Config) { c.Latency = 5 * time.Second })
	tests := []struct {
		name    string
		stop    func(st asr.Stream, cancel context.CancelFunc)
		wantErr error
	}{
		{"close before CloseSend", func(st asr.Stream, _ context.CancelFunc) { st.Close() }, nil},
		{"close while the final is due", func(st asr.Stream, _ context.CancelFunc) { st.CloseSend(); st.Close() }, nil},
		{"cancel", func(_ asr.Stream, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"cancel while the final is due", func(st asr.Stream, cancel context.CancelFunc) { st.CloseSend(); cancel() }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := r.NewStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			write(t, st, speech(500*time.Millisecond, 16000, 7))
			t0 := time.Now()
			tc.stop(st, cancel)
			if got := collect(t, st, time.Second); len(got) != 0 {
				t.Errorf("results %v after stop", got)
			}
			if took := time.Since(t0); took > 100*time.Millisecond {
				t.Errorf("results closed %v after stop", took)
			}
			if err := st.Err(); !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Err %v, want %v", err, tc.wantErr)
			}
			err = st.WriteSample(make(audio.PCM16, 320))
			if !errors.Is(err, asr.ErrClosed) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("write after stop: %v", err)
			}
			st.Close()
			st.CloseSend()
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.NewStream(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("NewStream on a cancelled context: %v", err)
	}
	if s := r.Stats(); s.Active != 0 || s.Finals != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"zero durations", func(c *Config) { c.Latency, c.MinVoiced = 0, 0 }, ""},
		{"negative latency", func(c *Config) { c.Latency = -time.Second }, "latency"},
		{"huge partial_every", func(c *Config) { c.PartialEvery = time.Hour }, "partial_every"},
		{"negative min_voiced", func(c *Config) { c.MinVoiced = -1 }, "min_voiced"},
		{"rate", func(c *Config) { c.SampleRate = 4000 }, "sample_rate"},
		{"level", func(c *Config) { c.VoiceLevel = 3 }, "voice_level"},
		{"no transcripts", func(c *Config) { c.Transcripts = nil }, "transcripts"},
		{"blank transcript", func(c *Config) { c.Transcripts = []string{"好", " "} }, "transcripts[1]"},
		{"bad utf-8", func(c *Config) { c.Transcripts = []string{"\xff"} }, "UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mod(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want ErrConfig about %q", err, tc.want)
			}
		})
	}
	// New fills the zero rate, transcripts and level.
	r, err := New(Config{Latency: time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Config(); c.SampleRate != 16000 || len(c.Transcripts) != 3 || c.VoiceLevel != DefaultVoiceLevel {
		t.Errorf("effective config %+v", c)
	}
	if _, err := New(Config{SampleRate: 1}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New with rate 1: %v", err)
	}
}

// FuzzWriteSample writes arbitrary audio in arbitrary chunks: no panic,
// at most one final, always last, and the stream always ends.
func FuzzWriteSample(f *testing.F) {
	f.Add([]byte{0, 0, 0xff, 0x7f}, uint16(1))
	f.Add(make([]byte, 4000), uint16(320))
	f.Add([]byte("\x00\x80\xff\x7f\x00\x80\xff\x7f"), uint16(3))
	// The final is sent by calling finish rather than by the timer, so
	// that coverage does not depend on scheduling.
	r, err := New(Config{Latency: time.Minute, MinVoiced: time.Millisecond, PartialEvery: 20 * time.Millisecond}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		pcm := make(audio.PCM16, len(data)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
		}
		st := r.Open(context.Background())
		defer st.Close()
		for p := pcm; len(p) > 0; {
			k := min(int(chunk)+1, len(p))
			if err := st.WriteSample(p[:k]); err != nil {
				t.Fatal(err)
			}
			p = p[k:]
		}
		st.CloseSend()
		st.finish()
		got := collect(t, st, time.Second)
		for i, res := range got {
			if res.Final != (i == len(got)-1 && res.Final) || res.Start > res.End {
				t.Fatalf("results %+v", got)
			}
		}
	})
}
