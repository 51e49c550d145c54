package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/internal/idlebody"
)

var _ tts.Stream = (*stream)(nil)

// stream is one reply being decoded. Read is called from one goroutine;
// Close may be called from any other (barge-in) and only cancels the
// request context and closes the body, never touching decoder state.
type stream struct {
	rate    int
	src     *pcmSource
	body    *idlebody.Body
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timeout time.Duration
	closed  atomic.Bool
	err     error // terminal error, returned by every later Read
}

// errClosed is the cancel cause Close sets.
var errClosed = errors.New("openai: closed by caller")

// open prepares decoding of format. For MP3 it reads up to the first frame
// to learn the sample rate.
func (s *stream) open(format string) error {
	if format == FormatPCM {
		s.rate = PCMRate
		s.src = newPCMSource(s.body, 1)
		return nil
	}
	src, err := skipID3(s.body)
	if err != nil {
		return s.fail(err)
	}
	var dec *mp3.Decoder
	err = safely(func() (err error) { dec, err = mp3.NewDecoder(src); return err })
	if err != nil {
		if errors.Is(err, io.EOF) && s.body.Err() == nil {
			return fmt.Errorf("%w: no MP3 frame in the reply", ErrAudio)
		}
		return s.fail(err)
	}
	s.rate = dec.SampleRate()
	// go-mp3 always writes 16-bit stereo, even for a mono MP3.
	s.src = newPCMSource(safeReader{dec}, 2)
	return nil
}

// SampleRate is the rate of the reply: the MP3's own rate, or 24 kHz for pcm.
func (s *stream) SampleRate() int { return s.rate }

// Read fills p with mono samples as they are decoded.
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

// fail turns a decoding error into the error the caller sees.
func (s *stream) fail(err error) error {
	if errors.Is(err, ErrAudio) {
		return err
	}
	if errors.Is(err, io.EOF) && s.body.Err() == nil {
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
		return fmt.Errorf("openai: %w", cause)
	}
	if s.body.Err() != nil {
		return fmt.Errorf("%w: reply cut short: %w", ErrTransport, s.body.Err())
	}
	return fmt.Errorf("%w: %w", ErrAudio, err)
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

// maxID3 bounds an ID3v2 tag before the audio.
const maxID3 = 1 << 20

// skipID3 discards leading ID3v2 tags without buffering them (go-mp3
// allocates a tag's declared size, up to 256 MiB, from the first bytes).
func skipID3(r io.Reader) (io.Reader, error) {
	for range 4 {
		var h [10]byte
		n, err := io.ReadFull(r, h[:])
		if err != nil || string(h[:3]) != "ID3" {
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, err
			}
			return io.MultiReader(bytes.NewReader(h[:n]), r), nil
		}
		size := int64(h[6]&0x7f)<<21 | int64(h[7]&0x7f)<<14 | int64(h[8]&0x7f)<<7 | int64(h[9]&0x7f)
		if h[5]&0x10 != 0 {
			size += 10 // footer
		}
		if size > maxID3 {
			return nil, fmt.Errorf("%w: ID3 tag of %d bytes", ErrAudio, size)
		}
		if _, err := io.CopyN(io.Discard, r, size); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: reply ends inside its ID3 tag", ErrAudio)
			}
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: too many ID3 tags", ErrAudio)
}

// safeReader turns a panic of the MP3 decoder on hostile input into an error.
type safeReader struct{ r io.Reader }

func (s safeReader) Read(p []byte) (n int, err error) {
	err = safely(func() error {
		var rerr error
		n, rerr = s.r.Read(p)
		return rerr
	})
	return n, err
}

// safely runs fn, returning a panic as an ErrAudio error.
func safely(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: decoder panic: %v", ErrAudio, v)
		}
	}()
	return fn()
}
