package cosyvoice

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	ds "github.com/yuecall/yuecall/internal/dashscope"
)

// Text limits of continue-task: a Chinese character counts as two.
const (
	maxChunkChars = 20000
	maxTotalChars = 200000
)

type parameters struct {
	TextType   string  `json:"text_type"`
	Voice      string  `json:"voice"`
	Format     string  `json:"format"`
	SampleRate int     `json:"sample_rate"`
	Volume     int     `json:"volume"`
	Rate       float64 `json:"rate"`
	Pitch      float64 `json:"pitch"`
}

type runTask struct {
	Header  ds.Header `json:"header"`
	Payload struct {
		TaskGroup  string     `json:"task_group"`
		Task       string     `json:"task"`
		Function   string     `json:"function"`
		Model      string     `json:"model"`
		Parameters parameters `json:"parameters"`
		Input      struct{}   `json:"input"`
	} `json:"payload"`
}

type continueTask struct {
	Header  ds.Header `json:"header"`
	Payload struct {
		Input struct {
			Text string `json:"text"`
		} `json:"input"`
	} `json:"payload"`
}

func (c Config) runTaskJSON(taskID, voice string, rate int) []byte {
	var m runTask
	m.Header = ds.NewHeader("run-task", taskID)
	m.Payload.TaskGroup, m.Payload.Task, m.Payload.Function = "audio", "tts", "SpeechSynthesizer"
	m.Payload.Model = c.Model
	m.Payload.Parameters = parameters{TextType: "PlainText", Voice: voice, Format: c.Format,
		SampleRate: rate, Volume: c.Volume, Rate: c.Rate, Pitch: c.Pitch}
	b, _ := json.Marshal(m) // plain structs always marshal
	return b
}

func continueTaskJSON(taskID, text string) []byte {
	var m continueTask
	m.Header = ds.NewHeader("continue-task", taskID)
	m.Payload.Input.Text = text
	b, _ := json.Marshal(m)
	return b
}

// event is one parsed server event.
type event struct {
	name       string
	taskID     string
	code       string // task-failed error_code
	message    string // task-failed error_message
	characters int    // payload.usage.characters (billed so far)
}

// wirePayload is the part of an event's payload the client reads.
type wirePayload struct {
	Usage *struct {
		Characters int `json:"characters"`
	} `json:"usage"`
}

// parseEvent parses one text frame. Errors wrap ErrProtocol.
func parseEvent(data []byte) (event, error) {
	env, err := ds.ParseEvent(data, ErrProtocol)
	if err != nil {
		return event{}, err
	}
	e := event{name: env.Name, taskID: env.TaskID, code: env.Code, message: env.Message}
	var w wirePayload
	if len(env.Payload) > 0 && json.Unmarshal(env.Payload, &w) != nil {
		return event{}, fmt.Errorf("%w: bad payload in %q", ErrProtocol, ds.Clip(data))
	}
	if u := w.Usage; u != nil && u.Characters > 0 {
		e.characters = u.Characters
	}
	return e, nil
}

// charWeight is how much r counts towards the text limits: a Chinese
// character (Han, including kanji and hanja) counts 2, anything else 1.
func charWeight(r rune) int {
	if unicode.Is(unicode.Han, r) {
		return 2
	}
	return 1
}

// TextLength is the length of text as the service counts it.
func TextLength(text string) int {
	n := 0
	for _, r := range text {
		n += charWeight(r)
	}
	return n
}

// splitText cuts text into continue-task pieces of at most maxChunkChars
// weighted characters, preferring to cut after sentence punctuation in the
// second half of a piece. Invalid UTF-8 becomes U+FFFD (as JSON would
// send it). It fails over maxTotalChars.
func splitText(text string) ([]string, error) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if n := TextLength(text); n > maxTotalChars {
		return nil, fmt.Errorf("%w: %d characters (Chinese counted twice), limit %d", ErrTextTooLong, n, maxTotalChars)
	}
	var out []string
	runes := []rune(text)
	for len(runes) > 0 {
		end, weight, cut := 0, 0, 0
		for end < len(runes) && weight+charWeight(runes[end]) <= maxChunkChars {
			weight += charWeight(runes[end])
			end++
			if isBreak(runes[end-1]) && weight > maxChunkChars/2 {
				cut = end
			}
		}
		if end == len(runes) || cut == 0 {
			cut = end
		}
		out = append(out, string(runes[:cut]))
		runes = runes[cut:]
	}
	return out, nil
}

func isBreak(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '，', '\n', '.', '!', '?', ';', ',', ' ':
		return true
	}
	return false
}
