package cache

import (
	"errors"
	"fmt"
	"io"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// memStream plays audio read from the cache. pcm is shared, read-only,
// with the memory tier and every other stream playing the same prompt:
// Read only copies out of it and reslices m.pcm's own header, and nothing
// may ever write into its backing array.
type memStream struct {
	pcm  audio.PCM16
	rate int
}

func (m *memStream) SampleRate() int { return m.rate }

func (m *memStream) Read(p audio.PCM16) (int, error) {
	if len(m.pcm) == 0 {
		return 0, io.EOF
	}
	n := copy(p, m.pcm)
	m.pcm = m.pcm[n:]
	return n, nil
}

func (m *memStream) Close() error {
	m.pcm = nil
	return nil
}

// teeStream passes a provider's audio through and stores it once it has
// been read to the end without error. Audio abandoned by Close (a barge-in)
// or longer than limit bytes is not stored.
type teeStream struct {
	st    tts.Stream
	c     *Cache
	name  string
	limit int64
	pcm   audio.PCM16
	drop  bool // too long, or failed: do not store
	done  bool
}

func (t *teeStream) SampleRate() int { return t.st.SampleRate() }

func (t *teeStream) Read(p audio.PCM16) (int, error) {
	n, err := t.st.Read(p)
	if !t.drop && !t.done {
		t.pcm = append(t.pcm, p[:n]...)
		if int64(len(t.pcm))*2 > t.limit {
			t.drop, t.pcm = true, nil
		}
	}
	switch {
	case t.done:
	case errors.Is(err, io.EOF):
		t.done = true
		t.save()
	case err != nil:
		t.drop, t.pcm = true, nil
	}
	return n, err
}

func (t *teeStream) save() {
	if t.drop || len(t.pcm) == 0 {
		return
	}
	if err := t.c.store(t.name, t.pcm, t.st.SampleRate()); err != nil {
		t.c.log.Warn("prompt cache: not stored", "file", t.name, "err", err)
	}
	t.pcm = nil
}

func (t *teeStream) Close() error {
	t.pcm, t.drop = nil, true
	return t.st.Close()
}

// resampleStream converts a stream to another rate.
type resampleStream struct {
	st   tts.Stream
	r    *audio.Resampler
	in   audio.PCM16
	out  audio.PCM16 // converted, not yet read
	off  int
	eof  bool
	rate int
}

// resampled returns st at rate, st itself when it is at that rate already.
func resampled(st tts.Stream, rate int) (tts.Stream, error) {
	if st.SampleRate() == rate {
		return st, nil
	}
	r, err := audio.NewResampler(st.SampleRate(), rate)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &resampleStream{st: st, r: r, in: make(audio.PCM16, 1024), rate: rate}, nil
}

func (s *resampleStream) SampleRate() int { return s.rate }

func (s *resampleStream) Read(p audio.PCM16) (int, error) {
	for s.off == len(s.out) {
		if s.eof {
			return 0, io.EOF
		}
		s.out, s.off = s.out[:0], 0
		n, err := s.st.Read(s.in)
		s.out = s.r.Resample(s.out, s.in[:n])
		switch {
		case errors.Is(err, io.EOF):
			s.out, s.eof = s.r.Flush(s.out), true
		case err != nil:
			return 0, err
		}
	}
	n := copy(p, s.out[s.off:])
	s.off += n
	return n, nil
}

func (s *resampleStream) Close() error { return s.st.Close() }
