package espeak

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

func newSynth(t *testing.T) *Synthesizer {
	t.Helper()
	s, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatalf("%v (make deps-test installs espeak-ng)", err)
	}
	return s
}

func readAll(t *testing.T, st tts.Stream) audio.PCM16 {
	t.Helper()
	var out audio.PCM16
	buf := make(audio.PCM16, 777)
	for {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// say synthesises text to the end and returns the audio and its rate.
func say(t *testing.T, s *Synthesizer, text string) (audio.PCM16, int) {
	t.Helper()
	st, err := s.Synthesize(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return readAll(t, st), st.SampleRate()
}

func TestSynthesizeCantonese(t *testing.T) {
	pcm, rate := say(t, newSynth(t), "你好，我想查詢戶口結餘。")
	d := audio.Duration(len(pcm), rate)
	if rate != 22050 || d < time.Second || d > 6*time.Second {
		t.Errorf("rate %d, duration %v", rate, d)
	}
	if db := audio.DBFS(pcm); db < -30 {
		t.Errorf("speech level %.1f dBFS: too quiet to be speech", db)
	}
}

func TestSpeedChangesDuration(t *testing.T) {
	dur := func(speed int) time.Duration {
		cfg := DefaultConfig()
		cfg.Speed = speed
		s, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		pcm, rate := say(t, s, "粵通銀行大部分分行星期一至五朝早九點開門")
		return audio.Duration(len(pcm), rate)
	}
	slow, fast := dur(120), dur(250)
	if fast >= slow*3/4 {
		t.Errorf("speed 250 gave %v, speed 120 gave %v", fast, slow)
	}
}

func TestEmptyTextAndBadConfig(t *testing.T) {
	s := newSynth(t)
	if _, err := s.Synthesize(context.Background(), "  "); !errors.Is(err, tts.ErrEmptyText) {
		t.Errorf("empty text: %v", err)
	}
	for _, c := range []Config{{Voice: "", Speed: 150}, {Voice: "yue", Speed: 10}, {Voice: "yue", Speed: 150, Pitch: 120}} {
		if _, err := New(c, nil); err == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	if _, err := New(Config{Binary: "no-such-espeak", Voice: "yue", Speed: 150}, nil); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("missing binary: %v", err)
	}
}

func TestTextStartingWithDashIsNotAFlag(t *testing.T) {
	if pcm, _ := say(t, newSynth(t), "--version 你好"); len(pcm) == 0 {
		t.Error("no audio")
	}
}

func TestCloseMidStream(t *testing.T) {
	s := newSynth(t)
	st, err := s.Synthesize(context.Background(), "一二三四五六七八九十，一二三四五六七八九十，一二三四五六七八九十。")
	if err != nil {
		t.Fatal(err)
	}
	buf := make(audio.PCM16, 100)
	if _, err := st.Read(buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { st.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close hung")
	}
}
