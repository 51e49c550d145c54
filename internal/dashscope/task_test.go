package dashscope

import (
	"encoding/json"
	"errors"
	"testing"
)

var errProto = errors.New("proto")

func TestParseEvent(t *testing.T) {
	e, err := ParseEvent([]byte(`{"header":{"task_id":"t","event":"task-failed","error_code":"C","error_message":"m"},"payload":{"x":1}}`), errProto)
	if err != nil || e.Name != EvTaskFailed || e.TaskID != "t" || e.Code != "C" || e.Message != "m" || string(e.Payload) != `{"x":1}` {
		t.Fatalf("%+v, %v", e, err)
	}
	for _, bad := range []string{`{`, `{"header":{}}`, `[]`} {
		if _, err := ParseEvent([]byte(bad), errProto); !errors.Is(err, errProto) {
			t.Errorf("%s: %v, want the protocol error", bad, err)
		}
	}
}

func TestFinishTaskAndRedact(t *testing.T) {
	var m struct {
		Header  Header
		Payload struct{ Input map[string]any }
	}
	if err := json.Unmarshal(FinishTaskJSON("id-1"), &m); err != nil || m.Header != NewHeader("finish-task", "id-1") || m.Payload.Input == nil {
		t.Errorf("finish-task %+v, %v", m, err)
	}
	if got := Redact("bad key sk-123 here", "sk-123"); got != "bad key <key> here" {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("x", ""); got != "x" {
		t.Errorf("Redact with no key = %q", got)
	}
}
