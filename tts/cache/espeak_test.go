package cache

import (
	"context"
	"slices"
	"testing"

	"github.com/yuecall/yuecall/tts/espeak"
)

// TestWithEspeak caches a prompt synthesised by the real espeak-ng.
func TestWithEspeak(t *testing.T) {
	synth, err := espeak.New(espeak.DefaultConfig(), nil)
	if err != nil {
		t.Fatalf("%v (make deps-test installs espeak-ng)", err)
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Dir, cfg.Key = dir, "espeak|yue|150|50"
	ctx := context.Background()
	const prompt = "歡迎致電粵通銀行，通話可能會被錄音。"
	direct, rate := speak(t, synth, ctx, prompt)

	c, err := New(synth, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Warm(ctx, []string{prompt, "Thank you for calling."}); err != nil {
		t.Fatal(err)
	}
	c2, err := New(synth, cfg, nil) // as after a restart
	if err != nil {
		t.Fatal(err)
	}
	c2.Add(prompt)
	got, gotRate := speak(t, c2, ctx, prompt)
	if gotRate != rate || !slices.Equal(got, direct) {
		t.Errorf("cached %d samples at %d Hz, espeak gave %d at %d", len(got), gotRate, len(direct), rate)
	}
	if st := c2.Stats(); st.Hits != 1 || st.Misses != 0 || st.Files != 2 {
		t.Errorf("stats %+v", st)
	}
}
