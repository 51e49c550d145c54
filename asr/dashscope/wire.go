package dashscope

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// Event names of the inference protocol (paraformer-server-events).
const (
	evTaskStarted     = "task-started"
	evResultGenerated = "result-generated"
	evTaskFinished    = "task-finished"
	evTaskFailed      = "task-failed"
)

// header is the header of a client event.
type header struct {
	Action    string `json:"action"`
	TaskID    string `json:"task_id"`
	Streaming string `json:"streaming"`
}

// runTask is the run-task client event (paraformer-client-events).
type runTask struct {
	Header  header     `json:"header"`
	Payload runPayload `json:"payload"`
}

type runPayload struct {
	TaskGroup  string     `json:"task_group"`
	Task       string     `json:"task"`
	Function   string     `json:"function"`
	Model      string     `json:"model"`
	Parameters parameters `json:"parameters"`
	Input      struct{}   `json:"input"`
}

type parameters struct {
	Format             string   `json:"format"`
	SampleRate         int      `json:"sample_rate"`
	LanguageHints      []string `json:"language_hints,omitempty"`
	VocabularyID       string   `json:"vocabulary_id,omitempty"`
	MaxSentenceSilence int      `json:"max_sentence_silence,omitempty"`
	Heartbeat          bool     `json:"heartbeat,omitempty"`
}

// finishTask is the finish-task client event.
type finishTask struct {
	Header  header `json:"header"`
	Payload struct {
		Input struct{} `json:"input"`
	} `json:"payload"`
}

func (c Config) runTaskJSON(taskID string) []byte {
	m := runTask{
		Header: header{Action: "run-task", TaskID: taskID, Streaming: "duplex"},
		Payload: runPayload{
			TaskGroup: "audio", Task: "asr", Function: "recognition", Model: c.Model,
			Parameters: parameters{
				Format:             "pcm",
				SampleRate:         c.SampleRate,
				LanguageHints:      c.LanguageHints,
				VocabularyID:       c.VocabularyID,
				MaxSentenceSilence: int(c.MaxSentenceSilence / time.Millisecond),
				Heartbeat:          c.Heartbeat,
			},
		},
	}
	b, _ := json.Marshal(m) // plain structs always marshal
	return b
}

func finishTaskJSON(taskID string) []byte {
	var m finishTask
	m.Header = header{Action: "finish-task", TaskID: taskID, Streaming: "duplex"}
	b, _ := json.Marshal(m)
	return b
}

// event is one parsed server event.
type event struct {
	name     string
	taskID   string
	code     string // task-failed error_code
	message  string // task-failed error_message
	sentence sentence
	billed   float64 // usage.duration in seconds, on finals
}

// sentence is the result-generated payload.
type sentence struct {
	text       string
	begin, end time.Duration
	hasEnd     bool
	final      bool // sentence_end
	heartbeat  bool
}

type wireEvent struct {
	Header struct {
		TaskID       string `json:"task_id"`
		Event        string `json:"event"`
		ErrorCode    string `json:"error_code"`
		ErrorMessage string `json:"error_message"`
	} `json:"header"`
	Payload struct {
		Output struct {
			Sentence *wireSentence `json:"sentence"`
		} `json:"output"`
		Usage *struct {
			Duration float64 `json:"duration"`
		} `json:"usage"`
	} `json:"payload"`
}

type wireSentence struct {
	BeginTime   *float64 `json:"begin_time"`
	EndTime     *float64 `json:"end_time"`
	Text        *string  `json:"text"`
	Heartbeat   *bool    `json:"heartbeat"`
	SentenceEnd *bool    `json:"sentence_end"`
}

// maxMillis bounds times taken from the wire (a day), so conversion to
// time.Duration cannot overflow.
const maxMillis = 86400e3

// parseEvent parses one server frame. Errors wrap asr.ErrProtocol.
func parseEvent(typ int, data []byte) (event, error) {
	if typ != websocket.TextMessage {
		return event{}, fmt.Errorf("%w: unexpected frame type %d (%d bytes)", asr.ErrProtocol, typ, len(data))
	}
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return event{}, fmt.Errorf("%w: %w in %q", asr.ErrProtocol, err, clip(data))
	}
	e := event{name: w.Header.Event, taskID: w.Header.TaskID,
		code: w.Header.ErrorCode, message: w.Header.ErrorMessage}
	switch e.name {
	case "":
		return event{}, fmt.Errorf("%w: no header.event in %q", asr.ErrProtocol, clip(data))
	case evResultGenerated:
		s, err := parseSentence(w.Payload.Output.Sentence)
		if err != nil {
			return event{}, fmt.Errorf("%w in %q", err, clip(data))
		}
		e.sentence = s
		if u := w.Payload.Usage; u != nil && u.Duration > 0 && u.Duration < maxMillis {
			e.billed = u.Duration
		}
	}
	return e, nil
}

func parseSentence(w *wireSentence) (sentence, error) {
	if w == nil {
		return sentence{}, fmt.Errorf("%w: result-generated without payload.output.sentence", asr.ErrProtocol)
	}
	// A heartbeat result keeps the task alive through silence and says
	// nothing. One that does carry text is treated as a normal result, in
	// case a server flags every result of a heartbeat task.
	if w.Heartbeat != nil && *w.Heartbeat && (w.Text == nil || *w.Text == "") {
		return sentence{heartbeat: true}, nil
	}
	if w.Text == nil {
		return sentence{}, fmt.Errorf("%w: sentence without text", asr.ErrProtocol)
	}
	s := sentence{text: *w.Text}
	if ms, ok := millis(w.BeginTime); ok {
		s.begin = ms
	}
	if ms, ok := millis(w.EndTime); ok && ms >= s.begin {
		s.end, s.hasEnd = ms, true
	}
	// sentence_end marks the final; older servers only set end_time.
	if w.SentenceEnd != nil {
		s.final = *w.SentenceEnd
	} else {
		s.final = w.EndTime != nil
	}
	return s, nil
}

// millis converts a wire time in ms, if present and sane.
func millis(v *float64) (time.Duration, bool) {
	if v == nil || math.IsNaN(*v) || *v < 0 || *v > maxMillis {
		return 0, false
	}
	return time.Duration(*v * float64(time.Millisecond)), true
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
