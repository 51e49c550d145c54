package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os/exec"
	"slices"
	"testing"
	"testing/iotest"
	"time"
)

// wavSpec describes a WAV file for wavBytes.
type wavSpec struct {
	tag, channels, bits int
	rate                int
	extensible          bool
	data                []byte
	riffSize, dataSize  uint32 // 0: computed
	zeroSizes           bool   // write 0 for both sizes, as some streaming writers do
	before, after       []byte // raw chunks before fmt and between fmt and data
	trailer             []byte // bytes after the data chunk
}

func chunk(id string, body []byte) []byte {
	out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	out = append(out, body...)
	if len(body)%2 == 1 {
		out = append(out, 0) // pad byte
	}
	return out
}

func wavBytes(s wavSpec) []byte {
	le := binary.LittleEndian
	width := s.bits / 8
	var f []byte
	tag := s.tag
	if s.extensible {
		tag = wavFormatExtensible
	}
	f = le.AppendUint16(f, uint16(tag))
	f = le.AppendUint16(f, uint16(s.channels))
	f = le.AppendUint32(f, uint32(s.rate))
	f = le.AppendUint32(f, uint32(s.rate*s.channels*width))
	f = le.AppendUint16(f, uint16(s.channels*width))
	f = le.AppendUint16(f, uint16(s.bits))
	if s.extensible {
		f = le.AppendUint16(f, 22)
		f = le.AppendUint16(f, uint16(s.bits))
		f = le.AppendUint32(f, 3) // front left and right
		f = le.AppendUint16(f, uint16(s.tag))
		f = append(f, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
	}
	body := append([]byte("WAVE"), s.before...)
	body = append(body, chunk("fmt ", f)...)
	body = append(body, s.after...)
	data := chunk("data", s.data)
	if s.dataSize != 0 {
		le.PutUint32(data[4:], s.dataSize)
	}
	body = append(body, data...)
	body = append(body, s.trailer...)
	riff := chunk("RIFF", body)
	if s.riffSize != 0 {
		le.PutUint32(riff[4:], s.riffSize)
	}
	if s.zeroSizes {
		le.PutUint32(riff[4:], 0)
		i := bytes.Index(riff, []byte("data"))
		le.PutUint32(riff[i+4:], 0)
	}
	return riff
}

func pcmBytes(s PCM16) []byte {
	var out []byte
	for _, v := range s {
		out = binary.LittleEndian.AppendUint16(out, uint16(v))
	}
	return out
}

func TestWAVRoundTrip(t *testing.T) {
	in := speech(4001, 16000, -20, 1)
	in[0], in[1] = 32767, -32768
	var buf bytes.Buffer
	if err := WriteWAV(&buf, in, 16000); err != nil {
		t.Fatal(err)
	}
	want := wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 16000, data: pcmBytes(in)})
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("WriteWAV header %x, want %x", buf.Bytes()[:44], want[:44])
	}
	got, rate, err := ReadWAV(&buf)
	if err != nil || rate != 16000 || !slices.Equal(got, in) {
		t.Fatalf("ReadWAV: %d samples at %d Hz, %v", len(got), rate, err)
	}
	if err := WriteWAV(io.Discard, in, 0); !errors.Is(err, ErrRate) {
		t.Errorf("rate 0: %v", err)
	}
	if err := WriteWAV(iotest.TruncateWriter(io.Discard, 0), in, 8000); err != nil {
		t.Errorf("WriteWAV to a discarding writer: %v", err)
	}
	if err := WriteWAV(errWriter{}, in, 8000); err == nil {
		t.Error("write error not returned")
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReadWAVFormats(t *testing.T) {
	pcm := PCM16{0, 1000, -1000, 32767, -32768, 7}
	stereo := pcmBytes(PCM16{100, 300, -100, -301, 32767, 32767, -32768, -32768})
	law := []byte{0xFF, 0x80, 0x00, 0x7E, 0xD5}
	listOdd := chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00"))
	tests := []struct {
		name string
		file []byte
		rate int
		want PCM16
	}{
		{"pcm16", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(pcm)}), 8000, pcm},
		{"ulaw", wavBytes(wavSpec{tag: 7, channels: 1, bits: 8, rate: 8000, data: law}), 8000, DecodeULaw(nil, law)},
		{"alaw", wavBytes(wavSpec{tag: 6, channels: 1, bits: 8, rate: 8000, data: law}), 8000, DecodeALaw(nil, law)},
		{"stereo mixed down", wavBytes(wavSpec{tag: 1, channels: 2, bits: 16, rate: 44100, data: stereo}), 44100, PCM16{200, -201, 32767, -32768}},
		{"extensible stereo", wavBytes(wavSpec{tag: 1, channels: 2, bits: 16, rate: 48000, extensible: true, data: stereo}), 48000, PCM16{200, -201, 32767, -32768}},
		{"extensible ulaw", wavBytes(wavSpec{tag: 7, channels: 1, bits: 8, rate: 8000, extensible: true, data: law}), 8000, DecodeULaw(nil, law)},
		{"espeak placeholder sizes", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 22050, data: pcmBytes(pcm), riffSize: 0x7FFFF024, dataSize: 0x7FFFF000}), 22050, pcm},
		{"streaming zero sizes", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(pcm), zeroSizes: true}), 8000, pcm},
		{"LIST and fact chunks with pad bytes", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(pcm), before: listOdd, after: chunk("fact", []byte{6, 0, 0, 0, 1})}), 8000, pcm},
		{"chunk after data", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(pcm), trailer: listOdd}), 8000, pcm},
		{"odd trailing byte", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: append(pcmBytes(pcm), 0x55)}), 8000, pcm},
		{"truncated data", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(pcm), dataSize: 1000}), 8000, pcm},
		{"empty data", wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, riffSize: 36}), 8000, nil},
	}
	for _, tc := range tests {
		for _, mode := range []string{"whole", "one byte at a time"} {
			var r io.Reader = bytes.NewReader(tc.file)
			if mode != "whole" {
				r = iotest.OneByteReader(r)
			}
			got, rate, err := ReadWAV(r)
			if err != nil || rate != tc.rate || !slices.Equal(got, tc.want) {
				t.Errorf("%s (%s): got %v at %d Hz, %v; want %v at %d Hz", tc.name, mode, got, rate, err, tc.want, tc.rate)
			}
		}
	}
}

