package tts

import (
	"context"
	"errors"
	"io"

	"github.com/yuecall/yuecall/audio"
)

// ErrEmptyText is returned for text with nothing to say.
var ErrEmptyText = errors.New("tts: empty text")

// Stream yields synthesised audio as it is produced.
type Stream interface {
	// SampleRate is the rate of the samples Read returns.
	SampleRate() int
	// Read fills p with samples; it returns io.EOF after the last one.
	Read(p audio.PCM16) (int, error)
	// Close abandons synthesis and releases resources.
	Close() error
}

// Synthesizer turns one sentence or short reply into audio.
type Synthesizer interface {
	Synthesize(ctx context.Context, text string) (Stream, error)
}

// ReadAll reads st to its end, like io.ReadAll.
func ReadAll(st Stream) (audio.PCM16, error) {
	var out audio.PCM16
	buf := make(audio.PCM16, 4096)
	for {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
