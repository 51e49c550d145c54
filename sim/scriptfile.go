package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// maxScriptBytes bounds a script file.
const maxScriptBytes = 1 << 20

// ParseScript reads a script: a YAML (or JSON) list of steps with the keys
// of Step's yaml tags, durations as Go duration strings ("300ms", "1s"):
//
//   - wait_bot: true
//   - dtmf: "1"
//   - wait_bot: true
//   - say: 我想問下你哋分行幾點開門
//   - wait_bot: true
//   - say: 信用卡唔見咗
//     barge_in_after: 1s
//   - wait_bot: true
//
// Unknown keys and invalid steps are errors wrapping ErrConfig.
func ParseScript(b []byte) ([]Step, error) {
	if len(b) > maxScriptBytes {
		return nil, fmt.Errorf("%w: script larger than %d bytes", ErrConfig, maxScriptBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var steps []Step
	if err := dec.Decode(&steps); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty script", ErrConfig)
		}
		return nil, fmt.Errorf("%w: script: %w", ErrConfig, err)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("%w: empty script", ErrConfig)
	}
	if len(steps) > maxScriptSteps {
		return nil, fmt.Errorf("%w: %d steps (max %d)", ErrConfig, len(steps), maxScriptSteps)
	}
	for i, s := range steps {
		if err := s.validate(i == len(steps)-1); err != nil {
			return nil, fmt.Errorf("%w: step %d: %w", ErrConfig, i, err)
		}
	}
	return steps, nil
}

// LoadScript reads a script file (see ParseScript).
func LoadScript(path string) ([]Step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: script: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxScriptBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sim: script %s: %w", path, err)
	}
	return ParseScript(b)
}

// DefaultScript is the demo hotline call: listen to the greeting and the
// menu, press 1 for the AI agent, ask about branch hours, interrupt the
// answer with a second question one second in, and listen to the reply.
func DefaultScript() []Step {
	return []Step{
		{WaitBot: true},
		{DTMF: "1"},
		{WaitBot: true},
		{Say: "我想問下你哋分行幾點開門"},
		{Say: "我張信用卡唔見咗", BargeInAfter: defaultBargeIn},
		{WaitBot: true},
	}
}

// defaultBargeIn is when DefaultScript talks over the bot's answer.
const defaultBargeIn = time.Second
