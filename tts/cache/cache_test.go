package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// fakeSynth is a tiny tts.Synthesizer whose audio is a function of the
// text; it counts its calls. (Cache wraps any synthesiser, so a fake of the
// interface is the subject's real peer here.)
type fakeSynth struct {
	rate  int
	calls atomic.Int64
	mu    sync.Mutex
	texts []string
	fail  error
}

func (f *fakeSynth) Synthesize(_ context.Context, text string) (tts.Stream, error) {
	return f.at(text, f.rate)
}

func (f *fakeSynth) at(text string, rate int) (tts.Stream, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.texts = append(f.texts, text)
	f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	return &memStream{pcm: fakeAudio(text, rate), rate: rate}, nil
}

// rateSynth is a fakeSynth that can also synthesise at a rate.
type rateSynth struct{ fakeSynth }

func (f *rateSynth) SynthesizeRate(_ context.Context, text string, rate int) (tts.Stream, error) {
	return f.at(text, rate)
}

// fakeAudio is 50 ms of samples per rune of text, seeded by the text.
func fakeAudio(text string, rate int) audio.PCM16 {
	h := fnv.New32a()
	h.Write([]byte(text))
	seed := h.Sum32()
	n := len([]rune(text)) * rate / 20
	pcm := make(audio.PCM16, n)
	for i := range pcm {
		seed = seed*1664525 + 1013904223
		pcm[i] = int16(seed >> 16)
	}
	return pcm
}

