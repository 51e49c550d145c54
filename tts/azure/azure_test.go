package azure

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

const sentence = "你好，我想幫你查詢戶口結餘。"

// TestRatesAndFormats: each rate asks for its format and comes back
// sample-exact: µ-law at 8 kHz is only expanded, never resampled.
func TestRatesAndFormats(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{ChunkBytes: 333, ChunkDelay: -1})
	s := newSynth(t, srv, nil)
	tests := []struct {
		rate   int
		format string
		mulaw  bool
	}{
		{8000, "raw-8khz-8bit-mono-mulaw", true},
		{16000, "raw-16khz-16bit-mono-pcm", false},
		{24000, "raw-24khz-16bit-mono-pcm", false},
	}
	for i, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			pcm, rate := say(t, s, context.Background(), sentence, tc.rate)
			req := srv.Requests()[i]
			want := req.SSML.Audio(tc.rate)
			if tc.mulaw {
				want = audio.DecodeULaw(nil, audio.EncodeULaw(nil, want))
			}
			if rate != tc.rate || req.OutputFormat != tc.format {
				t.Fatalf("rate %d format %q", rate, req.OutputFormat)
			}
			if i := same(pcm, want); i >= 0 {
				t.Fatalf("%d samples, want %d; first difference at %d", len(pcm), len(want), i)
			}
			if d := audio.Duration(len(pcm), rate); d != req.SSML.Duration() || d < time.Second {
				t.Errorf("duration %v, want %v", d, req.SSML.Duration())
			}
			if !audio.FindTone(pcm, rate, ttstest.ToneHz) {
				t.Errorf("no %g Hz tone at %d Hz", ttstest.ToneHz, rate)
			}
		})
	}
	if _, rate := say(t, s, context.Background(), sentence, 16000); rate != 16000 {
		t.Errorf("rate %d", rate)
	}
}

func TestDefaultRateAndHeaders(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{})
	s := newSynth(t, srv, func(c *Config) { c.SampleRate = 8000 })
	st, err := s.Synthesize(context.Background(), sentence)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, st)
	st.Close()
	req := srv.Requests()[0]
	if st.SampleRate() != 8000 || req.OutputFormat != Format8kMuLaw || req.UserAgent != "yuecall" ||
		req.ContentType != "application/ssml+xml" || req.SubscriptionKey != srv.Key() || req.Authorization != "" {
		t.Errorf("rate %d, request %+v", st.SampleRate(), req)
	}
	want := "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='zh-HK'>" +
		"<voice name='zh-HK-HiuMaanNeural'><prosody rate='-5%'>" + sentence + "</prosody></voice></speak>"
	if req.Body != want {
		t.Errorf("SSML\n%s\nwant\n%s", req.Body, want)
	}
}

func TestEscapingAndBreaksReachTheServer(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{ChunkDelay: -1})
	s := newSynth(t, srv, nil)
	text := `價錢 < 100 & "特價" 'A&B' > 50 <b>粗</b><break time="300ms"/>多謝<break time='1.5s' />再見 <break time="9s"/>`
	pcm, rate := say(t, s, context.Background(), text, 16000)
	doc := srv.Requests()[0].SSML
	wantText := `價錢 < 100 & "特價" 'A&B' > 50 <b>粗</b>多謝再見 `
	wantBreaks := []time.Duration{300 * time.Millisecond, 1500 * time.Millisecond, MaxBreak}
	if doc.Text != wantText || len(doc.Breaks) != 3 || doc.Breaks[0] != wantBreaks[0] ||
		doc.Breaks[1] != wantBreaks[1] || doc.Breaks[2] != wantBreaks[2] {
		t.Errorf("server read %q with breaks %v; want %q, %v", doc.Text, doc.Breaks, wantText, wantBreaks)
	}
	if d := audio.Duration(len(pcm), rate); d != doc.Duration() {
		t.Errorf("duration %v, want %v (text and pauses)", d, doc.Duration())
	}
}

