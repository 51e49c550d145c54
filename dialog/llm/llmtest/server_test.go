package llmtest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, auth, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const bearer = "Bearer " + DefaultKey

func TestErrors(t *testing.T) {
	s := NewServer(t, Options{})
	s.Script(Any(), Reply{Content: "好。"})
	tool := `{"type":"function","function":{"name":"fx","parameters":{"type":"object"}}}`
	tests := []struct {
		name, auth, body string
		status           int
		code, msg        string
	}{
		{"no auth", "", `{}`, 401, "", "You didn't provide an API key"},
		{"wrong key", "Bearer sk-wrong-1234567890", `{}`, 401, "invalid_api_key", "Incorrect API key provided: sk-********7890"},
		{"bad json", bearer, `{"model":`, 400, "", "could not parse the JSON body"},
		{"no model", bearer, `{"messages":[{"role":"user","content":"x"}]}`, 400, "", "must provide a model"},
		{"unknown model", bearer, `{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}`, 404, "model_not_found", "does not exist"},
		{"no messages", bearer, `{"model":"qwen-plus","messages":[]}`, 400, "", "too short"},
		{"bad role", bearer, `{"model":"qwen-plus","messages":[{"role":"bot","content":"x"}]}`, 400, "", "Invalid value: 'bot'"},
		{"null user content", bearer, `{"model":"qwen-plus","messages":[{"role":"user"}]}`, 400, "", "expected a string"},
		{"orphan tool message", bearer, `{"model":"qwen-plus","messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"c1","content":"{}"}]}`, 400, "", "must be a response"},
		{"unanswered tool call", bearer, `{"model":"qwen-plus","tools":[` + tool + `],"messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"fx","arguments":"{}"}}]},{"role":"user","content":"y"}]}`, 400, "", "must be followed by tool messages"},
		{"bad tool type", bearer, `{"model":"qwen-plus","tools":[{"type":"code"}],"messages":[{"role":"user","content":"x"}]}`, 400, "", "Supported values are: 'function'"},
		{"bad tool name", bearer, `{"model":"qwen-plus","tools":[{"type":"function","function":{"name":"匯率"}}],"messages":[{"role":"user","content":"x"}]}`, 400, "", "does not match pattern"},
		{"schema not object", bearer, `{"model":"qwen-plus","tools":[{"type":"function","function":{"name":"fx","parameters":{"type":"string"}}}],"messages":[{"role":"user","content":"x"}]}`, 400, "", "type: \"object\""},
		{"tool_choice without tools", bearer, `{"model":"qwen-plus","tool_choice":"none","messages":[{"role":"user","content":"x"}]}`, 400, "", "only allowed when 'tools'"},
		{"temperature", bearer, `{"model":"qwen-plus","temperature":3,"messages":[{"role":"user","content":"x"}]}`, 400, "", "maximum of 2"},
	}
	for _, tt := range tests {
		resp, body := post(t, s, tt.auth, tt.body)
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != tt.status {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
			continue
		}
		code := ""
		if e.Error.Code != nil {
			code = *e.Error.Code
		}
		if code != tt.code || !strings.Contains(e.Error.Message, tt.msg) || e.Error.Type == "" {
			t.Errorf("%s: error %+v", tt.name, e.Error)
		}
		if strings.Contains(body, DefaultKey) || strings.Contains(body, "sk-wrong-1234567890") {
			t.Errorf("%s: key echoed in %s", tt.name, body)
		}
	}
	if got := len(s.Requests()); got != len(tests) {
		t.Errorf("recorded %d requests, want %d", got, len(tests))
	}
}

