package synthetic

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// latencySlack is how late a timer may fire on a loaded 2-core machine
// under -race.
const latencySlack = 150 * time.Millisecond

func TestDurationFollowsText(t *testing.T) {
	s := newSynth(t, func(c *Config) { c.Latency = 0; c.MaxDuration = 10 * time.Second })
	tests := []struct {
		text string
		want time.Duration
	}{
		{"我想查戶口結餘", 7 * 150 * time.Millisecond},
		{"我想查戶口結餘我想查戶口結餘", 14 * 150 * time.Millisecond},
		{"hello world", 10 * 60 * time.Millisecond},
		{"  OK, 123!  ", 5 * 60 * time.Millisecond},
		{"你好 VISA 卡", 3*150*time.Millisecond + 4*60*time.Millisecond},
		{"ありがとう 감사", 7 * 150 * time.Millisecond},
		{strings.Repeat("好", 200), 10 * time.Second}, // capped
		{"。，！…", 0},
		{"   ", 0},
	}
	var total time.Duration
	for _, tc := range tests {
		total += tc.want
		t.Run(tc.text, func(t *testing.T) {
			st, err := s.Synthesize(context.Background(), tc.text)
			if tc.want == 0 {
				if !errors.Is(err, tts.ErrEmptyText) {
					t.Errorf("Synthesize: %v, want ErrEmptyText", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			pcm := readAll(t, st)
			if got := audio.Duration(len(pcm), st.SampleRate()); got != tc.want {
				t.Errorf("audio %v, want %v", got, tc.want)
			}
			if n, err := st.Read(make(audio.PCM16, 10)); n != 0 || !errors.Is(err, io.EOF) {
				t.Errorf("Read after the end: %d, %v", n, err)
			}
		})
	}
	if st := s.Stats(); st.Streams != 7 || st.Audio != total {
		t.Errorf("stats %+v", st)
	}
}

func TestFirstAudioLatency(t *testing.T) {
	checkGoroutines(t)
	for _, lat := range []time.Duration{0, 30 * time.Millisecond, 120 * time.Millisecond} {
		s := newSynth(t, func(c *Config) { c.Latency = lat })
		t0 := time.Now()
		st, err := s.Synthesize(context.Background(), "你好")
		if err != nil {
			t.Fatal(err)
		}
		buf := make(audio.PCM16, 160)
		if n, err := st.Read(buf); n != 160 || err != nil {
			t.Fatalf("first Read: %d, %v", n, err)
		}
		first := time.Since(t0)
		t1 := time.Now()
		for range 5 {
			st.Read(buf)
		}
		rest := time.Since(t1)
		st.Close()
		t.Logf("latency %v: first audio after %v, 5 more frames in %v", lat, first, rest)
		if first < lat || first > lat+latencySlack {
			t.Errorf("latency %v: first audio after %v", lat, first)
		}
		if rest > 20*time.Millisecond {
			t.Errorf("latency %v: later reads took %v, want no wait", lat, rest)
		}
	}
	// A request read late is not delayed again.
	s := newSynth(t, func(c *Config) { c.Latency = 40 * time.Millisecond })
	st, _ := s.Synthesize(context.Background(), "好")
	defer st.Close()
	time.Sleep(60 * time.Millisecond)
	t0 := time.Now()
	st.Read(make(audio.PCM16, 160))
	if d := time.Since(t0); d > 20*time.Millisecond {
		t.Errorf("first Read %v after the latency had passed", d)
	}
}

func TestNativeRates(t *testing.T) {
	s := newSynth(t, func(c *Config) { c.Latency = 0 })
	for _, rate := range []int{8000, 11025, 16000, 22050, 24000, 44100, 48000} {
		st, err := s.SynthesizeRate(context.Background(), "一二三四五六七", rate) // 1.05 s
		if err != nil {
			t.Fatal(err)
		}
		pcm := readAll(t, st)
		st.Close()
		if st.SampleRate() != rate || len(pcm) != rate*105/100 {
			t.Errorf("%d Hz: stream rate %d, %d samples", rate, st.SampleRate(), len(pcm))
			continue
		}
		// The first syllable is voiced at 120 Hz, the second at 150 Hz.
		syl := rate / 5
		first, second := pcm[:syl*3/4], pcm[syl:syl+syl*3/4]
		if r1, r2 := audio.ToneRatio(first, rate, 120), audio.ToneRatio(second, rate, 150); r1 < 0.3 || r2 < 0.3 {
			t.Errorf("%d Hz: pitch share %.2f at 120 Hz, %.2f at 150 Hz", rate, r1, r2)
		}
		if db := audio.DBFS(pcm[:rate]); math.Abs(db-DefaultLevel) > 0.3 {
			t.Errorf("%d Hz: level %.2f dBFS over one second, want %g", rate, db, DefaultLevel)
		}
	}
	for _, rate := range []int{0, 7999, 48001} {
		if _, err := s.SynthesizeRate(context.Background(), "好", rate); !errors.Is(err, ErrSampleRate) {
			t.Errorf("rate %d: %v, want ErrSampleRate", rate, err)
		}
	}
	if got := s.Config().SampleRate; got != 8000 {
		t.Errorf("default rate %d", got)
	}
}

// TestHeardAsSpeech checks the audio is speech to audio.VAD: one utterance
// from its first syllables to the end, with a pause in every syllable
// period that a level meter sees.
func TestHeardAsSpeech(t *testing.T) {
	const text = "粵通銀行大部分分行星期一至五朝早九點開門" // 20 characters: 3 s
	for _, rate := range []int{8000, 16000} {
		s := newSynth(t, func(c *Config) { c.Latency = 0; c.SampleRate = rate })
		st, err := s.Synthesize(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		speech := readAll(t, st)
		st.Close()
		line := make(audio.PCM16, rate) // a quiet line before and after
		audio.NewNoiseGenerator(-70, 1).Read(line)
		all := append(append(append(audio.PCM16{}, line...), speech...), line...)
		all = append(all, line...)

		v := audio.NewVAD(audio.VADConfig{}, rate)
		fl := audio.SamplesPerFrame(rate)
		var events []time.Duration
		for i := 0; i+fl <= len(all); i += fl {
			if e := v.Process(all[i : i+fl]); e != audio.VADNone {
				events = append(events, audio.Duration(i+fl, rate))
			}
		}
		start, end := time.Second, 4*time.Second+audio.DefaultVADConfig().EndSilence
		if len(events) != 2 || events[0]-start > 100*time.Millisecond || events[1] < end-100*time.Millisecond || events[1] > end+100*time.Millisecond {
			t.Errorf("%d Hz: VAD events at %v, want a start soon after %v and an end about %v", rate, events, start, end)
		}
		// Each 200 ms syllable period has a loud frame and a pause 30 dB under it.
		peak := audio.DBFS(speech[:fl*3])
		for p := 0; p+10*fl <= len(speech); p += 10 * fl {
			loud, quiet := -200.0, 0.0
			for f := p; f < p+10*fl; f += fl {
				db := audio.DBFS(speech[f : f+fl])
				loud, quiet = max(loud, db), min(quiet, db)
			}
			if loud < peak-6 || quiet > loud-30 {
				t.Errorf("%d Hz: syllable at %v: loudest frame %.1f dBFS, quietest %.1f", rate, audio.Duration(p, rate), loud, quiet)
			}
		}
	}
}

func TestCloseAndCancel(t *testing.T) {
	checkGoroutines(t)
	s := newSynth(t, func(c *Config) { c.Latency = 5 * time.Second })
	tests := []struct {
		name string
		stop func(tts.Stream, context.CancelFunc)
		want error
	}{
		{"close", func(st tts.Stream, _ context.CancelFunc) { st.Close() }, ErrClosed},
		{"cancel", func(_ tts.Stream, cancel context.CancelFunc) { cancel() }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := s.Synthesize(ctx, "你好")
			if err != nil {
				t.Fatal(err)
			}
			type res struct {
				n   int
				err error
				at  time.Time
			}
			got := make(chan res, 1)
			go func() {
				n, err := st.Read(make(audio.PCM16, 160))
				got <- res{n, err, time.Now()}
			}()
			time.Sleep(20 * time.Millisecond) // let Read block
			t0 := time.Now()
			tc.stop(st, cancel)
			r := <-got
			if r.n != 0 || !errors.Is(r.err, tc.want) {
				t.Errorf("blocked Read: %d, %v, want %v", r.n, r.err, tc.want)
			}
			if d := r.at.Sub(t0); d > 50*time.Millisecond {
				t.Errorf("Read woke %v after stop", d)
			}
			if _, err := st.Read(make(audio.PCM16, 160)); !errors.Is(err, tc.want) {
				t.Errorf("Read after stop: %v", err)
			}
			st.Close()
		})
	}
	// Cancel after the first audio stops the stream at the next Read.
	s = newSynth(t, func(c *Config) { c.Latency = 0 })
	ctx, cancel := context.WithCancel(context.Background())
	st, _ := s.Synthesize(ctx, "你好")
	if _, err := st.Read(make(audio.PCM16, 160)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := st.Read(make(audio.PCM16, 160)); !errors.Is(err, context.Canceled) {
		t.Errorf("Read after cancel: %v", err)
	}
	if _, err := s.Synthesize(ctx, "你好"); !errors.Is(err, context.Canceled) {
		t.Errorf("Synthesize on a cancelled context: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"zero latency", func(c *Config) { c.Latency = 0 }, ""},
		{"negative latency", func(c *Config) { c.Latency = -1 }, "latency"},
		{"zero char", func(c *Config) { c.CharDuration = 0 }, "char_duration"},
		{"letter", func(c *Config) { c.LetterDuration = time.Hour }, "letter_duration"},
		{"max", func(c *Config) { c.MaxDuration = time.Hour }, "max_duration"},
		{"rate", func(c *Config) { c.SampleRate = 96000 }, "sample_rate"},
		{"level", func(c *Config) { c.Level = -3 }, "level"},
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
	s, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Latency = 0
	if s.Config() != want {
		t.Errorf("New(Config{}) effective config %+v, want %+v", s.Config(), want)
	}
}

// FuzzSynthesize: any text gives ErrEmptyText or exactly Duration(text) of
// audio, never more than MaxDuration, and no panic.
func FuzzSynthesize(f *testing.F) {
	for _, seed := range []string{"你好", "OK", "。", "\xff\xfe", "a\u0301", "𠮷野家"} {
		f.Add(seed)
	}
	s, err := New(Config{Latency: 0, MaxDuration: 2 * time.Second}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := s.Duration(text)
		if d < 0 || d > 2*time.Second || (d > 0 && utf8.RuneCountInString(text) == 0) {
			t.Fatalf("Duration(%q) = %v", text, d)
		}
		st, err := s.Synthesize(context.Background(), text)
		if d == 0 {
			if !errors.Is(err, tts.ErrEmptyText) {
				t.Fatalf("Synthesize(%q): %v", text, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if n := len(readAll(t, st)); audio.Duration(n, 8000) != d.Truncate(time.Second/8000) {
			t.Fatalf("Synthesize(%q): %d samples for %v", text, n, d)
		}
	})
}
