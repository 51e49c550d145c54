package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/spoken"
)

// serve warms the prompt cache with the menu and greeting as the call will
// ask for them, so the first caller's prompts come from disk.
func TestPromptsWarmedAsCallsAskForThem(t *testing.T) {
	c := defaultTTSConfig()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	_, pc, err := newSynthesizer(c, dir, log)
	if err != nil || pc == nil {
		t.Fatalf("cache %v, err %v", pc, err)
	}
	texts := append(ivr.DefaultMenu().Texts(), aiGreeting)
	opt := spoken.Options{RateUnit: c.RateUnit}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	warmPrompts(ctx, pc, texts, opt, c.MaxChunk, log)
	warmed := pc.Stats()
	if warmed.Files < len(texts) {
		t.Fatalf("%d prompts on disk after warming %d texts", warmed.Files, len(texts))
	}
	// a restart finds them on disk; what a phone call asks for is a hit
	synth, pc2, err := newSynthesizer(c, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	warmPrompts(ctx, pc2, texts, opt, c.MaxChunk, log)
	before := pc2.Stats()
	if before.Misses != 0 {
		t.Errorf("%d misses warming again after a restart", before.Misses)
	}
	rs := synth.(tts.RateSynthesizer)
	for _, s := range spoken.Split(ivr.DefaultMenu().Greeting, c.MaxChunk) {
		st, err := rs.SynthesizeRate(ctx, spoken.Text(s, opt), audio.Rate8k)
		if err != nil {
			t.Fatal(err)
		}
		pcm, _, err := readAll(st, 0, func() {})
		st.Close()
		if err != nil || len(pcm) == 0 {
			t.Fatalf("%d samples, %v", len(pcm), err)
		}
	}
	after := pc2.Stats()
	if after.Hits <= before.Hits || after.Misses != before.Misses {
		t.Errorf("greeting not served from the cache: hits %d→%d, misses %d→%d",
			before.Hits, after.Hits, before.Misses, after.Misses)
	}
}
