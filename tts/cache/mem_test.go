package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// texts whose fakeAudio at 8 kHz has the same length (10 runes: 8000
// bytes of samples, 8076 on disk).
var same = []string{"一二三四五六七八九。", "二二三四五六七八九。", "三二三四五六七八九。"}

const sameSamples = 10 * 8000 / 20

// memCache is a cache over a fakeSynth at 8 kHz holding memFiles entries
// of same in memory and diskFiles of them on disk.
func memCache(t *testing.T, dir string, memFiles, diskFiles int) (*Cache, *fakeSynth) {
	t.Helper()
	inner := &fakeSynth{rate: 8000}
	cfg := DefaultConfig()
	one := int64(wavHeader + sumSize + 2*sameSamples)
	cfg.Dir, cfg.Key = dir, "fake"
	cfg.MaxBytes = int64(diskFiles)*one + one/2
	cfg.MemBytes = int64(memFiles)*2*sameSamples + sameSamples
	if memFiles < 0 {
		cfg.MemBytes = 2*sameSamples - 2 // one sample short of an entry
	}
	c, err := New(inner, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, inner
}

// checkTiers asserts the memory tier's invariants: only indexed files are
// resident, memBytes is their sum and within MemBytes.
func checkTiers(t *testing.T, c *Cache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for name, e := range c.files {
		if e.pcm != nil {
			sum += 2 * int64(len(e.pcm))
			if cap(e.pcm) != len(e.pcm) {
				t.Errorf("%s: resident samples have spare capacity", name)
			}
		}
	}
	if sum != c.memBytes || sum > c.cfg.MemBytes {
		t.Errorf("memory tier holds %d bytes, counted %d, max %d", sum, c.memBytes, c.cfg.MemBytes)
	}
}

// resident reports whether text's native entry is in memory.
func resident(c *Cache, text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.files[c.name(tts.LanguageOf(context.Background(), text), 0, text)]
	return e != nil && e.pcm != nil
}

func TestMemHitMatchesDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	warm, inner := memCache(t, dir, 3, 3)
	if err := warm.Warm(ctx, same); err != nil {
		t.Fatal(err)
	}
	fromWarm, rate := speak(t, warm, ctx, same[0]) // filled by Warm's store
	if st := warm.Stats(); st.MemHits != 1 || st.Hits != 1 || st.MemBytes != 3*2*sameSamples {
		t.Errorf("after Warm: stats %+v", st)
	}
	reopened, _ := memCache(t, dir, 3, 3)
	reopened.Add(same...)
	for i, wantMem := range []int64{0, 1, 2} { // disk, then memory twice
		pcm, r := speak(t, reopened, ctx, same[0])
		if !slices.Equal(pcm, fromWarm) || r != rate || !slices.Equal(pcm, fakeAudio(same[0], 8000)) {
			t.Fatalf("play %d: %d samples at %d Hz differ from the stored audio", i, len(pcm), r)
		}
		if st := reopened.Stats(); st.Hits != int64(i+1) || st.MemHits != wantMem || st.MemBytes != 2*sameSamples {
			t.Errorf("play %d: stats %+v", i, st)
		}
	}
	if inner.calls.Load() != 3 {
		t.Errorf("%d synthesiser calls, want 3 (by Warm only)", inner.calls.Load())
	}
	checkTiers(t, warm)
	checkTiers(t, reopened)
}

func TestMemLRU(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c, inner := memCache(t, dir, 2, 3)
	for _, text := range same[:2] { // in this order
		if err := c.Warm(ctx, []string{text}); err != nil {
			t.Fatal(err)
		}
	}
	speak(t, c, ctx, same[0]) // same[1] is now the least recently used
	if err := c.Warm(ctx, same[2:]); err != nil {
		t.Fatal(err)
	}
	checkTiers(t, c)
	for i, want := range []bool{true, false, true} {
		if resident(c, same[i]) != want {
			t.Errorf("%s resident: %v, want %v", same[i], !want, want)
		}
	}
	if st := c.Stats(); st.Files != 3 || st.Evicted != 0 || st.MemBytes != 2*2*sameSamples {
		t.Errorf("stats %+v", st)
	}
	// Playing same[1] reads its file back into memory, pushing out same[0].
	memHits := c.Stats().MemHits
	if pcm, _ := speak(t, c, ctx, same[1]); !slices.Equal(pcm, fakeAudio(same[1], 8000)) {
		t.Fatal("wrong audio from disk")
	}
	if c.Stats().MemHits != memHits || !resident(c, same[1]) || resident(c, same[0]) || !resident(c, same[2]) {
		t.Errorf("after a disk hit: stats %+v", c.Stats())
	}
	if inner.calls.Load() != 3 {
		t.Errorf("%d synthesiser calls, want 3", inner.calls.Load())
	}
	checkTiers(t, c)
}

