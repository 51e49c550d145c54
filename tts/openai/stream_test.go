package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts/internal/idlebody"
	"github.com/yuecall/yuecall/tts/ttstest"
)

// decodeBody runs the stream's decoding over an in-memory body, as if the
// server had sent data, and returns the samples (at most limit) and the
// final error.
func decodeBody(data []byte, format string, limit int) (audio.PCM16, int, error) {
	return decodeReader(bytes.NewReader(data), format, limit)
}

// decodeReader is decodeBody over any reader.
func decodeReader(r io.Reader, format string, limit int) (audio.PCM16, int, error) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	st := &stream{body: idlebody.Start(0, nil).Attach(io.NopCloser(r)), ctx: ctx, cancel: cancel}
	if err := st.open(format); err != nil {
		return nil, 0, err
	}
	var out audio.PCM16
	buf := make(audio.PCM16, 1000)
	for len(out) < limit {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, st.rate, err
		}
	}
	return out, st.rate, nil
}

// FuzzDecode feeds arbitrary reply bodies to the MP3 and PCM decoding: it
// must never panic, and must end with io.EOF or an ErrAudio error.
func FuzzDecode(f *testing.F) {
	mp3, err := ttstest.EncodeMP3(context.Background(), ttstest.Speech(300*time.Millisecond, 24000), 24000, false)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mp3, false)
	f.Add(mp3[:len(mp3)/2], false)
	f.Add(append([]byte("ID3\x04\x00\x00\x00\x00\x00\x10"), mp3[:400]...), false)
	f.Add([]byte{0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0}, false)
	f.Add([]byte(`{"error":{"message":"x"}}`), false)
	f.Add([]byte{1, 2, 3}, true)
	f.Fuzz(func(t *testing.T, data []byte, pcm bool) {
		format := FormatMP3
		if pcm {
			format = FormatPCM
		}
		out, rate, err := decodeBody(data, format, 1<<20)
		switch {
		case err == nil && len(out) < 1<<20:
			t.Fatalf("%d samples and no error", len(out))
		case err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, ErrAudio):
			t.Fatalf("error %v is neither io.EOF nor ErrAudio", err)
		case pcm && errors.Is(err, io.EOF) && len(out) != len(data)/2:
			t.Fatalf("%d bytes of PCM gave %d samples", len(data), len(out))
		case len(out) > 0 && rate <= 0:
			t.Fatalf("rate %d", rate)
		}
	})
}

func TestDecodeEmptyAndGarbage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("<html>busy</html>"), bytes.Repeat([]byte{0}, 5000)} {
		if _, _, err := decodeBody(data, FormatMP3, 1000); !errors.Is(err, ErrAudio) {
			t.Errorf("%.10q: %v, want ErrAudio", data, err)
		}
	}
}

// TestTimeToFirstAudio logs how long Synthesize plus the first Read take
// against the local server.
func TestTimeToFirstAudio(t *testing.T) {
	srv := newServer(t, ttstest.OpenAISpeechOptions{ChunkDelay: -1})
	for _, format := range []string{FormatMP3, FormatPCM} {
		s := newSynth(t, srv, func(c *Config) { c.Format = format })
		say(t, s, context.Background(), sentence) // warm the connection and the MP3 cache
		start := time.Now()
		st, err := s.Synthesize(context.Background(), sentence)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := st.Read(make(audio.PCM16, 480)); n == 0 || err != nil {
			t.Fatalf("first Read: %d, %v", n, err)
		}
		first := time.Since(start)
		rest := readAll(t, st)
		st.Close()
		t.Logf("%s: first audio after %v; whole reply after %v (%d samples)", format, first,
			time.Since(start), len(rest))
	}
}

// BenchmarkFirstAudio measures Synthesize plus the first Read against the
// local server without pacing (the time our side adds).
func BenchmarkFirstAudio(b *testing.B) {
	for _, format := range []string{FormatMP3, FormatPCM} {
		b.Run(format, func(b *testing.B) {
			srv := newServer(b, ttstest.OpenAISpeechOptions{ChunkDelay: -1})
			s := newSynth(b, srv, func(c *Config) { c.Format = format })
			buf := make(audio.PCM16, 480)
			b.ReportAllocs()
			for b.Loop() {
				st, err := s.Synthesize(context.Background(), sentence)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := st.Read(buf); n == 0 || err != nil {
					b.Fatalf("first Read: %d, %v", n, err)
				}
				st.Close()
			}
		})
	}
}

// BenchmarkDecodeMP3 measures decoding one second of MP3 to mono PCM16.
func BenchmarkDecodeMP3(b *testing.B) {
	mp3, err := ttstest.EncodeMP3(context.Background(), ttstest.Speech(time.Second, 24000), 24000, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(mp3)))
	for b.Loop() {
		if _, _, err := decodeBody(mp3, FormatMP3, 1<<20); !errors.Is(err, io.EOF) {
			b.Fatal(err)
		}
	}
}

func TestID3TagSkipped(t *testing.T) {
	mp3, err := ttstest.EncodeMP3(context.Background(), ttstest.Speech(300*time.Millisecond, 24000), 24000, false)
	if err != nil {
		t.Fatal(err)
	}
	tag := append([]byte("ID3\x04\x00\x00\x00\x00\x01\x00"), make([]byte, 128)...) // 128-byte tag
	out, rate, err := decodeBody(append(tag, mp3...), FormatMP3, 1<<20)
	if !errors.Is(err, io.EOF) || rate != 24000 || audio.Duration(len(out), rate) < 300*time.Millisecond {
		t.Errorf("tagged MP3: %d samples at %d Hz, %v", len(out), rate, err)
	}
	huge := append([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"), mp3...) // declares 256 MiB
	if _, _, err := decodeBody(huge, FormatMP3, 1<<20); !errors.Is(err, ErrAudio) {
		t.Errorf("huge tag: %v, want ErrAudio", err)
	}
}

// TestOneByteAtATime: samples split across reads (odd bytes, partial MP3
// frames) decode exactly as the whole body does.
func TestOneByteAtATime(t *testing.T) {
	src := ttstest.Speech(200*time.Millisecond, 24000)
	mp3, err := ttstest.EncodeMP3(context.Background(), src, 24000, true)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 0, 2*len(src))
	for _, v := range src {
		raw = append(raw, byte(v), byte(uint16(v)>>8))
	}
	for _, tc := range []struct {
		format string
		data   []byte
	}{{FormatMP3, mp3}, {FormatPCM, raw}} {
		whole, _, err1 := decodeBody(tc.data, tc.format, 1<<20)
		bytewise, _, err2 := decodeReader(iotest.OneByteReader(bytes.NewReader(tc.data)), tc.format, 1<<20)
		if !errors.Is(err1, io.EOF) || !errors.Is(err2, io.EOF) || len(whole) == 0 || len(whole) != len(bytewise) {
			t.Fatalf("%s: %d samples (%v) vs %d byte by byte (%v)", tc.format, len(whole), err1, len(bytewise), err2)
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("%s: sample %d differs", tc.format, i)
			}
		}
	}
	if pcm, _, _ := decodeBody(raw, FormatPCM, 1<<20); len(pcm) != len(src) || pcm[100] != src[100] {
		t.Error("pcm decoding is not the identity")
	}
}
