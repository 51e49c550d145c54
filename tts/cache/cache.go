package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/yuecall/yuecall/tts"
)

// Errors New and Validate return wrap ErrConfig.
var ErrConfig = errors.New("cache: bad config")

// Config places the cache and names what it caches.
type Config struct {
	// Dir holds the WAV files; it is created if missing.
	Dir string `yaml:"dir"`
	// Key names the provider and voice (for example "espeak|yue|150|50");
	// it is part of every entry's key, so a change of voice or provider
	// never serves the old audio.
	Key string `yaml:"key"`
	// MaxBytes bounds the files in Dir; the least recently used go first.
	MaxBytes int64 `yaml:"max_bytes"`
	// MemBytes bounds the decoded samples kept in memory in front of the
	// files (2 bytes a sample), so a hit reads no file; the least recently
	// used go first and an entry larger than MemBytes is never kept. 0
	// disables the memory tier.
	MemBytes int64 `yaml:"mem_bytes"`
	// Concurrency bounds how many prompts Warm synthesises at once.
	Concurrency int `yaml:"concurrency"`
}

// DefaultConfig returns a 64 MiB cache with 16 MiB of it also in memory,
// warmed two prompts at a time. Dir and Key must still be set.
func DefaultConfig() Config {
	return Config{MaxBytes: 64 << 20, MemBytes: 16 << 20, Concurrency: 2}
}

// Validate reports a bad setting.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return fmt.Errorf("%w: dir is empty", ErrConfig)
	case c.Key == "":
		return fmt.Errorf("%w: key is empty (name the provider and voice)", ErrConfig)
	case c.MaxBytes <= 0:
		return fmt.Errorf("%w: max_bytes %d must be positive", ErrConfig, c.MaxBytes)
	case c.MemBytes < 0:
		return fmt.Errorf("%w: mem_bytes %d must be 0 (off) or positive", ErrConfig, c.MemBytes)
	case c.Concurrency < 1 || c.Concurrency > 64:
		return fmt.Errorf("%w: concurrency %d out of range 1..64", ErrConfig, c.Concurrency)
	}
	return nil
}

// Stats counts what the cache did since New.
type Stats struct {
	Hits     int64 // registered texts served from the cache (memory or disk)
	MemHits  int64 // those of Hits served from memory, reading no file
	Misses   int64 // registered texts synthesised (by Synthesize or Warm)
	Corrupt  int64 // files found corrupt or truncated and deleted
	Evicted  int64 // files deleted to stay under MaxBytes
	Bytes    int64 // size of the files in Dir now
	Files    int   // number of files in Dir now
	MemBytes int64 // decoded samples held in memory now
}

// Cache wraps a synthesiser and serves registered prompts from disk. It is
// safe for concurrent use.
//
// Cache is always a tts.RateSynthesizer: when the wrapped synthesiser is
// one, the rate is passed to it and is part of the key; otherwise the
// native audio is cached and resampled to the asked rate.
type Cache struct {
	inner tts.Synthesizer
	rated tts.RateSynthesizer // inner, when it can synthesise at a rate
	cfg   Config
	log   *slog.Logger

	hits, memHits, misses, corrupt, evicted atomic.Int64

	mu       sync.Mutex // guards the fields below; never held during I/O
	texts    map[string]bool
	files    map[string]*entry // by file name; also the memory tier
	bytes    int64             // size of the files
	memBytes int64             // size of the entries' samples in memory
	clock    uint64            // ticks on every use, for least-recently-used order
}

var (
	_ tts.Synthesizer     = (*Cache)(nil)
	_ tts.RateSynthesizer = (*Cache)(nil)
)

// New opens (or creates) cfg.Dir, indexes the files already there and
// removes temporary files a crash left behind.
func New(inner tts.Synthesizer, cfg Config, log *slog.Logger) (*Cache, error) {
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConfig().Concurrency
	}
	if inner == nil {
		return nil, fmt.Errorf("%w: no synthesiser to wrap", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c := &Cache{inner: inner, cfg: cfg, log: log, texts: map[string]bool{}, files: map[string]*entry{}}
	c.rated, _ = inner.(tts.RateSynthesizer)
	if err := c.scan(); err != nil {
		return nil, err
	}
	c.evict("")
	log.Debug("prompt cache open", "dir", cfg.Dir, "files", len(c.files), "bytes", c.bytes)
	return c, nil
}

// Add registers prompt texts for caching without synthesising them; they
// are stored the first time they are spoken.
func (c *Cache) Add(texts ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			c.texts[t] = true
		}
	}
}

func (c *Cache) registered(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.texts[text]
}

// Synthesize serves a registered text from disk, or synthesises it with the
// wrapped synthesiser, storing the audio as it is read to the end. Other
// texts go to the wrapped synthesiser untouched.
func (c *Cache) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	t := strings.TrimSpace(text)
	if !c.registered(t) {
		return c.inner.Synthesize(ctx, text)
	}
	return c.cached(ctx, t, 0)
}

// SynthesizeRate is Synthesize with audio at rate Hz.
func (c *Cache) SynthesizeRate(ctx context.Context, text string, rate int) (tts.Stream, error) {
	t := strings.TrimSpace(text)
	var st tts.Stream
	var err error
	switch {
	case c.rated != nil && !c.registered(t):
		return c.rated.SynthesizeRate(ctx, text, rate)
	case c.rated != nil:
		return c.cached(ctx, t, rate)
	default:
		st, err = c.Synthesize(ctx, text)
	}
	if err != nil {
		return nil, err
	}
	return resampled(st, rate)
}

// cached serves text at rate (0: native) from memory, from disk or
// synthesises it. A memory hit allocates only its memStream.
func (c *Cache) cached(ctx context.Context, text string, rate int) (tts.Stream, error) {
	k := c.fileKey(tts.LanguageOf(ctx, text), rate, text)
	if pcm, r, ok := c.memGet(&k); ok {
		c.hits.Add(1)
		c.memHits.Add(1)
		return &memStream{pcm: pcm, rate: r}, nil
	}
	name := string(k[:])
	if pcm, r, ok := c.load(name); ok {
		c.hits.Add(1)
		return &memStream{pcm: pcm, rate: r}, nil
	}
	c.misses.Add(1)
	st, err := c.synth(ctx, text, rate)
	if err != nil {
		return nil, err
	}
	return &teeStream{st: st, c: c, name: name, limit: c.cfg.MaxBytes}, nil
}

func (c *Cache) synth(ctx context.Context, text string, rate int) (tts.Stream, error) {
	if rate > 0 {
		return c.rated.SynthesizeRate(ctx, text, rate)
	}
	return c.inner.Synthesize(ctx, text)
}

// name is the file of one entry: the hex sha256 of Key, language, rate
// and text, each preceded by its length and "|", then ".wav".
func (c *Cache) name(lang string, rate int, text string) string {
	k := c.fileKey(lang, rate, text)
	return string(k[:])
}

func (c *Cache) path(name string) string { return filepath.Join(c.cfg.Dir, name) }

// Stats returns the counters and the size of the cache now.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	bytes, files, mem := c.bytes, len(c.files), c.memBytes
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), MemHits: c.memHits.Load(), Misses: c.misses.Load(),
		Corrupt: c.corrupt.Load(), Evicted: c.evicted.Load(), Bytes: bytes, Files: files,
		MemBytes: mem}
}
