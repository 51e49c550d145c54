package asrtest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Error codes the DashScope double answers with in task-failed.
const (
	dsClientError = "CLIENT_ERROR"
	dsInvalid     = "InvalidParameter"
	dsNoModel     = "ModelNotFound"
)

// dsMsg is one frame read from the client.
type dsMsg struct {
	typ  int
	data []byte
}

// dsSession is one websocket connection: at most one task at a time, and
// a new run-task after task-finished reuses the connection.
type dsSession struct {
	srv       *DashScopeServer
	conn      *websocket.Conn
	idx       int
	workspace string
	log       *slog.Logger
	in        chan dsMsg    // from readLoop; closed when the connection fails
	done      chan struct{} // closed when run returns, so readLoop never blocks
	used      map[string]bool
	task      *dsTask
}

func newDSSession(s *DashScopeServer, conn *websocket.Conn, idx int, workspace string) *dsSession {
	return &dsSession{
		srv: s, conn: conn, idx: idx, workspace: workspace,
		log:  s.opts.Log.With("conn", idx),
		in:   make(chan dsMsg, 16),
		done: make(chan struct{}),
		used: make(map[string]bool),
	}
}

func (ss *dsSession) opts() DashScopeOptions { return ss.srv.opts }

// run handles frames until the connection ends, a task fails, or the
// connection idles out with no task.
func (ss *dsSession) run() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ss.readLoop()
	}()
	defer wg.Wait()
	defer close(ss.done)
	defer ss.conn.Close()
	defer ss.endTask()
	idle := time.NewTimer(ss.opts().IdleClose)
	defer idle.Stop()
	for {
		select {
		case m, ok := <-ss.in:
			if !ok || !ss.handle(m) {
				return
			}
		case <-idle.C:
			ss.log.Info("asrtest: dashscope connection idle, closing")
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "idle")
			ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			return // an idle client is not reading: do not wait for its close frame
		}
		if ss.task == nil {
			idle.Reset(ss.opts().IdleClose)
		} else {
			idle.Stop()
		}
	}
}

// readLoop is the only reader; it hands frames to run in order.
func (ss *dsSession) readLoop() {
	defer close(ss.in)
	for {
		typ, data, err := ss.conn.ReadMessage()
		if err != nil {
			ss.log.Debug("asrtest: dashscope read", "err", err)
			return
		}
		select {
		case ss.in <- dsMsg{typ, data}:
		case <-ss.done:
			return
		}
	}
}

// handle processes one frame; it reports whether the connection goes on.
func (ss *dsSession) handle(m dsMsg) bool {
	if m.typ == websocket.BinaryMessage {
		if ss.task == nil {
			return ss.fail("", dsClientError, "audio received before task-started")
		}
		return ss.task.onAudio(ss, m.data)
	}
	var msg dsClientMsg
	if err := json.Unmarshal(m.data, &msg); err != nil {
		return ss.fail("", dsClientError, "invalid instruction: "+err.Error())
	}
	h := msg.Header
	switch {
	case h.TaskID == "":
		return ss.fail("", dsClientError, "header.task_id is required")
	case h.Action == "run-task":
		return ss.runTask(msg)
	case h.Action == "finish-task":
		if ss.task == nil || h.TaskID != ss.task.rec.TaskID {
			return ss.fail(h.TaskID, dsClientError, "finish-task for unknown task "+h.TaskID)
		}
		return ss.task.finish(ss)
	default:
		return ss.fail(h.TaskID, dsClientError, fmt.Sprintf("unsupported action %q", h.Action))
	}
}

// dsClientMsg is a client instruction.
type dsClientMsg struct {
	Header struct {
		Action    string `json:"action"`
		TaskID    string `json:"task_id"`
		Streaming string `json:"streaming"`
	} `json:"header"`
	Payload struct {
		TaskGroup  string          `json:"task_group"`
		Task       string          `json:"task"`
		Function   string          `json:"function"`
		Model      string          `json:"model"`
		Parameters json.RawMessage `json:"parameters"`
		Input      json.RawMessage `json:"input"`
	} `json:"payload"`
}

type dsParams struct {
	Format             string   `json:"format"`
	SampleRate         int      `json:"sample_rate"`
	LanguageHints      []string `json:"language_hints"`
	VocabularyID       string   `json:"vocabulary_id"`
	MaxSentenceSilence int      `json:"max_sentence_silence"`
	Heartbeat          bool     `json:"heartbeat"`
}

// runTask validates a run-task, records it, and answers task-started after
// StartDelay, failing the task if the client sends anything meanwhile.
func (ss *dsSession) runTask(msg dsClientMsg) bool {
	id := msg.Header.TaskID
	if ss.task != nil {
		return ss.fail(id, dsClientError, "a task is already running on this connection")
	}
	var p dsParams
	perr := json.Unmarshal(msg.Payload.Parameters, &p)
	rec := &DashScopeTask{Conn: ss.idx, TaskID: id, Model: msg.Payload.Model, Format: p.Format,
		SampleRate: p.SampleRate, LanguageHints: p.LanguageHints, VocabularyID: p.VocabularyID,
		MaxSentenceSilence: p.MaxSentenceSilence, Heartbeat: p.Heartbeat, Workspace: ss.workspace}
	ss.srv.newTask(rec)
	ss.task = newDSTask(ss.srv, rec)
	if code, reason := ss.checkRunTask(msg, p, perr); code != "" {
		return ss.fail(id, code, reason)
	}
	ss.used[id] = true
	t := time.NewTimer(ss.opts().StartDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case m, ok := <-ss.in:
		if !ok {
			return false
		}
		what := "audio"
		if m.typ == websocket.TextMessage {
			what = "an instruction"
		}
		return ss.fail(id, dsClientError, what+" received before task-started")
	}
	return ss.send(dsEvent(id, "task-started", nil, map[string]any{}))
}

