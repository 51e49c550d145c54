package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
)

var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// validate checks a request as the chat completions API does and answers
// 400 (404 for an unknown model) with OpenAI's error body when it fails.
func (s *Server) validate(w http.ResponseWriter, req Request) bool {
	param, msg := s.problem(req)
	if msg == "" {
		return true
	}
	status, code := http.StatusBadRequest, ""
	if param == "model" && req.Model != "" {
		status, code = http.StatusNotFound, "model_not_found"
	}
	writeError(w, status, "invalid_request_error", param, code, msg)
	return false
}

// problem returns the offending parameter and a message, or "" if the
// request is valid.
func (s *Server) problem(req Request) (string, string) {
	switch {
	case req.Model == "":
		return "model", "you must provide a model parameter"
	case !slices.Contains(s.opt.Models, req.Model):
		return "model", fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", req.Model)
	case len(req.Messages) == 0:
		return "messages", "[] is too short - 'messages'"
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2):
		return "temperature", fmt.Sprintf("%g is greater than the maximum of 2 - 'temperature'", *req.Temperature)
	case req.MaxTokens != nil && *req.MaxTokens < 1:
		return "max_tokens", "max_tokens must be at least 1"
	case req.N != nil && *req.N != 1:
		return "n", "llmtest serves n=1 only"
	case req.StreamOptions != nil && !req.Stream:
		return "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."
	case len(req.ToolChoice) > 0 && len(req.Tools) == 0:
		return "tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."
	}
	for i, t := range req.Tools {
		if p, m := toolProblem(i, t); m != "" {
			return p, m
		}
	}
	return messagesProblem(req.Messages)
}

func toolProblem(i int, t Tool) (string, string) {
	param := fmt.Sprintf("tools[%d]", i)
	switch {
	case t.Type != "function":
		return param + ".type", fmt.Sprintf("Invalid value: '%s'. Supported values are: 'function'.", t.Type)
	case t.Function == nil:
		return param + ".function", "Missing required parameter: '" + param + ".function'."
	case !functionName.MatchString(t.Function.Name):
		return param + ".function.name", fmt.Sprintf("Invalid '%s.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", param)
	}
	if len(t.Function.Parameters) == 0 {
		return "", ""
	}
	var schema map[string]json.RawMessage
	if json.Unmarshal(t.Function.Parameters, &schema) != nil {
		return param + ".function.parameters", fmt.Sprintf("Invalid schema for function '%s': parameters must be a JSON object.", t.Function.Name)
	}
	var typ string
	_ = json.Unmarshal(schema["type"], &typ)
	if typ != "object" {
		return param + ".function.parameters", fmt.Sprintf("Invalid schema for function '%s': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"%s\"'.", t.Function.Name, typ)
	}
	return "", ""
}

// messagesProblem checks roles, contents and that every assistant
// tool_calls message is answered by one tool message per call id.
func messagesProblem(msgs []Message) (string, string) {
	pending := map[string]bool{}
	for i, m := range msgs {
		param := fmt.Sprintf("messages.[%d]", i)
		if m.Role != "tool" && len(pending) > 0 {
			return param + ".role", "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'."
		}
		switch m.Role {
		case "system", "developer", "user":
			if m.Text() == "" && !isParts(m.Content) {
				return param + ".content", "Invalid type for '" + param + ".content': expected a string, but got null instead."
			}
		case "assistant":
			if len(m.ToolCalls) == 0 && m.Text() == "" {
				return param + ".content", "Invalid value for '" + param + ".content': an assistant message needs content or tool_calls."
			}
			for _, c := range m.ToolCalls {
				if c.ID == "" || c.Type != "function" || c.Function.Name == "" {
					return param + ".tool_calls", "Invalid tool call in '" + param + "': id, type 'function' and function.name are required."
				}
				pending[c.ID] = true
			}
		case "tool":
			if !pending[m.ToolCallID] {
				return param + ".tool_call_id", "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
			}
			delete(pending, m.ToolCallID)
		default:
			return param + ".role", fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.", m.Role)
		}
	}
	if len(pending) > 0 {
		return "messages", "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'."
	}
	return "", ""
}

func isParts(raw json.RawMessage) bool {
	var parts []json.RawMessage
	return json.Unmarshal(raw, &parts) == nil && len(parts) > 0
}