func TestVoicePerLanguage(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{ChunkDelay: -1})
	s := newSynth(t, srv, nil)
	tests := []struct {
		text, lang, voice, xmlLang string
	}{
		{"請問有咩可以幫到你？", "", "zh-HK-HiuMaanNeural", "zh-HK"},
		{"Your balance is 300 dollars.", "", "en-US-JennyNeural", "en-US"},
		{`Press <break time="200ms"/> one.`, "", "en-US-JennyNeural", "en-US"},
		{"请问有什么可以帮你？", tts.Mandarin, "zh-CN-XiaoxiaoNeural", "zh-CN"},
		{"OK", tts.Cantonese, "zh-HK-HiuMaanNeural", "zh-HK"},
	}
	for i, tc := range tests {
		ctx := context.Background()
		if tc.lang != "" {
			ctx = tts.WithLanguage(ctx, tc.lang)
		}
		say(t, s, ctx, tc.text, 16000)
		doc := srv.Requests()[i].SSML
		if len(doc.Voices) != 1 || doc.Voices[0] != tc.voice || doc.Lang != tc.xmlLang || doc.Rate != "-5%" {
			t.Errorf("%q: voices %v lang %q rate %q; want %s, %s", tc.text, doc.Voices, doc.Lang, doc.Rate,
				tc.voice, tc.xmlLang)
		}
	}
}

// TestFirstReadBeforeBodyEnds holds the reply after 1 KB: audio must come
// out while the server has not sent the rest.
func TestFirstReadBeforeBodyEnds(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.AzureTTSOptions{HoldAfter: 1000})
	s := newSynth(t, srv, nil)
	st, err := s.SynthesizeRate(context.Background(), sentence, 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Read(make(audio.PCM16, 160))
	if n == 0 || err != nil {
		t.Fatalf("first Read: %d, %v", n, err)
	}
	if req := srv.Requests()[0]; req.Sent >= req.Size {
		t.Fatalf("server had sent %d of %d bytes at the first Read", req.Sent, req.Size)
	}
	srv.Release()
	if got, want := n+len(readAll(t, st)), srv.Requests()[0].Size; got != want {
		t.Errorf("%d samples, want %d", got, want)
	}
}

func TestEmptyText(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{})
	s := newSynth(t, srv, nil)
	for _, text := range []string{"", "  \n", `<break time="300ms"/> `} {
		if _, err := s.Synthesize(context.Background(), text); err != tts.ErrEmptyText {
			t.Errorf("%q: %v", text, err)
		}
	}
	if len(srv.Requests()) != 0 {
		t.Error("empty text reached the server")
	}
}

func TestSSMLIsValidForTheServer(t *testing.T) {
	tests := []struct {
		voice, rate, text, wantText string
		breaks                      int
	}{
		{"zh-HK-HiuMaanNeural", "-5%", "a&b<c>d'e\"f", "a&b<c>d'e\"f", 0},
		{"en-US-JennyNeural", "", "x <break time=\"300ms\">y</break>", "x <break time=\"300ms\">y</break>", 0},
		{"en-US-JennyNeural", "", "]]> <![CDATA[ <!-- --> &amp; &#x41;", "]]> <![CDATA[ <!-- --> &amp; &#x41;", 0},
		{"zh-HK-HiuMaanNeural", "+10%", "一<BREAK TIME=\"2S\"/>二<break time=' 40 ms ' / >三", "一二三", 2},
		{"zh-HK-HiuMaanNeural", "slow", "ctl\x00\x1b\ufffe bad\xff", "ctl\ufffd\ufffd\ufffd bad\ufffd", 0},
	}
	for _, tc := range tests {
		doc, err := SSML(tc.voice, tc.rate, tc.text)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		got, err := ttstest.ParseAzureSSML([]byte(doc))
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.text, err, doc)
		}
		if got.Text != tc.wantText || len(got.Breaks) != tc.breaks || got.Rate != tc.rate ||
			got.Voices[0] != tc.voice || !strings.HasPrefix(tc.voice, got.Lang) {
			t.Errorf("%q: parsed %+v", tc.text, got)
		}
	}
}
