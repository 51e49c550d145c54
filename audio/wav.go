package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAV errors. Every error ReadWAV and NewWAVReader return wraps one of them
// (or io.ErrUnexpectedEOF for a header cut short).
var (
	ErrNotWAV         = errors.New("audio: not a RIFF/WAVE file")
	ErrUnsupportedWAV = errors.New("audio: unsupported WAV format")
	ErrMalformedWAV   = errors.New("audio: malformed WAV file")
)

// WAV format tags (Microsoft RIFF specification, mmreg.h).
const (
	wavFormatPCM        = 0x0001
	wavFormatALaw       = 0x0006
	wavFormatULaw       = 0x0007
	wavFormatExtensible = 0xFFFE
)

const (
	wavMaxChannels  = 16
	wavReadChunk    = 4096 // bytes staged per underlying Read
	wavUnknownSizes = 0x7FFFF000
)

// WAVReader streams mono PCM16 out of a WAV file: 16-bit PCM, G.711 µ-law or
// A-law, plain or WAVE_FORMAT_EXTENSIBLE, any channel count (averaged to
// mono). Sizes written as placeholders by streaming writers (espeak-ng
// --stdout writes 0x7FFFF000) are tolerated: the data is read to EOF.
type WAVReader struct {
	r        io.Reader
	rate     int
	channels int
	format   int   // wavFormatPCM, wavFormatULaw or wavFormatALaw
	width    int   // bytes per sample of one channel
	left     int64 // data bytes still to read; -1 reads to EOF
	raw      []byte
	have     int // bytes staged in raw
	done     bool
	err      error // read error other than io.EOF, returned once data runs out
	stalls   int   // consecutive empty reads without an error
}

// NewWAVReader reads the header of a WAV stream up to the start of its
// audio data.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, ErrNotWAV
	}
	riffSize := binary.LittleEndian.Uint32(hdr[4:8])
	w := &WAVReader{r: r}
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: no data chunk", ErrMalformedWAV)
			}
			return nil, fmt.Errorf("%w: chunk header: %w", ErrMalformedWAV, err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if err := w.readFormat(size); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrMalformedWAV)
			}
			w.left = int64(size)
			if size >= wavUnknownSizes || (size == 0 && riffSize == 0) {
				w.left = -1
			}
			w.raw = make([]byte, wavReadChunk-wavReadChunk%(w.width*w.channels))
			return w, nil
		default:
			if err := skip(r, int64(size)+int64(size&1)); err != nil {
				return nil, fmt.Errorf("%w: chunk %q: %w", ErrMalformedWAV, id, err)
			}
		}
	}
}

// readFormat parses a fmt chunk of the given size.
func (w *WAVReader) readFormat(size uint32) error {
	if size < 16 {
		return fmt.Errorf("%w: fmt chunk of %d bytes", ErrMalformedWAV, size)
	}
	var f [40]byte
	n := min(int(size), len(f))
	if _, err := io.ReadFull(w.r, f[:n]); err != nil {
		return fmt.Errorf("%w: fmt chunk: %w", ErrMalformedWAV, err)
	}
	if err := skip(w.r, int64(size)-int64(n)+int64(size&1)); err != nil {
		return fmt.Errorf("%w: fmt chunk: %w", ErrMalformedWAV, err)
	}
	le := binary.LittleEndian
	tag := int(le.Uint16(f[0:2]))
	channels := int(le.Uint16(f[2:4]))
	rate := le.Uint32(f[4:8])
	align := int(le.Uint16(f[12:14]))
	bits := int(le.Uint16(f[14:16]))
	if tag == wavFormatExtensible {
		if n < 40 || le.Uint16(f[16:18]) < 22 {
			return fmt.Errorf("%w: short WAVE_FORMAT_EXTENSIBLE fmt chunk", ErrMalformedWAV)
		}
		tag = int(le.Uint16(f[24:26])) // first two bytes of the SubFormat GUID
	}
	switch {
	case channels < 1 || channels > wavMaxChannels:
		return fmt.Errorf("%w: %d channels", ErrUnsupportedWAV, channels)
	case rate < 1 || rate > MaxRate:
		return fmt.Errorf("%w: sample rate %d", ErrUnsupportedWAV, rate)
	case tag == wavFormatPCM && bits == 16:
		w.width = 2
	case (tag == wavFormatULaw || tag == wavFormatALaw) && bits == 8:
		w.width = 1
	default:
		return fmt.Errorf("%w: format tag %#04x with %d bits per sample", ErrUnsupportedWAV, tag, bits)
	}
	if align != w.width*channels {
		return fmt.Errorf("%w: block align %d for %d channels of %d bytes", ErrMalformedWAV, align, channels, w.width)
	}
	w.format, w.channels, w.rate = tag, channels, int(rate)
	return nil
}

