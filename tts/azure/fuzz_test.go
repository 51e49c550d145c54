package azure

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

// xmlText is what an XML parser reads back for s escaped by
// encoding/xml.EscapeText: invalid UTF-8 bytes and characters XML 1.0
// cannot hold become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, w := utf8.DecodeRuneInString(s)
		s = s[w:]
		ok := r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok || (r == utf8.RuneError && w == 1) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzSSML: whatever the text, the body is SSML the server accepts, it
// says exactly the text (break tags removed) and keeps every break.
func FuzzSSML(f *testing.F) {
	for _, s := range []string{sentence, `a & b < c > d ' e " f`, `一<break time="300ms"/>二`,
		"<speak><voice name='x'>", "]]>", "\x00\xff", `<break time="1.5s" />`, `<break time="x"/>`,
		"&lt;&#0;", "\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := SSML("zh-HK-HiuMaanNeural", "-5%", text)
		spoken := breakTag.ReplaceAllString(text, "")
		if errors.Is(err, tts.ErrEmptyText) {
			if strings.TrimSpace(spoken) != "" {
				t.Fatalf("%q has text but was called empty", text)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := ttstest.ParseAzureSSML([]byte(doc))
		if err != nil {
			t.Fatalf("%q gave invalid SSML: %v\n%s", text, err, doc)
		}
		if want := xmlText(spoken); got.Text != want {
			t.Fatalf("server reads %q, want %q", got.Text, want)
		}
		if n := len(breakTag.FindAllString(text, -1)); len(got.Breaks) != n {
			t.Fatalf("%d breaks, want %d", len(got.Breaks), n)
		}
	})
}

// FuzzErrorMessage: error bodies never panic, stay short and lose the secret.
func FuzzErrorMessage(f *testing.F) {
	f.Add([]byte(`{"error":{"code":"401","message":"Access denied for key s3cr3tkey"}}`))
	f.Add([]byte(`{"message":"x"}`))
	f.Add([]byte("plain s3cr3tkey text"))
	f.Add([]byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := message(body, []string{"s3cr3tkey"})
		if len(msg) > maxMessage+len("…") || !utf8.ValidString(msg) {
			t.Fatalf("message %q", msg)
		}
		if strings.Contains(msg, "s3cr3tkey") && !strings.Contains(string(body), "s3cr3tkey") {
			t.Fatal("secret invented")
		}
	})
}

// FuzzDecode feeds arbitrary bodies to the µ-law and PCM16 decoding.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0xff, 0x7f, 0x00}, true)
	f.Add([]byte{1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, data []byte, mulaw bool) {
		width := 2
		if mulaw {
			width = 1
		}
		src := newRawSource(bytes.NewReader(data), width)
		var out audio.PCM16
		buf := make(audio.PCM16, 333)
		for {
			n, err := src.read(buf)
			out = append(out, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(out) != len(data)/width {
			t.Fatalf("%d bytes gave %d samples", len(data), len(out))
		}
	})
}

// TestTimeToFirstAudio logs how long SynthesizeRate plus the first Read
// take against the local server.
func TestTimeToFirstAudio(t *testing.T) {
	srv := newServer(t, ttstest.AzureTTSOptions{ChunkDelay: -1})
	s := newSynth(t, srv, nil)
	for _, rate := range []int{8000, 16000} {
		say(t, s, context.Background(), sentence, rate) // warm the connection
		start := time.Now()
		st, err := s.SynthesizeRate(context.Background(), sentence, rate)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := st.Read(make(audio.PCM16, 160)); n == 0 || err != nil {
			t.Fatalf("first Read: %d, %v", n, err)
		}
		first := time.Since(start)
		readAll(t, st)
		st.Close()
		t.Logf("%d Hz: first audio after %v; whole reply after %v", rate, first, time.Since(start))
	}
}

// BenchmarkFirstAudio measures SynthesizeRate plus the first Read against
// the local server without pacing (the time our side adds).
func BenchmarkFirstAudio(b *testing.B) {
	srv := newServer(b, ttstest.AzureTTSOptions{ChunkDelay: -1})
	s := newSynth(b, srv, nil)
	buf := make(audio.PCM16, 160)
	b.ReportAllocs()
	for b.Loop() {
		st, err := s.SynthesizeRate(context.Background(), sentence, 8000)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := st.Read(buf); n == 0 || err != nil {
			b.Fatalf("first Read: %d, %v", n, err)
		}
		st.Close()
	}
}

// BenchmarkSSML measures building the request body for one sentence.
func BenchmarkSSML(b *testing.B) {
	text := `你好，我想幫你查詢戶口結餘。<break time="300ms"/>請稍等 & 留意 <提示>。`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SSML("zh-HK-HiuMaanNeural", "-5%", text); err != nil {
			b.Fatal(err)
		}
	}
}
