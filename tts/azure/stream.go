package azure

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/internal/idlebody"
)

var _ tts.Stream = (*stream)(nil)

// stream is one reply being decoded. Read is called from one goroutine;
// Close may be called from any other (barge-in) and only cancels the
// request context and closes the body.
type stream struct {
	rate    int
	src     *rawSource
	body    *idlebody.Body
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timeout time.Duration
	closed  atomic.Bool
	err     error // terminal error, returned by every later Read
}

// errClosed is the cancel cause Close sets.
var errClosed = errors.New("azure: closed by caller")

// SampleRate is the rate asked for: the reply is never resampled.
func (s *stream) SampleRate() int { return s.rate }

// Read fills p with samples as the body arrives.
func (s *stream) Read(p audio.PCM16) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.src.read(p)
	if n > 0 {
		return n, nil
	}
	if err != nil {
		s.err = s.fail(err)
		return 0, s.err
	}
	return 0, nil
}

// fail turns a read error into the error the caller sees.
func (s *stream) fail(err error) error {
	if errors.Is(err, io.EOF) {
		s.body.Stop()
		return io.EOF
	}
	if cause := context.Cause(s.ctx); cause != nil {
		switch {
		case errors.Is(cause, errClosed):
			return ErrClosed
		case errors.Is(cause, ErrTimeout):
			return fmt.Errorf("%w (no audio for %v)", ErrTimeout, s.timeout)
		}
		return fmt.Errorf("azure: %w", cause)
	}
	return fmt.Errorf("%w: reply cut short: %w", ErrTransport, err)
}

// Close abandons the reply: it cancels the request and closes the body.
func (s *stream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel(errClosed)
	s.body.Stop()
	return s.body.Close()
}

// rawChunk is how many bytes one underlying Read asks for at most.
const rawChunk = 4096

// maxStalls is how many empty reads without an error count as a stuck reader.
const maxStalls = 100

// rawSource decodes a headerless mono body: µ-law bytes (width 1) or
// PCM16 little-endian (width 2, keeping an odd byte for the next read).
type rawSource struct {
	r     io.Reader
	width int
	buf   []byte
	have  int
	err   error
}

func newRawSource(r io.Reader, width int) *rawSource {
	return &rawSource{r: r, width: width, buf: make([]byte, rawChunk)}
}

// read returns at least one sample, or an error once no whole sample is
// left (io.EOF at the end; a trailing odd byte is dropped).
func (s *rawSource) read(p audio.PCM16) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	limit := min(len(p)*s.width, len(s.buf))
	for stalls := 0; s.have < s.width; {
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
	n := min(len(p), s.have/s.width)
	if s.width == 1 {
		audio.DecodeULaw(p[:0], s.buf[:n])
	} else {
		for i := range n {
			p[i] = int16(binary.LittleEndian.Uint16(s.buf[2*i:]))
		}
	}
	s.have = copy(s.buf, s.buf[n*s.width:s.have])
	return n, nil
}
