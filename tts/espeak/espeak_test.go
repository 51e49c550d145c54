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

func TestSynthesizeCantonese(t *testing.T) {
	s := newSynth(t)
	st, err := s.Synthesize(context.Background(), "你好，我想查詢戶口結餘。")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pcm := readAll(t, st)
	d := audio.Duration(len(pcm), st.SampleRate())
	if st.SampleRate() != 22050 || d < time.Second || d > 6*time.Second {
		t.Errorf("rate %d, duration %v", st.SampleRate(), d)
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
		st, err := s.Synthesize(context.Background(), "粵通銀行大部分分行星期一至五朝早九點開門")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return audio.Duration(len(readAll(t, st)), st.SampleRate())
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
	s := newSynth(t)
	st, err := s.Synthesize(context.Background(), "--version 你好")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if len(readAll(t, st)) == 0 {
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
