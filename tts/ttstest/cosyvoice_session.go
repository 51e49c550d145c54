package ttstest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gorilla/websocket"
)

// Error codes the CosyVoice double answers with in task-failed.
const (
	cvClientError = "CLIENT_ERROR"
	cvInvalid     = "InvalidParameter"
	cvNoModel     = "ModelNotFound"
	cvTimeoutMsg  = "request timeout after 23 seconds."
)

// Text limits of continue-task, in weighted characters.
const (
	CosyVoiceMaxText  = 20000
	CosyVoiceMaxTotal = 200000
)

// CosyVoiceTextLength counts text the way the service does: a Chinese
// character (any Han) counts 2, anything else 1.
func CosyVoiceTextLength(text string) int {
	n := 0
	for _, r := range text {
		n++
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// cvMsg is one frame read from the client.
type cvMsg struct {
	typ  int
	data []byte
	at   time.Time
}

// cvSession is one connection: at most one task at a time; after
// task-finished another run-task may reuse it.
type cvSession struct {
	srv       *CosyVoiceServer
	conn      *websocket.Conn
	idx       int
	workspace string
	log       *slog.Logger
	in        chan cvMsg    // from readLoop; closed when reading fails
	gone      chan struct{} // closed when reading fails
	done      chan struct{} // closed when run returns
	used      map[string]bool
	task      *cvTask
	lastAt    time.Time // when the client last sent something
}

// cvTask is the state of the running task.
type cvTask struct {
	rec       *CosyVoiceTask
	rate      int
	speed     float64
	gain      float64
	sentence  int // index of the next sentence
	frames    int // audio frames sent
	gotFinish bool
}

func newCVSession(s *CosyVoiceServer, conn *websocket.Conn, idx int, workspace string) *cvSession {
	return &cvSession{
		srv: s, conn: conn, idx: idx, workspace: workspace,
		log:    s.opts.Log.With("conn", idx),
		in:     make(chan cvMsg, 16),
		gone:   make(chan struct{}),
		done:   make(chan struct{}),
		used:   make(map[string]bool),
		lastAt: time.Now(),
	}
}

func (ss *cvSession) opts() CosyVoiceOptions { return ss.srv.opts }

func (ss *cvSession) run() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ss.readLoop()
	}()
	defer wg.Wait()
	defer close(ss.done)
	defer ss.conn.Close()
	defer ss.abortTask()
	for {
		m, ok, timedOut := ss.next()
		switch {
		case timedOut && ss.task != nil:
			ss.fail(ss.task.rec.TaskID, cvClientError, cvTimeoutMsg)
			return
		case timedOut:
			ss.log.Info("ttstest: cosyvoice connection idle, closing")
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "idle")
			ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			return // an idle client is not reading: do not wait for its close frame
		case !ok || !ss.handle(m):
			return
		}
	}
}

// next waits for the client's next frame, up to the idle limit: IdleLimit
// while a task waits for text, IdleClose otherwise.
func (ss *cvSession) next() (m cvMsg, ok, timedOut bool) {
	select {
	case m, ok = <-ss.in: // frames already waiting come first
	default:
		limit := ss.opts().IdleClose
		if ss.task != nil && !ss.task.gotFinish {
			limit = ss.opts().IdleLimit
		}
		wait := limit - time.Since(ss.lastAt)
		if wait <= 0 {
			return m, false, true
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case m, ok = <-ss.in:
		case <-t.C:
			return m, false, true
		}
	}
	if ok {
		ss.lastAt = m.at
	}
	return m, ok, false
}

func (ss *cvSession) readLoop() {
	defer close(ss.in)
	defer close(ss.gone)
	for {
		typ, data, err := ss.conn.ReadMessage()
		if err != nil {
			ss.log.Debug("ttstest: cosyvoice read", "err", err)
			return
		}
		select {
		case ss.in <- cvMsg{typ, data, time.Now()}:
		case <-ss.done:
			return
		}
	}
}