func TestReadWAVErrors(t *testing.T) {
	ok := wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: []byte{1, 2}}
	mod := func(f func(*wavSpec)) []byte {
		s := ok
		f(&s)
		return wavBytes(s)
	}
	good := wavBytes(ok)
	noData := good[:len(good)-10]
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotWAV},
		{"short", []byte("RIFF"), ErrNotWAV},
		{"RIFX", append([]byte("RIFX"), good[4:]...), ErrNotWAV},
		{"AVI", append(append([]byte{}, good[:8]...), append([]byte("AVI "), good[12:]...)...), ErrNotWAV},
		{"float", mod(func(s *wavSpec) { s.tag, s.bits = 3, 32 }), ErrUnsupportedWAV},
		{"8-bit pcm", mod(func(s *wavSpec) { s.bits = 8 }), ErrUnsupportedWAV},
		{"24-bit pcm", mod(func(s *wavSpec) { s.bits = 24 }), ErrUnsupportedWAV},
		{"no channels", mod(func(s *wavSpec) { s.channels = 0 }), ErrUnsupportedWAV},
		{"rate 0", mod(func(s *wavSpec) { s.rate = 0 }), ErrUnsupportedWAV},
		{"no data chunk", noData, ErrMalformedWAV},
		{"data before fmt", []byte("RIFF\x00\x00\x00\x00WAVEdata\x02\x00\x00\x00\x01\x02"), ErrMalformedWAV},
		{"short fmt", []byte("RIFF\x00\x00\x00\x00WAVEfmt \x04\x00\x00\x00\x01\x00\x01\x00"), ErrMalformedWAV},
		{"fmt cut short", good[:30], ErrMalformedWAV},
		{"huge chunk cut short", []byte("RIFF\x00\x00\x00\x00WAVELIST\xff\xff\xff\x7f"), ErrMalformedWAV},
		{"short extensible", mod(func(s *wavSpec) { s.tag = wavFormatExtensible }), ErrMalformedWAV},
	}
	for _, tc := range tests {
		pcm, rate, err := ReadWAV(bytes.NewReader(tc.file))
		if !errors.Is(err, tc.want) || pcm != nil || rate != 0 {
			t.Errorf("%s: ReadWAV = %d samples, %d Hz, %v; want %v", tc.name, len(pcm), rate, err, tc.want)
		}
	}
	// Block align that does not match the channels.
	bad := wavBytes(ok)
	binary.LittleEndian.PutUint16(bad[32:], 4)
	if _, _, err := ReadWAV(bytes.NewReader(bad)); !errors.Is(err, ErrMalformedWAV) {
		t.Errorf("bad block align: %v", err)
	}
}

