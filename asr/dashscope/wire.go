package dashscope

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	ds "github.com/yuecall/yuecall/internal/dashscope"
)

// runTask is the run-task client event (paraformer-client-events).
type runTask struct {
	Header  ds.Header  `json:"header"`
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

func (c Config) runTaskJSON(taskID string) []byte {
	m := runTask{
		Header: ds.NewHeader("run-task", taskID),
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

// wirePayload is the payload of result-generated.
type wirePayload struct {
	Output struct {
		Sentence *wireSentence `json:"sentence"`
	} `json:"output"`
	Usage *struct {
		Duration float64 `json:"duration"`
	} `json:"usage"`
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
	env, err := ds.ParseEvent(data, asr.ErrProtocol)
	if err != nil {
		return event{}, err
	}
	e := event{name: env.Name, taskID: env.TaskID, code: env.Code, message: env.Message}
	if e.name != ds.EvResultGenerated {
		return e, nil
	}
	var w wirePayload
	if err := json.Unmarshal(env.Payload, &w); err != nil {
		return event{}, fmt.Errorf("%w: %w in %q", asr.ErrProtocol, err, ds.Clip(data))
	}
	sn, err := parseSentence(w.Output.Sentence)
	if err != nil {
		return event{}, fmt.Errorf("%w in %q", err, ds.Clip(data))
	}
	e.sentence = sn
	if u := w.Usage; u != nil && u.Duration > 0 && u.Duration < maxMillis {
		e.billed = u.Duration
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