func newCache(t *testing.T, inner tts.Synthesizer, dir string) *Cache {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Dir, cfg.Key = dir, "fake|voice-a"
	c, err := New(inner, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// speak synthesises text to the end with c.
func speak(t *testing.T, s tts.Synthesizer, ctx context.Context, text string) (audio.PCM16, int) {
	t.Helper()
	st, err := s.Synthesize(ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pcm, err := tts.ReadAll(st)
	if err != nil {
		t.Fatal(err)
	}
	return pcm, st.SampleRate()
}

var prompts = []string{"歡迎致電粵通銀行。", "查詢戶口結餘請按1。", "通話可能會被錄音。"}

func TestWarmThenHit(t *testing.T) {
	inner := &fakeSynth{rate: 16000}
	c := newCache(t, inner, t.TempDir())
	ctx := context.Background()
	if err := c.Warm(ctx, append(prompts, prompts[0], " ")); err != nil {
		t.Fatal(err)
	}
	if got := inner.calls.Load(); got != 3 {
		t.Fatalf("warm made %d calls, want 3", got)
	}
	for _, p := range prompts {
		pcm, rate := speak(t, c, ctx, p)
		if rate != 16000 || !slices.Equal(pcm, fakeAudio(p, 16000)) {
			t.Errorf("%s: served %d samples at %d Hz, not the synthesised audio", p, len(pcm), rate)
		}
	}
	if err := c.Warm(ctx, prompts); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	if inner.calls.Load() != 3 || st.Hits != 3 || st.Misses != 3 || st.Files != 3 || st.Bytes < 3*44 {
		t.Errorf("calls %d, stats %+v", inner.calls.Load(), st)
	}
}

func TestOtherTextsPassThrough(t *testing.T) {
	inner := &fakeSynth{rate: 8000}
	c := newCache(t, inner, t.TempDir())
	c.Add(prompts...)
	for range 2 {
		speak(t, c, context.Background(), "  你好 ")
	}
	if inner.calls.Load() != 2 || inner.texts[0] != "  你好 " {
		t.Errorf("calls %d, texts %q: want the text untouched each time", inner.calls.Load(), inner.texts)
	}
	if st := c.Stats(); st.Files != 0 || st.Hits+st.Misses != 0 {
		t.Errorf("stats %+v: a text not registered was cached", st)
	}
}

func TestStoredWhenFirstSpoken(t *testing.T) {
	inner := &fakeSynth{rate: 16000}
	c := newCache(t, inner, t.TempDir())
	c.Add(prompts[0], prompts[1])
	ctx := context.Background()

	// Abandoned part way (a barge-in): nothing is stored.
	st, err := c.Synthesize(ctx, prompts[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read(make(audio.PCM16, 10)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if c.Stats().Files != 0 {
		t.Fatal("audio abandoned by Close was stored")
	}

	first, _ := speak(t, c, ctx, prompts[0])
	second, _ := speak(t, c, ctx, " "+prompts[0]+"\n")
	if !slices.Equal(first, second) || inner.calls.Load() != 2 {
		t.Errorf("calls %d: the second speaking was not served from disk", inner.calls.Load())
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 2 || s.Files != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestPersistsAcrossNew(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := newCache(t, &fakeSynth{rate: 16000}, dir).Warm(ctx, prompts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "left-by-crash.tmp"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	inner := &fakeSynth{rate: 16000}
	c := newCache(t, inner, dir)
	if st := c.Stats(); st.Files != 3 || st.Bytes == 0 {
		t.Errorf("reopened cache has %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "left-by-crash.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file not removed: %v", err)
	}
	if err := c.Warm(ctx, prompts); err != nil {
		t.Fatal(err)
	}
	pcm, _ := speak(t, c, ctx, prompts[2])
	if inner.calls.Load() != 0 || !slices.Equal(pcm, fakeAudio(prompts[2], 16000)) {
		t.Errorf("calls %d after reopening: want everything from disk", inner.calls.Load())
	}
}

func TestCorruptFileIsReplaced(t *testing.T) {
	tests := []struct {
		name  string
		spoil func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"checksum lost", func(b []byte) []byte { return b[:len(b)-sumSize] }},
		{"sample flipped", func(b []byte) []byte { b[wavHeader+100] ^= 0x40; return b }},
		{"header garbage", func(b []byte) []byte { copy(b, "JUNKJUNK"); return b }},
		{"rate zeroed", func(b []byte) []byte { clear(b[24:28]); return b }},
		{"empty", func([]byte) []byte { return nil }},
		{"grown", func(b []byte) []byte { return append(b, 0, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			inner := &fakeSynth{rate: 16000}
			c := newCache(t, inner, dir)
			ctx := context.Background()
			if err := c.Warm(ctx, prompts[:1]); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, c.name(tts.Cantonese, 0, prompts[0]))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.spoil(b), 0o644); err != nil {
				t.Fatal(err)
			}
			// The memory tier still holds the audio checked when it was
			// stored; a fresh Cache (a restart) must read the file.
			pcm, _ := speak(t, c, ctx, prompts[0])
			if !slices.Equal(pcm, fakeAudio(prompts[0], 16000)) || inner.calls.Load() != 1 {
				t.Fatalf("calls %d: memory tier not served", inner.calls.Load())
			}
			c = newCache(t, inner, dir)
			c.Add(prompts[0])
			pcm, _ = speak(t, c, ctx, prompts[0])
			if !slices.Equal(pcm, fakeAudio(prompts[0], 16000)) || inner.calls.Load() != 2 {
				t.Fatalf("calls %d: corrupt file served", inner.calls.Load())
			}
			if st := c.Stats(); st.Corrupt != 1 || st.Files != 1 {
				t.Errorf("stats %+v", st)
			}
			if again, _ := speak(t, c, ctx, prompts[0]); !slices.Equal(again, pcm) || inner.calls.Load() != 2 {
				t.Errorf("rewritten file not served")
			}
		})
	}
}

func TestKeyParts(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	inner := &rateSynth{fakeSynth{rate: 24000}}
	c := newCache(t, inner, dir)
	text := prompts[0]
	steps := []struct {
		name  string
		synth func() (tts.Stream, error)
		rate  int
	}{
		{"native", func() (tts.Stream, error) { return c.Synthesize(ctx, text) }, 24000},
		{"8k", func() (tts.Stream, error) { return c.SynthesizeRate(ctx, text, 8000) }, 8000},
		{"16k", func() (tts.Stream, error) { return c.SynthesizeRate(ctx, text, 16000) }, 16000},
		{"english", func() (tts.Stream, error) {
			return c.Synthesize(tts.WithLanguage(ctx, tts.English), text)
		}, 24000},
	}
	c.Add(text)
	for round := range 2 {
		for k, s := range steps {
			st, err := s.synth()
			if err != nil {
				t.Fatal(err)
			}
			pcm, err := tts.ReadAll(st)
			if err != nil || st.SampleRate() != s.rate || !slices.Equal(pcm, fakeAudio(text, s.rate)) {
				t.Errorf("%s: %d samples at %d Hz, %v", s.name, len(pcm), st.SampleRate(), err)
			}
			if want := int64(len(steps)); round == 0 && inner.calls.Load() != int64(k+1) || round == 1 && inner.calls.Load() != want {
				t.Errorf("round %d %s: %d calls", round, s.name, inner.calls.Load())
			}
		}
	}
	other := DefaultConfig()
	other.Dir, other.Key = dir, "fake|voice-b"
	c2, err := New(inner, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	c2.Add(text)
	speak(t, c2, ctx, text)
	if inner.calls.Load() != int64(len(steps))+1 {
		t.Errorf("another voice key was served the first voice's audio")
	}
}

func TestResampleWhenInnerHasNoRate(t *testing.T) {
	inner := &fakeSynth{rate: 16000}
	c := newCache(t, inner, t.TempDir())
	ctx := context.Background()
	if err := c.WarmRate(ctx, prompts[:1], 8000); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		st, err := c.SynthesizeRate(ctx, prompts[0], 8000)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := tts.ReadAll(st)
		want := len(fakeAudio(prompts[0], 8000))
		if err != nil || st.SampleRate() != 8000 || len(pcm) < want || len(pcm) > want+100 {
			t.Errorf("%d samples at %d Hz (%v), want about %d at 8000", len(pcm), st.SampleRate(), err, want)
		}
	}
	if st := c.Stats(); inner.calls.Load() != 1 || st.Files != 1 || st.Hits != 2 {
		t.Errorf("calls %d, stats %+v", inner.calls.Load(), st)
	}
	if _, err := c.SynthesizeRate(ctx, "其他", -1); err == nil {
		t.Error("rate -1: want an error")
	}
	if err := c.WarmRate(ctx, prompts, 0); !errors.Is(err, audio.ErrRate) {
		t.Errorf("WarmRate 0 Hz: %v", err)
	}
}

func TestEviction(t *testing.T) {
	inner := &fakeSynth{rate: 8000}
	cfg := DefaultConfig()
	one := int64(wavHeader + sumSize + 2*len(fakeAudio(prompts[0], 8000)))
	cfg.Dir, cfg.Key, cfg.MaxBytes = t.TempDir(), "fake", 2*one+one/2
	c, err := New(inner, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	texts := []string{"一二三四五六七八九。", "二二三四五六七八九。", "三二三四五六七八九。"}
	if err := c.Warm(ctx, texts[:2]); err != nil {
		t.Fatal(err)
	}
	speak(t, c, ctx, texts[0]) // texts[1] is now the least recently used
	if err := c.Warm(ctx, texts[2:]); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	if st.Bytes > cfg.MaxBytes || st.Files != 2 || st.Evicted != 1 {
		t.Fatalf("stats %+v, max %d", st, cfg.MaxBytes)
	}
	calls := inner.calls.Load()
	speak(t, c, ctx, texts[0])
	speak(t, c, ctx, texts[2])
	if inner.calls.Load() != calls {
		t.Error("a recently used prompt was evicted")
	}
	big := "長" + string(make([]rune, 200))
	if err := c.Warm(ctx, []string{big}); err == nil {
		t.Error("a prompt larger than max_bytes: want an error")
	}
}

func TestWarmErrors(t *testing.T) {
	inner := &fakeSynth{rate: 8000, fail: errors.New("provider down")}
	c := newCache(t, inner, t.TempDir())
	err := c.Warm(context.Background(), prompts)
	if err == nil || !errors.Is(err, inner.fail) {
		t.Fatalf("Warm: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inner.fail = nil
	if err := c.Warm(ctx, []string{"一", "二", "三", "四"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Warm: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	inner := &rateSynth{fakeSynth{rate: 16000}}
	c := newCache(t, inner, t.TempDir())
	ctx := context.Background()
	c.Add(prompts...)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				text := prompts[(g+i)%len(prompts)]
				if i%5 == 0 {
					text = fmt.Sprintf("即時回覆%d", i)
				}
				var st tts.Stream
				var err error
				if g%2 == 0 {
					st, err = c.Synthesize(ctx, text)
				} else {
					st, err = c.SynthesizeRate(ctx, text, 8000)
				}
				if err == nil {
					var pcm audio.PCM16
					pcm, err = tts.ReadAll(st)
					if err == nil && !slices.Equal(pcm, fakeAudio(text, st.SampleRate())) {
						err = fmt.Errorf("%q: wrong audio", text)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		if err := c.Warm(ctx, prompts); err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := c.Stats(); st.Files != 2*len(prompts) || st.Corrupt != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig()
	good.Dir, good.Key = t.TempDir(), "k"
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"no dir", func(c *Config) { c.Dir = "" }},
		{"no key", func(c *Config) { c.Key = "" }},
		{"no size", func(c *Config) { c.MaxBytes = 0 }},
		{"negative mem", func(c *Config) { c.MemBytes = -1 }},
		{"concurrency", func(c *Config) { c.Concurrency = 100 }},
	} {
		cfg := good
		tc.edit(&cfg)
		if _, err := New(&fakeSynth{rate: 8000}, cfg, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	off := good
	off.MemBytes = 0
	if err := off.Validate(); err != nil {
		t.Errorf("mem_bytes 0 (off): %v", err)
	}
	if _, err := New(nil, good, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("nil inner: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	b, err := encode(fakeAudio("你好", 8000), 8000)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:60])
	f.Add([]byte("RIFF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, rate, err := decode(b)
		if err != nil {
			return
		}
		again, err := encode(pcm, rate)
		if err != nil || string(again) != string(b) {
			t.Fatalf("decode accepted %d bytes that do not re-encode the same", len(b))
		}
	})
}