// skip discards n bytes of r.
func skip(r io.Reader, n int64) error {
	if n <= 0 {
		return nil
	}
	if s, ok := r.(io.Seeker); ok {
		if _, err := s.Seek(n, io.SeekCurrent); err == nil {
			return nil
		}
	}
	m, err := io.CopyN(io.Discard, r, n)
	if m == n {
		return nil
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// SampleRate returns the file's sample rate.
func (w *WAVReader) SampleRate() int { return w.rate }

// Channels returns the file's channel count (Read mixes them to mono).
func (w *WAVReader) Channels() int { return w.channels }

// Read fills p with up to len(p) mono samples and returns how many it
// wrote. At the end of the data it returns io.EOF; a trailing partial
// sample frame (such as an odd byte) is ignored.
func (w *WAVReader) Read(p PCM16) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	frame := w.width * w.channels
	for w.have < frame && !w.done {
		w.fill()
	}
	if w.have < frame {
		if w.err != nil {
			return 0, w.err
		}
		return 0, io.EOF
	}
	n := min(len(p), w.have/frame)
	w.decode(p[:n], w.raw[:n*frame])
	used := n * frame
	w.have = copy(w.raw, w.raw[used:w.have])
	return n, nil
}

// fill reads more data bytes into raw; it sets done at the end of the data
// or on a read error.
func (w *WAVReader) fill() {
	want := len(w.raw) - w.have
	if w.left >= 0 && int64(want) > w.left {
		want = int(w.left)
	}
	if want == 0 {
		w.done = true
		return
	}
	n, err := w.r.Read(w.raw[w.have : w.have+want])
	w.have += n
	if w.left >= 0 {
		w.left -= int64(n)
	}
	switch {
	case err == io.EOF:
		w.done = true
	case err != nil:
		w.done, w.err = true, fmt.Errorf("audio: read WAV data: %w", err)
	case n == 0:
		if w.stalls++; w.stalls >= 100 {
			w.done, w.err = true, io.ErrNoProgress
		}
	default:
		w.stalls = 0
	}
}

// decode converts whole sample frames in raw to mono samples in p.
func (w *WAVReader) decode(p PCM16, raw []byte) {
	ch := w.channels
	for i := range p {
		var sum int
		for c := range ch {
			sum += int(w.sample(raw[(i*ch+c)*w.width:]))
		}
		if ch == 1 {
			p[i] = int16(sum)
		} else {
			p[i] = int16(math.Round(float64(sum) / float64(ch)))
		}
	}
}

// sample decodes one channel sample at the start of b.
func (w *WAVReader) sample(b []byte) int16 {
	switch w.format {
	case wavFormatULaw:
		return ULawDecode(b[0])
	case wavFormatALaw:
		return ALawDecode(b[0])
	}
	return int16(binary.LittleEndian.Uint16(b))
}

// ReadWAV reads a whole WAV stream into mono PCM16 and returns it with its
// sample rate. See WAVReader for the formats it accepts.
func ReadWAV(r io.Reader) (PCM16, int, error) {
	w, err := NewWAVReader(r)
	if err != nil {
		return nil, 0, err
	}
	var out PCM16
	buf := make(PCM16, 2048)
	for {
		n, err := w.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, w.rate, nil
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// WriteWAV writes s as a canonical 44-byte-header WAV file of 16-bit mono
// PCM at rate.
func WriteWAV(w io.Writer, s PCM16, rate int) error {
	if rate <= 0 || rate > MaxRate {
		return fmt.Errorf("%w: %d Hz", ErrRate, rate)
	}
	dataLen := int64(len(s)) * 2
	if dataLen > math.MaxUint32-36 {
		return fmt.Errorf("%w: %d samples do not fit a WAV file", ErrUnsupportedWAV, len(s))
	}
	var h [44]byte
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+dataLen))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavFormatPCM)
	le.PutUint16(h[22:], 1)
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*2))
	le.PutUint16(h[32:], 2)
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(dataLen))
	if _, err := w.Write(h[:]); err != nil {
		return fmt.Errorf("audio: write WAV header: %w", err)
	}
	buf := make([]byte, 0, min(len(s)*2, 8192))
	for len(s) > 0 {
		n := min(len(s), cap(buf)/2)
		buf = AppendPCM16LE(buf[:0], s[:n])
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("audio: write WAV data: %w", err)
		}
		s = s[n:]
	}
	return nil
}

// AppendPCM16LE appends s as headerless signed 16-bit little-endian
// samples, the raw PCM most speech services take.
func AppendPCM16LE(dst []byte, s PCM16) []byte {
	for _, v := range s {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}
