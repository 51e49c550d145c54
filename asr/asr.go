package asr

import (
	"context"
	"errors"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// Errors shared by providers.
var (
	// ErrNotConfigured means no recogniser is configured.
	ErrNotConfigured = errors.New("asr: no provider configured")
	// ErrClosed is returned by writes after CloseSend or Close.
	ErrClosed = errors.New("asr: stream closed")
	// ErrProtocol wraps a malformed frame from the provider.
	ErrProtocol = errors.New("asr: protocol error")
)

// Result is one recognition hypothesis. Partial results replace each other
// until a Final one closes the segment.
type Result struct {
	Text    string        // as the provider produced it (not yet normalised)
	Final   bool          // the segment is finished; the next result starts a new one
	Segment int           // provider's segment index, 0-based
	Start   time.Duration // offset of the segment from the stream start, if known
	End     time.Duration // end offset, if known
}

// Stream is one recognition session. WriteSample must not block the audio
// path for long: providers buffer and apply back-pressure by dropping with a
// counted error rather than stalling the caller's frames.
type Stream interface {
	audio.Writer
	// CloseSend says no more audio follows; the provider flushes its final results.
	CloseSend() error
	// Results yields hypotheses; it is closed when the stream has ended.
	Results() <-chan Result
	// Err reports why the stream ended, nil after a clean end.
	Err() error
	// Close abandons the stream and releases its resources.
	Close() error
}

// Recognizer opens streams.
type Recognizer interface {
	NewStream(ctx context.Context) (Stream, error)
}
