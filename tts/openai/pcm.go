package openai

import (
	"encoding/binary"
	"io"

	"github.com/yuecall/yuecall/audio"
)

// pcmChunk is how many bytes one underlying Read asks for at most.
const pcmChunk = 4608 // two MPEG-1 frames of decoded 16-bit stereo

// maxStalls is how many empty reads without an error count as a stuck reader.
const maxStalls = 100

// pcmSource reads interleaved PCM16 little-endian with the given channel
// count and averages the channels to mono. It keeps a partial sample frame
// (an odd byte at a chunk boundary) for the next read.
type pcmSource struct {
	r        io.Reader
	channels int
	buf      []byte
	have     int
	err      error
}

func newPCMSource(r io.Reader, channels int) *pcmSource {
	frame := 2 * channels
	return &pcmSource{r: r, channels: channels, buf: make([]byte, pcmChunk-pcmChunk%frame)}
}

// read returns at least one sample, or an error once no whole sample frame
// is left (io.EOF at the end; a trailing partial frame is dropped).
func (s *pcmSource) read(p audio.PCM16) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	frame := 2 * s.channels
	limit := min(len(p)*frame, len(s.buf))
	for stalls := 0; s.have < frame; {
		if s.err != nil {
			return 0, s.err
		}
		n, err := s.r.Read(s.buf[s.have:limit])
		s.have += n
		switch {
		case err != nil:
			s.err = err
		case n == 0:
			if stalls++; stalls >= maxStalls {
				s.err = io.ErrNoProgress
			}
		}
	}
	n := min(len(p), s.have/frame)
	le := binary.LittleEndian
	for i := range n {
		if s.channels == 1 {
			p[i] = int16(le.Uint16(s.buf[2*i:]))
			continue
		}
		sum := 0
		for c := range s.channels {
			sum += int(int16(le.Uint16(s.buf[(i*s.channels+c)*2:])))
		}
		p[i] = int16(sum / s.channels)
	}
	s.have = copy(s.buf, s.buf[n*frame:s.have])
	return n, nil
}