// cvClientMsg is a client instruction.
type cvClientMsg struct {
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
		Input      struct {
			Text *string `json:"text"`
		} `json:"input"`
	} `json:"payload"`
}

// handle processes one frame; it reports whether the connection goes on.
func (ss *cvSession) handle(m cvMsg) bool {
	current := ""
	if ss.task != nil {
		current = ss.task.rec.TaskID
	}
	if m.typ == websocket.BinaryMessage {
		return ss.fail(current, cvClientError, "binary message not expected by speech synthesis")
	}
	var msg cvClientMsg
	if err := json.Unmarshal(m.data, &msg); err != nil {
		return ss.fail(current, cvClientError, "invalid instruction: "+err.Error())
	}
	id := msg.Header.TaskID
	switch {
	case id == "":
		return ss.fail(current, cvClientError, "header.task_id is required")
	case msg.Header.Action == "run-task":
		return ss.runTask(msg)
	case msg.Header.Action != "continue-task" && msg.Header.Action != "finish-task":
		return ss.fail(id, cvClientError, fmt.Sprintf("unsupported action %q", msg.Header.Action))
	case ss.task == nil || id != current:
		return ss.fail(id, cvClientError, msg.Header.Action+" for unknown task "+id)
	case ss.task.gotFinish:
		return ss.fail(id, cvClientError, msg.Header.Action+" after finish-task")
	case msg.Header.Action == "continue-task":
		return ss.continueTask(msg)
	}
	return ss.finishTask()
}

type cvParams struct {
	TextType   string   `json:"text_type"`
	Voice      string   `json:"voice"`
	Format     string   `json:"format"`
	SampleRate *int     `json:"sample_rate"`
	Volume     *int     `json:"volume"`
	Rate       *float64 `json:"rate"`
	Pitch      *float64 `json:"pitch"`
}

