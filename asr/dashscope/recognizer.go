package dashscope

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
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

// TaskError is the server's task-failed event. It wraps ErrTaskFailed.
type TaskError struct {
	TaskID  string
	Code    string // header.error_code, e.g. "InvalidParameter"
	Message string // header.error_message
}

// Error describes the failure; it never contains the key.
func (e *TaskError) Error() string {
	return fmt.Sprintf("dashscope: task %s failed: %s: %s", e.TaskID, e.Code, e.Message)
}

// Unwrap makes errors.Is(err, ErrTaskFailed) hold.
func (e *TaskError) Unwrap() error { return ErrTaskFailed }

// Recognizer opens streams to DashScope.
type Recognizer struct {
	cfg    Config
	log    *slog.Logger
	dialer websocket.Dialer
	header http.Header
	client *http.Client // customization API
	pool   *sync.Pool   // *[]byte PCM16 frames, shared by its streams

	finishTimeout time.Duration // wait for task-finished after finish-task; tests shorten it
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
	h := http.Header{}
	h.Set("Authorization", "bearer "+cfg.Key)
	h.Set("User-Agent", "yuecall")
	if cfg.Workspace != "" {
		h.Set("X-DashScope-WorkSpace", cfg.Workspace)
	}
	r := &Recognizer{
		cfg: cfg,
		log: log.With("asr", "dashscope", "model", cfg.Model),
		dialer: websocket.Dialer{
			NetDialContext:   (&net.Dialer{}).DialContext,
			Proxy:            http.ProxyFromEnvironment,
			HandshakeTimeout: cfg.ConnectTimeout,
			WriteBufferSize:  chunkBytes(cfg.SampleRate) + 64,
		},
		header:        h,
		client:        &http.Client{Timeout: 30 * time.Second},
		pool:          &sync.Pool{},
		finishTimeout: finishTimeout,
	}
	return r, nil
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// NewStream starts a recognition task; see Open.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	s, err := r.Open(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Open connects and starts a task within Config.ConnectTimeout: it sends
// run-task and waits for task-started. The stream lives until it ends,
// Close is called, or ctx is cancelled. A task-failed answer returns a
// *TaskError; other failures wrap ErrConnect.
func (r *Recognizer) Open(ctx context.Context) (*Stream, error) {
	dctx, cancel := context.WithTimeout(ctx, r.cfg.ConnectTimeout)
	defer cancel()
	conn, resp, err := wsstream.Dial(dctx, r.dialer, r.cfg.URL, r.header)
	if err != nil {
		return nil, r.connectError(ctx, err, resp)
	}
	conn.SetReadLimit(maxEventBytes)
	taskID := uuid.NewString()
	if err := r.startTask(dctx, conn, taskID); err != nil {
		conn.Close()
		var te *TaskError
		if errors.As(err, &te) {
			return nil, err
		}
		return nil, r.connectError(ctx, err, nil)
	}
	r.log.Debug("dashscope: task started", "task", taskID)
	return startStream(ctx, r, conn, taskID), nil
}

// connectError wraps a dial or start failure in ErrConnect, with the
// server's HTTP status and error code when there is one.
func (r *Recognizer) connectError(ctx context.Context, err error, resp *http.Response) error {
	if resp != nil {
		err = fmt.Errorf("%w (HTTP %s%s)", err, resp.Status, r.bodyCode(resp))
	}
	if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) && ctx.Err() == nil {
		err = fmt.Errorf("%w after %v", err, r.cfg.ConnectTimeout)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnect, r.cfg.URL, err)
}

// bodyCode extracts DashScope's {"code","message"} from a refused handshake.
func (r *Recognizer) bodyCode(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct{ Code, Message string }
	if json.Unmarshal(b, &e) != nil || e.Code == "" {
		return ""
	}
	return ": " + redact(e.Code+": "+e.Message, r.cfg.Key)
}

// startTask sends run-task and waits for task-started (or task-failed).
func (r *Recognizer) startTask(ctx context.Context, conn *websocket.Conn, taskID string) error {
	release := interruptOnDone(ctx, conn)
	defer release()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetWriteDeadline(dl)
		conn.SetReadDeadline(dl)
	}
	if err := conn.WriteMessage(websocket.TextMessage, r.cfg.runTaskJSON(taskID)); err != nil {
		return fmt.Errorf("send run-task: %w", err)
	}
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("waiting for task-started: %w", ctx.Err())
			}
			return fmt.Errorf("waiting for task-started: %w", err)
		}
		e, err := parseEvent(typ, data)
		if err != nil {
			return err
		}
		switch {
		case e.name == evTaskFailed:
			return r.taskError(e)
		case e.taskID != taskID:
			return fmt.Errorf("%w: event %s for task %q, want %q", asr.ErrProtocol, e.name, e.taskID, taskID)
		case e.name == evTaskStarted:
			release()
			conn.SetReadDeadline(time.Time{})
			return nil
		default:
			return fmt.Errorf("%w: %s before task-started", asr.ErrProtocol, e.name)
		}
	}
}

func (r *Recognizer) taskError(e event) *TaskError {
	return &TaskError{TaskID: e.taskID, Code: redact(e.code, r.cfg.Key), Message: redact(e.message, r.cfg.Key)}
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