func TestMemEntryTooBig(t *testing.T) {
	ctx := context.Background()
	c, inner := memCache(t, t.TempDir(), -1, 3)
	c.Add(same[0])
	for range 3 { // synthesised and stored, then twice from disk
		if pcm, _ := speak(t, c, ctx, same[0]); !slices.Equal(pcm, fakeAudio(same[0], 8000)) {
			t.Fatal("wrong audio")
		}
	}
	if st := c.Stats(); st.Hits != 2 || st.MemHits != 0 || st.MemBytes != 0 || inner.calls.Load() != 1 {
		t.Errorf("calls %d, stats %+v", inner.calls.Load(), st)
	}
	off, _ := memCache(t, t.TempDir(), 0, 3)
	off.cfg.MemBytes = 0
	off.Add(same[0])
	speak(t, off, ctx, same[0])
	speak(t, off, ctx, same[0])
	if st := off.Stats(); st.Hits != 1 || st.MemHits != 0 || st.MemBytes != 0 {
		t.Errorf("mem_bytes 0: stats %+v", st)
	}
}

// TestMemFollowsDisk spoils files under resident entries: memory keeps
// serving the audio checked when it was stored while the file is indexed,
// and never once the file has left the index.
func TestMemFollowsDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c, inner := memCache(t, dir, 3, 2)
	if err := c.Warm(ctx, same[:2]); err != nil {
		t.Fatal(err)
	}
	path := func(text string) string { return filepath.Join(dir, c.name(tts.Cantonese, 0, text)) }
	if err := os.WriteFile(path(same[0]), []byte("RIFF junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path(same[1])); err != nil {
		t.Fatal(err)
	}
	speak(t, c, ctx, same[1]) // same[0] is now the least recently used
	if pcm, _ := speak(t, c, ctx, same[1]); !slices.Equal(pcm, fakeAudio(same[1], 8000)) || inner.calls.Load() != 2 {
		t.Fatalf("calls %d: resident audio not served", inner.calls.Load())
	}
	// Storing same[2] evicts same[0]'s (corrupt) file, and so its memory.
	if err := c.Warm(ctx, same[2:]); err != nil {
		t.Fatal(err)
	}
	checkTiers(t, c)
	if st := c.Stats(); st.Evicted != 1 || st.Files != 2 || resident(c, same[0]) {
		t.Fatalf("stats %+v, same[0] resident %v", st, resident(c, same[0]))
	}
	if pcm, _ := speak(t, c, ctx, same[0]); !slices.Equal(pcm, fakeAudio(same[0], 8000)) || inner.calls.Load() != 4 {
		t.Errorf("calls %d: an evicted entry was served from memory", inner.calls.Load())
	}
	// Storing same[0] again evicted same[1], the least recently used, whose
	// file was already deleted: its memory went with the index entry, so
	// it is synthesised again.
	checkTiers(t, c)
	if st := c.Stats(); st.Evicted != 2 || resident(c, same[1]) || !resident(c, same[0]) {
		t.Fatalf("stats %+v", st)
	}
	if pcm, _ := speak(t, c, ctx, same[1]); !slices.Equal(pcm, fakeAudio(same[1], 8000)) || inner.calls.Load() != 5 {
		t.Errorf("calls %d after evicting a deleted file", inner.calls.Load())
	}
	if st := c.Stats(); st.Corrupt != 0 {
		t.Errorf("stats %+v: the corrupt file was evicted before being read", st)
	}
	checkTiers(t, c)
}