func TestNonStream(t *testing.T) {
	s := NewServer(t, Options{})
	s.Script(UserSays("匯率"), Reply{ToolCalls: []Call{{ID: "c1", Name: "fx", Arguments: `{"c":"USD"}`}}})
	resp, body := post(t, s, bearer, `{"model":"qwen-plus","tools":[{"type":"function","function":{"name":"fx"}}],"messages":[{"role":"user","content":"匯率"}]}`)
	var c completion
	if err := json.Unmarshal([]byte(body), &c); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	ch := c.Choices[0]
	if c.Object != "chat.completion" || ch.FinishReason != "tool_calls" || ch.Message.Content != nil ||
		len(ch.Message.ToolCalls) != 1 || ch.Message.ToolCalls[0].Index != nil || ch.Message.ToolCalls[0].Function.Arguments != `{"c":"USD"}` {
		t.Errorf("completion %s", body)
	}
}

func TestStreamWire(t *testing.T) {
	s := NewServer(t, Options{})
	s.Script(Any(), Reply{Content: "你好呀。", PieceRunes: 2, ToolCalls: []Call{{Name: "fx", Arguments: `{"c":"USD"}`}}, ArgPieces: 2})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", strings.NewReader(
		`{"model":"qwen-plus","stream":true,"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"fx"}}],"messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Authorization", bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not a data line", line)
		}
		events = append(events, data)
	}
	// role, 2 content, call head, 2 argument pieces, finish, usage, [DONE]
	if len(events) != 9 || events[8] != "[DONE]" {
		t.Fatalf("%d events: %q", len(events), events)
	}
	var chunks []chunk
	for _, e := range events[:8] {
		var c chunk
		if err := json.Unmarshal([]byte(e), &c); err != nil || c.Object != "chat.completion.chunk" || c.ID == "" || c.Model != "qwen-plus" || c.Created == 0 {
			t.Fatalf("chunk %s", e)
		}
		chunks = append(chunks, c)
	}
	if d := chunks[0].Choices[0].Delta; d.Role != "assistant" {
		t.Errorf("first delta %+v", d)
	}
	head := chunks[3].Choices[0].Delta.ToolCalls[0]
	if *head.Index != 0 || head.ID == "" || head.Type != "function" || head.Function.Name != "fx" || head.Function.Arguments != "" {
		t.Errorf("tool call head %+v", head)
	}
	args := ""
	for _, c := range chunks[4:6] {
		tc := c.Choices[0].Delta.ToolCalls[0]
		if tc.ID != "" || tc.Function.Name != "" || *tc.Index != 0 {
			t.Errorf("argument delta %+v", tc)
		}
		args += tc.Function.Arguments
	}
	if args != `{"c":"USD"}` {
		t.Errorf("arguments %q", args)
	}
	if f := chunks[6].Choices[0].FinishReason; f == nil || *f != "tool_calls" {
		t.Errorf("finish %v", f)
	}
	if chunks[7].Usage == nil || len(chunks[7].Choices) != 0 {
		t.Errorf("usage chunk %s", events[7])
	}
	for _, c := range chunks[:6] {
		if c.Choices[0].FinishReason != nil {
			t.Errorf("finish_reason before the end: %+v", c)
		}
	}
}

func TestModelsAndTimes(t *testing.T) {
	s := NewServer(t, Options{Models: []string{"a", "b"}, NoAuth: true})
	resp, err := http.Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || list.Object != "list" || len(list.Data) != 2 || list.Data[1].ID != "b" {
		t.Errorf("models %+v %v", list, err)
	}
	s.Script(Any(), Reply{Status: 429}).Times(1)
	s.Script(Any(), Reply{Content: "好。"})
	body := `{"model":"a","messages":[{"role":"user","content":"x"}]}`
	if r, b := post(t, s, "", body); r.StatusCode != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(b, "rate_limit_exceeded") {
		t.Errorf("first: %d %s", r.StatusCode, b)
	}
	if r, _ := post(t, s, "", body); r.StatusCode != 200 {
		t.Errorf("second: %d", r.StatusCode)
	}
	if st := s.Requests(); st[0].Status != 429 || st[1].Status != 200 {
		t.Errorf("recorded %+v", st)
	}
}