// runTask validates a run-task, records it, and answers task-started after
// StartDelay, failing the task if the client sends anything meanwhile.
func (ss *cvSession) runTask(msg cvClientMsg) bool {
	id := msg.Header.TaskID
	if ss.task != nil {
		return ss.fail(id, cvClientError, "a task is already running on this connection")
	}
	var p cvParams
	perr := json.Unmarshal(msg.Payload.Parameters, &p)
	rec := &CosyVoiceTask{Conn: ss.idx, TaskID: id, Model: msg.Payload.Model, Voice: p.Voice,
		TextType: p.TextType, Format: p.Format, SampleRate: deref(p.SampleRate, 22050),
		Volume: deref(p.Volume, 50), Rate: deref(p.Rate, 1), Pitch: deref(p.Pitch, 1), Workspace: ss.workspace}
	ss.srv.newTask(rec)
	ss.task = &cvTask{rec: rec, rate: rec.SampleRate, speed: rec.Rate, gain: float64(rec.Volume) / 50}
	if code, reason := ss.checkRunTask(msg, rec, perr); code != "" {
		return ss.fail(id, code, reason)
	}
	ss.used[id] = true
	t := time.NewTimer(ss.opts().StartDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case _, ok := <-ss.in:
		if !ok {
			return false
		}
		return ss.fail(id, cvClientError, "message received before task-started")
	}
	return ss.sendEvent(id, "task-started", map[string]any{})
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// checkRunTask returns the error code and message the service would give
// for a bad run-task, or "".
func (ss *cvSession) checkRunTask(msg cvClientMsg, r *CosyVoiceTask, perr error) (string, string) {
	h, pl, o := msg.Header, msg.Payload, ss.opts()
	switch {
	case ss.used[h.TaskID]:
		return cvClientError, "task_id " + h.TaskID + " was already used on this connection"
	case h.Streaming != "duplex":
		return cvInvalid, fmt.Sprintf("header.streaming %q, want duplex", h.Streaming)
	case pl.TaskGroup != "audio" || pl.Task != "tts" || pl.Function != "SpeechSynthesizer":
		return cvInvalid, fmt.Sprintf("task_group/task/function %s/%s/%s, want audio/tts/SpeechSynthesizer", pl.TaskGroup, pl.Task, pl.Function)
	case pl.Model == "":
		return cvInvalid, "payload.model is required"
	case !slices.Contains(o.Models, pl.Model):
		return cvNoModel, fmt.Sprintf("Model not found (%s)!", pl.Model)
	case perr != nil:
		return cvInvalid, "payload.parameters: " + perr.Error()
	case r.TextType != "PlainText":
		return cvInvalid, fmt.Sprintf("text_type %q, want PlainText", r.TextType)
	case !slices.Contains(o.Voices, r.Voice):
		return cvInvalid, fmt.Sprintf("voice %q not found", r.Voice)
	case strings.HasSuffix(r.Voice, "_v2") && pl.Model != "cosyvoice-v2",
		strings.HasSuffix(r.Voice, "_v3") && !strings.HasPrefix(pl.Model, "cosyvoice-v3"):
		return cvInvalid, fmt.Sprintf("voice %s does not match model %s", r.Voice, pl.Model)
	case r.Format != "pcm":
		return cvInvalid, fmt.Sprintf("format %q: this double produces pcm only", r.Format)
	case !slices.Contains([]int{8000, 16000, 22050, 24000, 44100, 48000}, r.SampleRate):
		return cvInvalid, fmt.Sprintf("sample_rate %d not supported", r.SampleRate)
	case r.Volume < 0 || r.Volume > 100:
		return cvInvalid, fmt.Sprintf("volume %d out of [0, 100]", r.Volume)
	case r.Rate < 0.5 || r.Rate > 2 || r.Pitch < 0.5 || r.Pitch > 2:
		return cvInvalid, fmt.Sprintf("rate %g or pitch %g out of [0.5, 2]", r.Rate, r.Pitch)
	}
	return "", ""
}

// continueTask checks the text limits and synthesises the text at once.
func (ss *cvSession) continueTask(msg cvClientMsg) bool {
	t := ss.task
	id := t.rec.TaskID
	if msg.Payload.Input.Text == nil {
		return ss.fail(id, cvInvalid, "payload.input.text is required")
	}
	text := *msg.Payload.Input.Text
	n := CosyVoiceTextLength(text)
	if n > CosyVoiceMaxText {
		return ss.fail(id, cvInvalid, fmt.Sprintf("text length %d exceeds %d", n, CosyVoiceMaxText))
	}
	if t.rec.Characters+n > CosyVoiceMaxTotal {
		return ss.fail(id, cvInvalid, fmt.Sprintf("total text length %d exceeds %d", t.rec.Characters+n, CosyVoiceMaxTotal))
	}
	ss.srv.update(t.rec, func(r *CosyVoiceTask) {
		r.Texts = append(r.Texts, text)
		r.Characters += n
	})
	for _, s := range cosyVoiceSentences(text) {
		if !ss.synthesize(s) {
			return false
		}
	}
	return true
}

// finishTask answers finish-task with task-finished; the connection stays
// open for another task.
func (ss *cvSession) finishTask() bool {
	t := ss.task
	t.gotFinish = true
	ss.srv.update(t.rec, func(r *CosyVoiceTask) { r.GotFinish = true })
	payload := map[string]any{
		"output": map[string]any{"sentence": map[string]any{"words": []any{}}},
		"usage":  map[string]any{"characters": t.rec.Characters},
	}
	if !ss.sendEvent(t.rec.TaskID, "task-finished", payload) {
		return false
	}
	ss.srv.update(t.rec, func(r *CosyVoiceTask) { r.Finished, r.Ended = true, true })
	ss.task = nil
	return true
}

// cosyVoiceSentences splits text after sentence-ending punctuation.
func cosyVoiceSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune("。！？!?\n", r) {
			end := i + len(string(r))
			if s := strings.TrimSpace(text[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}