func TestWAVReaderStreaming(t *testing.T) {
	in := speech(3000, 8000, -20, 2)
	file := wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcmBytes(in), dataSize: 0x7FFFF000})
	w, err := NewWAVReader(iotest.HalfReader(bytes.NewReader(file)))
	if err != nil || w.SampleRate() != 8000 || w.Channels() != 1 {
		t.Fatalf("NewWAVReader: %v", err)
	}
	var got PCM16
	buf := make(PCM16, 7)
	for {
		n, err := w.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, in) {
		t.Fatalf("streamed %d samples, want %d", len(got), len(in))
	}
	if n, err := w.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("Read after EOF = %d, %v", n, err)
	}
	if n, err := w.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	// A read error in the data is returned once the good samples are read.
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(file[:44+100]), iotest.ErrReader(boom))
	if _, _, err := ReadWAV(r); !errors.Is(err, boom) {
		t.Errorf("read error: %v", err)
	}
}

// TestReadWAVEspeak reads real espeak-ng output (placeholder sizes from
// --stdout) and runs it through the telephone receive chain: resample to
// 8 kHz, µ-law, back, VAD.
func TestReadWAVEspeak(t *testing.T) {
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Skip("espeak-ng not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-v", "yue", "--stdout", "你好，我想查詢我嘅戶口結餘。").Output()
	if err != nil {
		t.Skipf("espeak-ng failed: %v", err)
	}
	if binary.LittleEndian.Uint32(out[40:]) < 0x7FFFF000 {
		t.Logf("espeak-ng wrote real sizes (data %d)", binary.LittleEndian.Uint32(out[40:]))
	}
	pcm, rate, err := ReadWAV(bytes.NewReader(out))
	if err != nil || rate != 22050 || len(pcm) < rate {
		t.Fatalf("ReadWAV: %d samples at %d Hz, %v", len(pcm), rate, err)
	}
	r := mustResampler(t, rate, 8000)
	line := DecodeULaw(nil, EncodeULaw(nil, r.Resample(nil, pcm)))
	line = concat(noise(8000, -50, 1), mix(line, noise(len(line), -50, 2)), noise(8000, -50, 3))
	ev := runVAD(NewVAD(DefaultVADConfig(), 8000), line, 8000)
	if len(ev) < 2 || ev[0].ev != VADSpeechStart || ev[len(ev)-1].ev != VADSpeechEnd {
		t.Fatalf("VAD events on espeak speech: %v", ev)
	}
	if ev[0].at < 900*time.Millisecond || ev[0].at > 1300*time.Millisecond {
		t.Errorf("speech start at %v, want shortly after 1 s", ev[0].at)
	}
	if got := detect(line, 8000); got != "" {
		t.Errorf("espeak speech detected as DTMF %q", got)
	}
}

func FuzzReadWAV(f *testing.F) {
	pcm := pcmBytes(PCM16{1, -2, 300, -32768})
	f.Add(wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcm}))
	f.Add(wavBytes(wavSpec{tag: 1, channels: 2, bits: 16, rate: 44100, data: pcm, extensible: true}))
	f.Add(wavBytes(wavSpec{tag: 7, channels: 1, bits: 8, rate: 8000, data: []byte{1, 2, 3}}))
	f.Add(wavBytes(wavSpec{tag: 6, channels: 3, bits: 8, rate: 8000, data: []byte{1, 2, 3}}))
	f.Add(wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 22050, data: pcm, riffSize: 0x7FFFF024, dataSize: 0x7FFFF000}))
	f.Add(wavBytes(wavSpec{tag: 1, channels: 1, bits: 16, rate: 8000, data: pcm, before: chunk("LIST", []byte("abc")), trailer: chunk("id3 ", []byte("x"))}))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, rate, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			if pcm != nil || rate != 0 {
				t.Fatalf("error %v with %d samples at %d Hz", err, len(pcm), rate)
			}
			return
		}
		if rate <= 0 || rate > MaxRate {
			t.Fatalf("rate %d", rate)
		}
		slow, slowRate, err := ReadWAV(iotest.OneByteReader(bytes.NewReader(b)))
		if err != nil || slowRate != rate || !slices.Equal(slow, pcm) {
			t.Fatalf("one byte at a time: %d samples at %d Hz, %v; whole: %d samples", len(slow), slowRate, err, len(pcm))
		}
	})
}
