package cosyvoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	conn, resp, err := s.dialer.DialContext(dctx, s.cfg.URL, s.header)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s%s)", err, resp.Status, s.bodyCode(resp))
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

// bodyCode extracts DashScope's {"code","message"} from a refused handshake.
func (s *Synthesizer) bodyCode(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct{ Code, Message string }
	if json.Unmarshal(b, &e) != nil || e.Code == "" {
		return ""
	}
	return ": " + redact(e.Code+": "+e.Message, s.cfg.Key)
}

// startTask sends run-task and waits for task-started (or task-failed)
// until ctx ends or ConnectTimeout passes.
func (s *Synthesizer) startTask(ctx context.Context, conn *websocket.Conn, taskID string, run []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	release := interruptOnDone(ctx, conn)
	defer release()
	dl, _ := ctx.Deadline()
	conn.SetWriteDeadline(dl)
	conn.SetReadDeadline(dl)
	if err := conn.WriteMessage(websocket.TextMessage, run); err != nil {
		return fmt.Errorf("send run-task: %w", err)
	}
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return fmt.Errorf("waiting for task-started: %w", err)
		}
		if typ != websocket.TextMessage {
			return fmt.Errorf("%w: audio before task-started", ErrProtocol)
		}
		e, err := parseEvent(data)
		if err != nil {
			return err
		}
		switch {
		case e.name == evTaskFailed:
			return s.taskError(e)
		case e.taskID != taskID:
			return fmt.Errorf("%w: event %s for task %q, want %q", ErrProtocol, e.name, e.taskID, taskID)
		case e.name == evTaskStarted:
			release()
			conn.SetReadDeadline(time.Time{})
			return nil
		default:
			return fmt.Errorf("%w: %s before task-started", ErrProtocol, e.name)
		}
	}
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
	if err := conn.WriteMessage(websocket.TextMessage, finishTaskJSON(taskID)); err != nil {
		return fmt.Errorf("send finish-task: %w", err)
	}
	return nil
}

func (s *Synthesizer) taskError(e event) *TaskError {
	return &TaskError{TaskID: e.taskID, Code: redact(e.code, s.cfg.Key), Message: redact(e.message, s.cfg.Key)}
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

// redact removes the key from text taken from the server.
func redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "<key>")
}

// interruptOnDone makes conn's blocked read fail when ctx ends, until
// release is called; after release returns, it no longer touches conn.
func interruptOnDone(ctx context.Context, conn *websocket.Conn) (release func()) {
	var mu sync.Mutex
	released := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !released {
			conn.SetReadDeadline(time.Now())
		}
	})
	return func() {
		stop()
		mu.Lock()
		released = true
		mu.Unlock()
	}
}
