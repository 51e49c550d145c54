package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// Warm registers texts and synthesises, at the native rate, those not yet
// on disk (or whose file is corrupt), at most Config.Concurrency at once.
// The language of each is tts.LanguageOf(ctx, text). It returns the
// failures joined; texts that failed stay registered and are stored when
// first spoken.
func (c *Cache) Warm(ctx context.Context, texts []string) error {
	return c.warm(ctx, texts, 0)
}

// WarmRate is Warm for audio at rate Hz, for a caller that will use
// SynthesizeRate. When the wrapped synthesiser cannot synthesise at a rate,
// the native audio is warmed (SynthesizeRate resamples it).
func (c *Cache) WarmRate(ctx context.Context, texts []string, rate int) error {
	if rate <= 0 || rate > audio.MaxRate {
		return fmt.Errorf("cache: warm: %w: %d Hz", audio.ErrRate, rate)
	}
	if c.rated == nil {
		rate = 0
	}
	return c.warm(ctx, texts, rate)
}

func (c *Cache) warm(ctx context.Context, texts []string, rate int) error {
	c.Add(texts...)
	seen := map[string]bool{}
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, text := range texts {
		text = strings.TrimSpace(text)
		name := c.name(tts.LanguageOf(ctx, text), rate, text)
		if text == "" || seen[name] {
			continue
		}
		seen[name] = true
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return errors.Join(append(errs, fmt.Errorf("cache: warm: %w", ctx.Err()))...)
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := c.warmOne(ctx, text, name, rate); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("cache: warm %q: %w", text, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// warmOne synthesises text into the file name unless it is there and sound.
func (c *Cache) warmOne(ctx context.Context, text, name string, rate int) error {
	k := fileName([]byte(name))
	if _, _, ok := c.memGet(&k); ok {
		return nil
	}
	if _, _, ok := c.load(name); ok {
		return nil
	}
	c.misses.Add(1)
	st, err := c.synth(ctx, text, rate)
	if err != nil {
		return err
	}
	defer st.Close()
	pcm, err := tts.ReadAll(st)
	if err != nil {
		return err
	}
	if len(pcm) == 0 {
		return tts.ErrEmptyText
	}
	return c.store(name, pcm, st.SampleRate())
}