// TestMemCorruptAfterDrop: a file spoiled while its entry was in memory is
// checked again, found corrupt and replaced once the memory copy is gone.
func TestMemCorruptAfterDrop(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c, inner := memCache(t, dir, 1, 3)
	if err := c.Warm(ctx, same[:1]); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, c.name(tts.Cantonese, 0, same[0]))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[wavHeader+10] ^= 0x11
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Warm(ctx, same[1:2]); err != nil { // pushes same[0] out of memory
		t.Fatal(err)
	}
	if resident(c, same[0]) {
		t.Fatal("same[0] still resident")
	}
	if pcm, _ := speak(t, c, ctx, same[0]); !slices.Equal(pcm, fakeAudio(same[0], 8000)) || inner.calls.Load() != 3 {
		t.Errorf("calls %d: corrupt file served", inner.calls.Load())
	}
	if st := c.Stats(); st.Corrupt != 1 || st.Files != 2 || !resident(c, same[0]) {
		t.Errorf("stats %+v", st)
	}
	checkTiers(t, c)
}

// TestMemConcurrentHits reads prompts to the end from many goroutines at
// once while a memory tier of two entries churns under three prompts.
func TestMemConcurrentHits(t *testing.T) {
	ctx := context.Background()
	c, inner := memCache(t, t.TempDir(), 2, 3)
	if err := c.Warm(ctx, same); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 16*10)
	for g := range 16 {
		wg.Go(func() {
			<-start
			buf := make(audio.PCM16, 97+g) // odd sizes: reads straddle each other
			for i := range 10 {
				text := same[0]
				if g%4 == 3 {
					text = same[(g+i)%len(same)]
				}
				st, err := c.Synthesize(ctx, text)
				if err != nil {
					errs <- err.Error()
					return
				}
				var got audio.PCM16
				for {
					n, err := st.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				st.Close()
				if !slices.Equal(got, fakeAudio(text, 8000)) {
					errs <- text + ": " + strconv.Itoa(len(got)) + " samples, not the stored audio"
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if st := c.Stats(); inner.calls.Load() != 3 || st.Hits != 160 || st.MemHits == 0 {
		t.Errorf("calls %d, stats %+v", inner.calls.Load(), st)
	}
	checkTiers(t, c)
}

// TestFileNameStable pins the file name scheme, so files stored by earlier
// versions are still found.
func TestFileNameStable(t *testing.T) {
	c, _ := memCache(t, t.TempDir(), 1, 1)
	for _, tc := range []struct {
		lang, text string
		rate       int
	}{{tts.Cantonese, same[0], 0}, {tts.English, "Hello", 8000}, {"", "", 16000}, {tts.Cantonese, string(make([]rune, 400)), 48000}} {
		h := sha256.New()
		for _, part := range []string{c.cfg.Key, tc.lang, strconv.Itoa(tc.rate), tc.text} {
			h.Write([]byte(strconv.Itoa(len(part)) + "|" + part))
		}
		if got, want := c.name(tc.lang, tc.rate, tc.text), hex.EncodeToString(h.Sum(nil))+fileExt; got != want {
			t.Errorf("%q at %d: %s, want %s", tc.text, tc.rate, got, want)
		}
	}
}

// BenchmarkHit plays a warmed prompt to its end, from the memory tier and,
// with mem_bytes 0, from disk; natively and at 8 kHz from a synthesiser
// that has rates.
func BenchmarkHit(b *testing.B) {
	for _, bc := range []struct {
		name string
		mem  int64
		rate int
	}{{"mem", 1 << 20, 0}, {"disk", 0, 0}, {"mem8k", 1 << 20, 8000}, {"disk8k", 0, 8000}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{Dir: b.TempDir(), Key: "fake", MaxBytes: 1 << 20, MemBytes: bc.mem, Concurrency: 1}
			c, err := New(&rateSynth{fakeSynth{rate: 16000}}, cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			// 9 runes: 0.45 s, 14 KB at 16 kHz.
			warm := c.Warm
			if bc.rate > 0 {
				warm = func(ctx context.Context, texts []string) error { return c.WarmRate(ctx, texts, bc.rate) }
			}
			if err := warm(ctx, prompts[:1]); err != nil {
				b.Fatal(err)
			}
			buf := make(audio.PCM16, 320)
			b.ReportAllocs()
			for b.Loop() {
				var st tts.Stream
				if bc.rate == 0 {
					st, err = c.Synthesize(ctx, prompts[0])
				} else {
					st, err = c.SynthesizeRate(ctx, prompts[0], bc.rate)
				}
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := st.Read(buf); err == io.EOF {
						break
					}
				}
				st.Close()
			}
			if st := c.Stats(); st.Misses != 1 || (bc.mem > 0) != (st.MemHits == st.Hits) {
				b.Fatalf("stats %+v", st)
			}
		})
	}
}
