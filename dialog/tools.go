package dialog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Tool errors; Run wraps one of them.
var (
	ErrToolUnknown     = errors.New("dialog: unknown tool")
	ErrToolTransaction = errors.New("dialog: transaction tools are never run for a generator")
	ErrToolArgs        = errors.New("dialog: invalid tool arguments")
	ErrToolTimeout     = errors.New("dialog: tool timed out")
	ErrToolUnavailable = errors.New("dialog: tool unavailable")       // network, bad URL, 5xx
	ErrToolRejected    = errors.New("dialog: tool rejected the call") // 4xx
	ErrToolResponse    = errors.New("dialog: bad tool response")      // not JSON, too large
)

// ToolRunnerOptions configure a ToolRunner.
type ToolRunnerOptions struct {
	Client *http.Client        // nil: a client without a timeout of its own
	Getenv func(string) string // resolves ${ENV} in URLs; nil: os.Getenv
}

// ToolRunner calls a pack's tools over HTTP: arguments are checked against
// the tool's JSON Schema (required properties, types, enums), sent as a JSON
// body (POST) or query parameters (GET) with the tool's timeout, and the
// reply must be JSON of at most MaxToolResponse bytes. It is safe for
// concurrent use.
type ToolRunner struct {
	tools  map[string]PackTool
	client *http.Client
	getenv func(string) string
}

// NewToolRunner returns a runner for tools.
func NewToolRunner(tools []PackTool, opt ToolRunnerOptions) *ToolRunner {
	r := &ToolRunner{tools: map[string]PackTool{}, client: opt.Client, getenv: opt.Getenv}
	if r.client == nil {
		r.client = &http.Client{}
	}
	if r.getenv == nil {
		r.getenv = os.Getenv
	}
	for _, t := range tools {
		r.tools[t.Name] = t
	}
	return r
}

// Offered returns the tools a Generator may call: all but transaction tools.
func (r *ToolRunner) Offered() []Tool {
	var out []Tool
	for _, t := range r.tools {
		if !t.Transaction {
			out = append(out, t.Tool)
		}
	}
	slices.SortFunc(out, func(a, b Tool) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RunForGenerator is Run for a Generator: transaction tools are refused.
func (r *ToolRunner) RunForGenerator(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	if t, ok := r.tools[name]; ok && t.Transaction {
		return nil, fmt.Errorf("%w: %s", ErrToolTransaction, name)
	}
	return r.Run(ctx, name, args)
}

// Run calls the tool name with args (a JSON object) and returns its JSON
// reply. Errors wrap ErrToolUnknown, ErrToolArgs, ErrToolTimeout,
// ErrToolUnavailable, ErrToolRejected or ErrToolResponse.
func (r *ToolRunner) Run(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	t, ok := r.tools[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrToolUnknown, name)
	}
	obj, err := checkArgs(t.schema, args)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrToolArgs, name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	req, err := r.request(ctx, t, obj)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrToolUnavailable, name, err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %s after %s", ErrToolTimeout, name, t.Timeout)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrToolUnavailable, name, redactURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxToolResponse+1))
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("%w: %s after %s", ErrToolTimeout, name, t.Timeout)
	case err != nil:
		return nil, fmt.Errorf("%w: %s: reading: %v", ErrToolUnavailable, name, err)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: %s: HTTP %d", ErrToolUnavailable, name, resp.StatusCode)
	case resp.StatusCode >= 300:
		return nil, fmt.Errorf("%w: %s: HTTP %d", ErrToolRejected, name, resp.StatusCode)
	case len(body) > MaxToolResponse:
		return nil, fmt.Errorf("%w: %s: reply over %d bytes", ErrToolResponse, name, MaxToolResponse)
	case !json.Valid(body):
		return nil, fmt.Errorf("%w: %s: reply is not JSON", ErrToolResponse, name)
	}
	return json.RawMessage(body), nil
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Configured reports whether the tool exists and its URL resolves to an
// absolute http(s) URL (its ${ENV} placeholders are set).
func (r *ToolRunner) Configured(name string) bool {
	t, ok := r.tools[name]
	if !ok {
		return false
	}
	_, err := r.resolve(t)
	return err == nil
}

func (r *ToolRunner) resolve(t PackTool) (*url.URL, error) {
	raw := envRE.ReplaceAllStringFunc(t.URL, func(m string) string { return r.getenv(m[2 : len(m)-1]) })
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("url is not an absolute http(s) URL once ${ENV} is resolved")
	}
	return u, nil
}

func (r *ToolRunner) request(ctx context.Context, t PackTool, args map[string]any) (*http.Request, error) {
	u, err := r.resolve(t)
	if err != nil {
		return nil, err
	}
	if t.Method == http.MethodGet {
		q := u.Query()
		for k, v := range args {
			q.Set(k, queryValue(v))
		}
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err == nil {
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	}
	body, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	}
	return req, err
}

func queryValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// redactURLError drops the URL (it may hold a key in its query) from a
// client error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkArgs parses args as a JSON object and checks it against s.
func checkArgs(s toolSchema, args json.RawMessage) (map[string]any, error) {
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("want a JSON object")
	}
	if dec.More() {
		return nil, errors.New("trailing data after the object")
	}
	for _, req := range s.Required {
		if _, ok := obj[req]; !ok {
			return nil, fmt.Errorf("%s is required", req)
		}
	}
	for k, v := range obj {
		ps, ok := s.Properties[k]
		if !ok {
			continue
		}
		if !typeOK(ps.Type, v) {
			return nil, fmt.Errorf("%s: want %s", k, ps.Type)
		}
		if len(ps.Enum) > 0 && !slices.ContainsFunc(ps.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
			return nil, fmt.Errorf("%s: not one of %v", k, ps.Enum)
		}
	}
	return obj, nil
}

func typeOK(typ string, v any) bool {
	switch typ {
	case "":
		return true
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	}
	return false
}
