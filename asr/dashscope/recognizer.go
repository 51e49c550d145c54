package dashscope

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	ds "github.com/yuecall/yuecall/internal/dashscope"
	"github.com/yuecall/yuecall/internal/wsdial"
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
	conn, resp, err := wsdial.Dial(dctx, r.dialer, r.cfg.URL, r.header)
	if err != nil {
		return nil, r.connectError(ctx, err, resp)
	}
	conn.SetReadLimit(maxEventBytes)
	taskID := uuid.NewString()
	failed, err := ds.StartTask(dctx, conn, taskID, r.cfg.runTaskJSON(taskID), asr.ErrProtocol)
	if err != nil || failed != nil {
		conn.Close()
		if failed != nil {
			return nil, taskError(*failed, r.cfg.Key)
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
		err = fmt.Errorf("%w (HTTP %s%s)", err, resp.Status, ds.BodyCode(resp, r.cfg.Key))
	}
	if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) && ctx.Err() == nil {
		err = fmt.Errorf("%w after %v", err, r.cfg.ConnectTimeout)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnect, r.cfg.URL, err)
}

// taskError is a task-failed event as a *TaskError, without the key.
func taskError(e ds.Event, key string) *TaskError {
	return &TaskError{TaskID: e.TaskID, Code: ds.Redact(e.Code, key), Message: ds.Redact(e.Message, key)}
}
