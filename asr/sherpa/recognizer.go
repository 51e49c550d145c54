package sherpa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/internal/wsdial"
)

// Recognizer opens streams to one sherpa-onnx server.
type Recognizer struct {
	cfg    Config
	log    *slog.Logger
	dialer websocket.Dialer
	pool   *sync.Pool // *[]byte float32 frames, shared by its streams

	finalTimeout time.Duration // wait for the end after "Done"; tests shorten it
	beforeWrite  func()        // test hook, copied to each stream
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New checks cfg (zero fields take the defaults) and returns a Recognizer.
// A nil log discards.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Recognizer{
		cfg: cfg,
		log: log.With("asr", "sherpa", "url", cfg.URL),
		dialer: websocket.Dialer{
			NetDialContext:   (&net.Dialer{}).DialContext,
			HandshakeTimeout: cfg.ConnectTimeout,
			WriteBufferSize:  chunkBytes(cfg.SampleRate) + 64,
		},
		pool:         &sync.Pool{},
		finalTimeout: finalTimeout,
	}
	return r, nil
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// NewStream connects and returns a stream; see Open.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	s, err := r.Open(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Open connects within Config.ConnectTimeout and starts a stream that lives
// until it ends, Close is called, or ctx is cancelled.
func (r *Recognizer) Open(ctx context.Context) (*Stream, error) {
	dctx, cancel := context.WithTimeout(ctx, r.cfg.ConnectTimeout)
	defer cancel()
	conn, resp, err := wsdial.Dial(dctx, r.dialer, r.cfg.URL, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) && ctx.Err() == nil {
			err = fmt.Errorf("%w after %v", err, r.cfg.ConnectTimeout)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrConnect, r.cfg.URL, err)
	}
	conn.SetReadLimit(maxResultBytes)
	return startStream(ctx, r, conn), nil
}
