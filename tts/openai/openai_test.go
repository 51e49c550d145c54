package openai

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

const sentence = "你好，我想幫你查詢戶口結餘。"

// checkLikeSource asserts that decoded audio has the source's length
// (within the MP3 encoder delay and padding), level and tone.
func checkLikeSource(t *testing.T, got, src audio.PCM16, rate int, wantDBDiff float64) {
	t.Helper()
	dGot, dSrc := audio.Duration(len(got), rate), audio.Duration(len(src), rate)
	t.Logf("decoded %v at %.2f dBFS (tone ratio %.2f); source %v at %.2f dBFS", dGot, audio.DBFS(got),
		audio.ToneRatio(got, rate, ttstest.ToneHz), dSrc, audio.DBFS(src))
	if diff := dGot - dSrc; diff < 0 || diff > 150*time.Millisecond {
		t.Errorf("duration %v, source %v: MP3 adds 0..150 ms of delay and padding", dGot, dSrc)
	}
	if diff := audio.DBFS(got) - audio.DBFS(src) - wantDBDiff; math.Abs(diff) > 1 {
		t.Errorf("level %.2f dBFS, source %.2f dBFS, want a difference of %.1f dB ±1",
			audio.DBFS(got), audio.DBFS(src), wantDBDiff)
	}
	if !audio.FindTone(got, rate, ttstest.ToneHz) {
		t.Errorf("no %g Hz tone in the decoded audio (ratio %.2f)", ttstest.ToneHz,
			audio.ToneRatio(got, rate, ttstest.ToneHz))
	}
}

func TestMP3DecodedLikeSource(t *testing.T) {
	checkGoroutines(t)
	for _, stereo := range []bool{false, true} {
		srv := newServer(t, ttstest.OpenAISpeechOptions{Stereo: stereo})
		s := newSynth(t, srv, nil)
		pcm, rate := say(t, s, context.Background(), sentence)
		if rate != ttstest.OpenAIPCMRate {
			t.Fatalf("rate %d, want the MP3's 24000", rate)
		}
		// The stereo MP3 has silence on the right: the mono mix is 6 dB down.
		want := 0.0
		if stereo {
			want = 20 * math.Log10(0.5)
		}
		checkLikeSource(t, pcm, ttstest.OpenAISpeechPCM(sentence, 1), rate, want)
		req := srv.Requests()[0]
		if req.Format != "mp3" || req.Model != "gpt-4o-mini-tts" || req.Voice != "coral" ||
			req.Input != sentence || req.Speed != 1 || req.Authorization != "Bearer "+srv.Key() ||
			!strings.Contains(req.Instructions, "Hong Kong Cantonese") {
			t.Errorf("request %+v", req)
		}
	}
}

func TestPCMFormatIsExact(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{ChunkBytes: 333, ChunkDelay: -1}) // odd: samples split across chunks
	s := newSynth(t, srv, func(c *Config) { c.Format, c.Speed = FormatPCM, 1.25 })
	pcm, rate := say(t, s, context.Background(), sentence)
	src := ttstest.OpenAISpeechPCM(sentence, 1.25)
	if rate != PCMRate || len(pcm) != len(src) {
		t.Fatalf("rate %d, %d samples; want %d, %d", rate, len(pcm), PCMRate, len(src))
	}
	for i := range src {
		if pcm[i] != src[i] {
			t.Fatalf("sample %d = %d, want %d", i, pcm[i], src[i])
		}
	}
	if req := srv.Requests()[0]; req.Format != "pcm" || req.Speed != 1.25 {
		t.Errorf("format %q speed %g", req.Format, req.Speed)
	}
}

// TestFirstReadBeforeBodyEnds holds the reply after a few KB: audio must
// come out while the server has not sent the rest.
func TestFirstReadBeforeBodyEnds(t *testing.T) {
	checkGoroutines(t)
	for _, format := range []string{FormatMP3, FormatPCM} {
		t.Run(format, func(t *testing.T) {
			srv := newServer(t, ttstest.OpenAISpeechOptions{HoldAfter: 4096})
			s := newSynth(t, srv, func(c *Config) { c.Format = format })
			st, err := s.Synthesize(context.Background(), sentence)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			buf := make(audio.PCM16, 480)
			n, err := st.Read(buf)
			if err != nil || n == 0 {
				t.Fatalf("first Read: %d, %v", n, err)
			}
			req := srv.Requests()[0]
			if req.Sent >= req.Size {
				t.Fatalf("server had sent %d of %d bytes at the first Read", req.Sent, req.Size)
			}
			srv.Release()
			rest := readAll(t, st)
			if got := n + len(rest); got < len(ttstest.OpenAISpeechPCM(sentence, 1)) {
				t.Errorf("%d samples in all", got)
			}
		})
	}
}

func TestVoiceAndStylePerLanguage(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{ChunkDelay: -1})
	s := newSynth(t, srv, func(c *Config) {
		c.Format = FormatPCM
		c.Voices = tts.Voices{Cantonese: "coral", English: "alloy", Mandarin: "nova"}
	})
	tests := []struct {
		name, text, lang, voice, style string
	}{
		{"cantonese", "請問有咩可以幫到你？", "", "coral", "Hong Kong Cantonese"},
		{"english", "Your balance is 300 dollars.", "", "alloy", "English"},
		{"mandarin by context", "请问有什么可以帮你？", tts.Mandarin, "nova", "Mandarin"},
		{"english by context", "你好", tts.English, "alloy", "English"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.lang != "" {
				ctx = tts.WithLanguage(ctx, tc.lang)
			}
			say(t, s, ctx, tc.text)
			req := srv.Requests()[i]
			if req.Voice != tc.voice || !strings.Contains(req.Instructions, tc.style) {
				t.Errorf("voice %q instructions %q; want %q and %q", req.Voice, req.Instructions, tc.voice, tc.style)
			}
		})
	}
}

func TestNoInstructionsForTTS1(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{ChunkDelay: -1})
	s := newSynth(t, srv, func(c *Config) { c.Format, c.Model = FormatPCM, "tts-1-hd" })
	say(t, s, context.Background(), sentence)
	if req := srv.Requests()[0]; req.Model != "tts-1-hd" || req.Instructions != "" {
		t.Errorf("model %q instructions %q", req.Model, req.Instructions)
	}
}

func TestInput(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"你好<break time=\"300ms\"/>再見", "你好…再見", nil},
		{"Hi <BREAK time='1.5s' />  there\n", "Hi…there", nil},
		{"  a &  <b> 'c' \"d\" ", "a & <b> 'c' \"d\"", nil},
		{" <break time=\"300ms\"/> ", "", tts.ErrEmptyText},
		{"", "", tts.ErrEmptyText},
		{strings.Repeat("好", MaxInput), strings.Repeat("好", MaxInput), nil},
		{strings.Repeat("好", MaxInput+1), "", ErrTooLong},
	}
	for _, tc := range tests {
		got, err := Input(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("Input(%.20q) = %.20q, %v; want %.20q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestBreakTagsNeverReachTheServer(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{ChunkDelay: -1})
	s := newSynth(t, srv, func(c *Config) { c.Format = FormatPCM })
	say(t, s, context.Background(), `你好<break time="300ms"/>我係客服 & "助手"`)
	if got := srv.Requests()[0].Input; got != `你好…我係客服 & "助手"` {
		t.Errorf("input %q", got)
	}
}