// checkRunTask returns the error code and message the service would give
// for a bad run-task, or "".
func (ss *dsSession) checkRunTask(msg dsClientMsg, p dsParams, perr error) (string, string) {
	h, pl := msg.Header, msg.Payload
	switch {
	case ss.used[h.TaskID]:
		return dsClientError, "task_id " + h.TaskID + " was already used on this connection"
	case h.Streaming != "duplex":
		return dsInvalid, fmt.Sprintf("header.streaming %q, want duplex", h.Streaming)
	case pl.TaskGroup != "audio" || pl.Task != "asr" || pl.Function != "recognition":
		return dsInvalid, fmt.Sprintf("task_group/task/function %s/%s/%s, want audio/asr/recognition", pl.TaskGroup, pl.Task, pl.Function)
	case pl.Model == "":
		return dsInvalid, "payload.model is required"
	case !slices.Contains(ss.opts().Models, pl.Model):
		return dsNoModel, fmt.Sprintf("Model not found (%s)!", pl.Model)
	case len(pl.Input) == 0:
		return dsInvalid, "payload.input is required"
	case perr != nil:
		return dsInvalid, "payload.parameters: " + perr.Error()
	}
	return checkDSParams(pl.Model, p, ss.srv.vocabTarget(p.VocabularyID))
}

func checkDSParams(model string, p dsParams, vocabTarget string) (string, string) {
	switch {
	case p.Format != "pcm":
		return dsInvalid, fmt.Sprintf("format %q: this double decodes pcm only", p.Format)
	case strings.Contains(model, "8k") && p.SampleRate != 8000:
		return dsInvalid, fmt.Sprintf("sample_rate %d not supported by %s (8000 only)", p.SampleRate, model)
	case strings.HasPrefix(model, "fun-asr") && p.SampleRate != 16000:
		return dsInvalid, fmt.Sprintf("sample_rate %d not supported by %s (16000 only)", p.SampleRate, model)
	case p.SampleRate < 8000 || p.SampleRate > 48000:
		return dsInvalid, fmt.Sprintf("sample_rate %d out of range", p.SampleRate)
	case p.MaxSentenceSilence != 0 && (p.MaxSentenceSilence < 200 || p.MaxSentenceSilence > 6000):
		return dsInvalid, fmt.Sprintf("max_sentence_silence %d out of [200, 6000]", p.MaxSentenceSilence)
	case p.VocabularyID != "" && vocabTarget == "":
		return dsInvalid, "vocabulary " + p.VocabularyID + " not found"
	case p.VocabularyID != "" && vocabTarget != model:
		return dsInvalid, fmt.Sprintf("vocabulary %s was made for %s, not %s", p.VocabularyID, vocabTarget, model)
	}
	langs := []string{"zh", "en", "ja", "yue", "ko", "de", "fr", "ru"}
	if strings.HasPrefix(model, "fun-asr") {
		langs = []string{"zh", "en", "ja"}
	}
	for _, l := range p.LanguageHints {
		if !slices.Contains(langs, l) && !strings.Contains(model, "8k") {
			return dsInvalid, fmt.Sprintf("language_hints: %q not supported by %s", l, model)
		}
	}
	return "", ""
}

// fail sends task-failed and closes the connection, as the service does.
// It returns false.
func (ss *dsSession) fail(taskID, code, msg string) bool {
	ss.log.Info("asrtest: dashscope task failed", "task", taskID, "code", code, "message", msg)
	ss.srv.recordFailure(DashScopeFailure{Conn: ss.idx, TaskID: taskID, Code: code, Message: msg})
	if t := ss.task; t != nil {
		ss.srv.update(t.rec, func(r *DashScopeTask) {
			r.FailCode, r.FailMessage, r.Ended = code, msg, true
		})
		ss.task = nil
	}
	h := map[string]any{"task_id": taskID, "event": "task-failed", "error_code": code,
		"error_message": msg, "attributes": map[string]any{}}
	ss.sendJSON(map[string]any{"header": h, "payload": map[string]any{}})
	ss.closeWith(websocket.CloseNormalClosure, "")
	return false
}

// endTask marks a running task ended when its connection goes.
func (ss *dsSession) endTask() {
	if t := ss.task; t != nil {
		ss.srv.update(t.rec, func(r *DashScopeTask) { r.Ended = true })
		ss.task = nil
	}
}

// dsEvent builds a server event.
func dsEvent(taskID, name string, output, payload map[string]any) map[string]any {
	if payload == nil {
		payload = map[string]any{"output": output}
	}
	return map[string]any{
		"header":  map[string]any{"task_id": taskID, "event": name, "attributes": map[string]any{}},
		"payload": payload,
	}
}

func (ss *dsSession) send(v any) bool { return ss.sendJSON(v) == nil }

func (ss *dsSession) sendJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ss.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := ss.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		ss.log.Debug("asrtest: dashscope write", "err", err)
		return err
	}
	return nil
}

// closeWith starts the closing handshake and waits briefly for the
// client's close frame (read by readLoop), so the last events are not lost
// to a TCP reset.
func (ss *dsSession) closeWith(code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)); err != nil {
		return
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case _, ok := <-ss.in:
			if !ok {
				return
			}
		case <-t.C:
			return
		}
	}
}
