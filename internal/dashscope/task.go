package dashscope

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Server event names.
const (
	EvTaskStarted     = "task-started"
	EvResultGenerated = "result-generated"
	EvTaskFinished    = "task-finished"
	EvTaskFailed      = "task-failed"
)

// Header is the header of a client event.
type Header struct {
	Action    string `json:"action"`
	TaskID    string `json:"task_id"`
	Streaming string `json:"streaming"`
}

// NewHeader is the header of action for taskID (duplex streaming).
func NewHeader(action, taskID string) Header {
	return Header{Action: action, TaskID: taskID, Streaming: "duplex"}
}

// FinishTaskJSON is the finish-task event: no more input follows.
func FinishTaskJSON(taskID string) []byte {
	var m struct {
		Header  Header `json:"header"`
		Payload struct {
			Input struct{} `json:"input"`
		} `json:"payload"`
	}
	m.Header = NewHeader("finish-task", taskID)
	b, _ := json.Marshal(m)
	return b
}

// Event is the header of a server event and its raw payload.
type Event struct {
	Name    string
	TaskID  string
	Code    string // task-failed header.error_code
	Message string // task-failed header.error_message
	Payload json.RawMessage
}

// ParseEvent parses one server text frame's envelope. Errors wrap
// protoErr, the caller's protocol-error sentinel.
func ParseEvent(data []byte, protoErr error) (Event, error) {
	var w struct {
		Header struct {
			TaskID       string `json:"task_id"`
			Event        string `json:"event"`
			ErrorCode    string `json:"error_code"`
			ErrorMessage string `json:"error_message"`
		} `json:"header"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return Event{}, fmt.Errorf("%w: %w in %q", protoErr, err, Clip(data))
	}
	if w.Header.Event == "" {
		return Event{}, fmt.Errorf("%w: no header.event in %q", protoErr, Clip(data))
	}
	return Event{Name: w.Header.Event, TaskID: w.Header.TaskID, Code: w.Header.ErrorCode,
		Message: w.Header.ErrorMessage, Payload: w.Payload}, nil
}

// StartTask sends run-task and waits for task-started until ctx ends. A
// task-failed answer is returned as failed (err nil) for the caller's own
// error type; anything else unexpected wraps protoErr.
func StartTask(ctx context.Context, conn *websocket.Conn, taskID string, runTask []byte, protoErr error) (failed *Event, err error) {
	release := InterruptOnDone(ctx, conn)
	defer release()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetWriteDeadline(dl)
		conn.SetReadDeadline(dl)
	}
	if err := conn.WriteMessage(websocket.TextMessage, runTask); err != nil {
		return nil, fmt.Errorf("send run-task: %w", err)
	}
	typ, data, err := conn.ReadMessage()
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("waiting for task-started: %w", err)
	}
	if typ != websocket.TextMessage {
		return nil, fmt.Errorf("%w: audio before task-started", protoErr)
	}
	e, err := ParseEvent(data, protoErr)
	switch {
	case err != nil:
		return nil, err
	case e.Name == EvTaskFailed:
		return &e, nil
	case e.TaskID != taskID:
		return nil, fmt.Errorf("%w: event %s for task %q, want %q", protoErr, e.Name, e.TaskID, taskID)
	case e.Name != EvTaskStarted:
		return nil, fmt.Errorf("%w: %s before task-started", protoErr, e.Name)
	}
	release()
	conn.SetReadDeadline(time.Time{})
	return nil, nil
}

// InterruptOnDone makes conn's blocked read fail when ctx ends, until
// release is called; after release returns, it no longer touches conn.
func InterruptOnDone(ctx context.Context, conn *websocket.Conn) (release func()) {
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

// Redact removes the key from text taken from the server.
func Redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "<key>")
}

// BodyCode extracts DashScope's {"code","message"} from a refused
// handshake, as ": code: message" without the key ("" if none).
func BodyCode(resp *http.Response, key string) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct{ Code, Message string }
	if json.Unmarshal(b, &e) != nil || e.Code == "" {
		return ""
	}
	return ": " + Redact(e.Code+": "+e.Message, key)
}

// Clip shortens b for an error message.
func Clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
