package cosyvoice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	ds "github.com/yuecall/yuecall/internal/dashscope"
	"github.com/yuecall/yuecall/internal/wsdial"
	"github.com/yuecall/yuecall/tts"
)

// TaskError is the server's task-failed event. It wraps ErrTaskFailed.
type TaskError struct {
	TaskID  string
	Code    string // header.error_code, e.g. "InvalidParameter"
	Message string // header.error_message
}

// Error describes the failure; it never contains the key.
func (e *TaskError) Error() string {
	return fmt.Sprintf("cosyvoice: task %s failed: %s: %s", e.TaskID, e.Code, e.Message)
}

// Unwrap makes errors.Is(err, ErrTaskFailed) hold.
func (e *TaskError) Unwrap() error { return ErrTaskFailed }

// Synthesizer speaks through CosyVoice. It is safe for concurrent use; each
// Synthesize runs its own task on its own connection.
type Synthesizer struct {
	cfg    Config
	log    *slog.Logger
	dialer websocket.Dialer
	header http.Header

	mu     sync.Mutex // guards idle and closed
	idle   []idleConn // finished connections, oldest first
	closed bool
}

type idleConn struct {
	conn  *websocket.Conn
	since time.Time
}

var (
	_ tts.Synthesizer     = (*Synthesizer)(nil)
	_ tts.RateSynthesizer = (*Synthesizer)(nil)
)

// New checks cfg (zero fields take the defaults) and returns a Synthesizer.
// A nil log discards.
func New(cfg Config, log *slog.Logger) (*Synthesizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := http.Header{}
	h.Set("Authorization", "bearer "+cfg.Key)
	h.Set("User-Agent", "yuecall")
	if cfg.Workspace != "" {
		h.Set("X-DashScope-WorkSpace", cfg.Workspace)
	}
	return &Synthesizer{
		cfg: cfg,
		log: log.With("tts", "cosyvoice", "model", cfg.Model),
		dialer: websocket.Dialer{
			NetDialContext:   (&net.Dialer{}).DialContext,
			Proxy:            http.ProxyFromEnvironment,
			HandshakeTimeout: cfg.ConnectTimeout,
			ReadBufferSize:   16 << 10,
		},
		header: h,
	}, nil
}

// Config returns the effective configuration.
func (s *Synthesizer) Config() Config { return s.cfg }

// Synthesize speaks text at Config.SampleRate; see SynthesizeRate.
func (s *Synthesizer) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	return s.SynthesizeRate(ctx, text, s.cfg.SampleRate)
}

// SynthesizeRate starts a task that speaks text with the voice for
// tts.LanguageOf(ctx, text), asking the server for PCM16 at rate (one of
// SampleRates, e.g. 8000 for a phone leg). It returns once the text is sent;
// the stream yields audio as it arrives. Cancelling ctx or closing the
// stream aborts the task. A task-failed answer is a *TaskError.
func (s *Synthesizer) SynthesizeRate(ctx context.Context, text string, rate int) (tts.Stream, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, tts.ErrEmptyText
	}
	if !slices.Contains(SampleRates, rate) {
		return nil, fmt.Errorf("%w: %d, want one of %v", ErrSampleRate, rate, SampleRates)
	}
	chunks, err := splitText(text)
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	voice := s.cfg.Voices.For(tts.LanguageOf(ctx, text))
	taskID := uuid.NewString()
	conn, err := s.start(ctx, taskID, s.cfg.runTaskJSON(taskID, voice, rate))
	if err != nil {
		return nil, err
	}
	if err := sendText(conn, taskID, chunks); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %w", ErrConnection, err)
	}
	log := s.log.With("task", taskID, "voice", voice, "rate", rate)
	log.Debug("cosyvoice: text sent", "pieces", len(chunks), "characters", TextLength(text))
	return startStream(ctx, s, conn, taskID, rate, begin, log), nil
}

