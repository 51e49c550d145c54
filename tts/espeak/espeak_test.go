package espeak

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
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

func TestBreakTagsLengthenAudio(t *testing.T) {
	s := newSynth(t)
	dur := func(text string) time.Duration {
		pcm, rate := say(t, s, text)
		return audio.Duration(len(pcm), rate)
	}
	plain := dur("一二三四五六")
	for _, tc := range []struct {
		tag  string
		want time.Duration
	}{
		{`<break time="1000ms"/>`, time.Second},
		{`<break time="500ms"/>`, 500 * time.Millisecond},
		{`<break time='1.5s' />`, 1500 * time.Millisecond},
	} {
		got := dur("一二三"+tc.tag+"四五六") - plain
		if got < tc.want*7/10 || got > tc.want*13/10+100*time.Millisecond {
			t.Errorf("%s added %v, want about %v", tc.tag, got, tc.want)
		}
	}
}

func TestCommand(t *testing.T) {
	s := newSynth(t)
	ctx := context.Background()
	br := `<break time="300ms"/>`
	tests := []struct {
		name  string
		ctx   context.Context
		text  string
		voice string
		ssml  bool
		input string
	}{
		{"cantonese plain", ctx, "你好", "yue", false, "你好"},
		{"english", ctx, "Thank you for calling.", "en-us", false, "Thank you for calling."},
		{"mixed is cantonese", ctx, "我張credit card", "yue", false, "我張credit card"},
		{"mandarin asked", tts.WithLanguage(ctx, tts.Mandarin), "你好", "cmn", false, "你好"},
		{"breaks become ssml", ctx, "九一二三" + br + "四五六七", "yue", true,
			"<speak>九一二三" + br + "四五六七</speak>"},
		{"other markup escaped", ctx, "A<b>&C " + br + "你好", "yue", true,
			"<speak>A&lt;b&gt;&amp;C " + br + "你好</speak>"},
		{"english with breaks", ctx, "Press one" + br + "or two", "en-us", true,
			"<speak>Press one" + br + "or two</speak>"},
		{"seconds become ms", ctx, `一<break time='1.5s' />二`, "yue", true,
			`<speak>一<break time="1500ms"/>二</speak>`},
		{"speak passed through", ctx, "<speak>Hello</speak>", "en-us", true, "<speak>Hello</speak>"},
		{"unknown tag not ssml", ctx, "<b>粗體</b>", "yue", false, "<b>粗體</b>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args, input := s.command(tc.ctx, tc.text)
			joined := strings.Join(args, " ")
			if !strings.HasPrefix(joined, "-v "+tc.voice+" ") {
				t.Errorf("args %q, want voice %s", joined, tc.voice)
			}
			if got := slices.Contains(args, "-m"); got != tc.ssml {
				t.Errorf("args %q: ssml %v, want %v", joined, got, tc.ssml)
			}
			if slices.Contains(args, "-z") {
				t.Errorf("args %q: -z", joined)
			}
			if input != tc.input {
				t.Errorf("stdin %q, want %q", input, tc.input)
			}
		})
	}
}

func TestEnglishVoiceSoundsDifferent(t *testing.T) {
	s := newSynth(t)
	text := "Thank you for calling."
	synth := func(ctx context.Context) audio.PCM16 {
		st, err := s.Synthesize(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return readAll(t, st)
	}
	en := synth(context.Background())
	yue := synth(tts.WithLanguage(context.Background(), tts.Cantonese))
	if len(en) == 0 || slices.Equal(en, yue) {
		t.Errorf("English voice gave %d samples, same as the Cantonese voice: %v", len(en), slices.Equal(en, yue))
	}
}

func TestEscapedMarkupIsSpoken(t *testing.T) {
	s := newSynth(t)
	br := `<break time="100ms"/>`
	withMarkup, rate := say(t, s, "A<B & C"+br+"D")
	plain, _ := say(t, s, "A B and C"+br+"D")
	d, dp := audio.Duration(len(withMarkup), rate), audio.Duration(len(plain), rate)
	if d < dp/2 {
		t.Errorf("text with markup gave %v against %v: part of it was swallowed", d, dp)
	}
}

func TestVoiceConfig(t *testing.T) {
	c := DefaultConfig()
	if c.voice(tts.Cantonese) != "yue" || c.voice(tts.English) != "en-us" || c.voice(tts.Mandarin) != "cmn" {
		t.Errorf("default voices: %+v", c)
	}
	c.Voices = tts.Voices{}
	if c.voice(tts.English) != "yue" {
		t.Errorf("empty Voices should fall back to Voice, got %q", c.voice(tts.English))
	}
	for _, v := range []string{"-x", "en us", "yue;rm"} {
		bad := DefaultConfig()
		bad.Voices.English = v
		if err := bad.Validate(); err == nil {
			t.Errorf("voice %q: want an error", v)
		}
	}
	only := Config{Voices: tts.Voices{Cantonese: "yue"}, Speed: 150}
	if err := only.Validate(); err != nil || only.voice(tts.English) != "yue" {
		t.Errorf("Voices.Cantonese alone: %v, english voice %q", err, only.voice(tts.English))
	}
}

func FuzzToSSML(f *testing.F) {
	f.Add(`九一二三<break time="300ms"/>四五六七`)
	f.Add(`A<b>&C <break time='1.5s' /> <break/> <break time="99999999s"/>`)
	f.Fuzz(func(t *testing.T, text string) {
		out := toSSML(text)
		inner := strings.TrimSuffix(strings.TrimPrefix(out, "<speak>"), "</speak>")
		rest := breakTag.ReplaceAllString(inner, "")
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("toSSML(%q) = %q leaves markup", text, out)
		}
	})
}