// start runs a task on an idle connection, or a new one: it sends run-task
// and waits for task-started. A kept connection the server has meanwhile
// closed is replaced by a fresh one once.
func (s *Synthesizer) start(ctx context.Context, taskID string, run []byte) (*websocket.Conn, error) {
	if conn := s.takeIdle(); conn != nil {
		err := s.startTask(ctx, conn, taskID, run)
		if err == nil {
			return conn, nil
		}
		conn.Close()
		var te *TaskError
		if errors.As(err, &te) || ctx.Err() != nil {
			return nil, s.startError(ctx, err)
		}
		s.log.Debug("cosyvoice: kept connection unusable, dialling", "err", err)
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	conn, resp, err := wsdial.Dial(dctx, s.dialer, s.cfg.URL, s.header)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s%s)", err, resp.Status, ds.BodyCode(resp, s.cfg.Key))
		}
		return nil, s.startError(ctx, err)
	}
	if err := s.startTask(dctx, conn, taskID, run); err != nil {
		conn.Close()
		return nil, s.startError(ctx, err)
	}
	return conn, nil
}

// startError passes a *TaskError through and wraps anything else in ErrConnect.
func (s *Synthesizer) startError(ctx context.Context, err error) error {
	var te *TaskError
	if errors.As(err, &te) {
		return err
	}
	if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) && ctx.Err() == nil {
		err = fmt.Errorf("%w after %v", err, s.cfg.ConnectTimeout)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnect, s.cfg.URL, err)
}

// startTask sends run-task and waits for task-started (or task-failed)
// until ctx ends or ConnectTimeout passes.
func (s *Synthesizer) startTask(ctx context.Context, conn *websocket.Conn, taskID string, run []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	failed, err := ds.StartTask(ctx, conn, taskID, run, ErrProtocol)
	if failed != nil {
		return s.taskError(*failed)
	}
	return err
}

// sendText sends the text pieces and finish-task.
func sendText(conn *websocket.Conn, taskID string, chunks []string) error {
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	defer conn.SetWriteDeadline(time.Time{})
	for _, c := range chunks {
		if err := conn.WriteMessage(websocket.TextMessage, continueTaskJSON(taskID, c)); err != nil {
			return fmt.Errorf("send continue-task: %w", err)
		}
	}
	if err := conn.WriteMessage(websocket.TextMessage, ds.FinishTaskJSON(taskID)); err != nil {
		return fmt.Errorf("send finish-task: %w", err)
	}
	return nil
}

// taskError is a task-failed event as a *TaskError, without the key.
func (s *Synthesizer) taskError(e ds.Event) *TaskError {
	return &TaskError{TaskID: e.TaskID, Code: ds.Redact(e.Code, s.cfg.Key), Message: ds.Redact(e.Message, s.cfg.Key)}
}

// takeIdle returns the most recently kept connection still within
// IdleTimeout, closing older ones; nil if there is none.
func (s *Synthesizer) takeIdle() *websocket.Conn {
	s.mu.Lock()
	var got *websocket.Conn
	var stale []*websocket.Conn
	if n := len(s.idle); n > 0 {
		ic := s.idle[n-1]
		s.idle = s.idle[:n-1]
		if time.Since(ic.since) < s.cfg.IdleTimeout {
			got = ic.conn
		} else {
			stale = append(stale, ic.conn)
		}
	}
	for len(s.idle) > 0 && time.Since(s.idle[0].since) >= s.cfg.IdleTimeout {
		stale = append(stale, s.idle[0].conn)
		s.idle = s.idle[1:]
	}
	s.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
	return got
}

// keep offers a connection whose task finished for reuse.
func (s *Synthesizer) keep(conn *websocket.Conn) {
	s.mu.Lock()
	if s.closed || len(s.idle) >= max(s.cfg.MaxIdle, 0) {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.idle = append(s.idle, idleConn{conn, time.Now()})
	s.mu.Unlock()
}

// Idle is how many connections are kept for reuse.
func (s *Synthesizer) Idle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.idle)
}

// Close closes the kept connections; streams in progress go on, and
// their connections are closed when they end.
func (s *Synthesizer) Close() error {
	s.mu.Lock()
	s.closed = true
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	for _, ic := range idle {
		ic.conn.Close()
	}
	return nil
}
