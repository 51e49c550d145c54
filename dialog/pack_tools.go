package dialog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/yuecall/yuecall/dialog/search"
)

// Conversation-side pack files. Both are optional: a pack without them has
// no tools, no identity check and the guardrails implied by intents.yaml
// (sensitive → hand-off with the two-factor reminder).
const (
	toolsFile  = "tools.yaml"
	policyFile = "policy.yaml"
)

// Tool limits.
const (
	DefaultToolTimeout = 3 * time.Second
	maxToolTimeout     = 30 * time.Second
	// MaxToolResponse caps a tool's response body; larger bodies are an error.
	MaxToolResponse = 64 << 10
)

// PackTool is a tool from tools.yaml. Transaction tools move money or change
// an account: the dialog never offers them to a Generator nor runs them for
// one, and never promises them to a caller.
type PackTool struct {
	Tool
	Transaction bool
	schema      toolSchema
}

// packExt is what the conversation side loads from a pack (tools.yaml and
// policy.yaml); Pack embeds it as field ext.
type packExt struct {
	tools  map[string]PackTool
	order  []string // tool names in file order
	policy policy
	kb     *search.Index // the articles, for retrieval (suggest.go)
}

// Tools returns the pack's tools in file order.
func (p *Pack) Tools() []PackTool {
	out := make([]PackTool, 0, len(p.ext.order))
	for _, n := range p.ext.order {
		out = append(out, p.ext.tools[n])
	}
	return out
}

type toolsDoc struct {
	Tools []toolYAML `yaml:"tools"`
}

type toolYAML struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Method      string         `yaml:"method"`
	URL         string         `yaml:"url"`
	Timeout     string         `yaml:"timeout"`
	Transaction bool           `yaml:"transaction"`
	Parameters  map[string]any `yaml:"parameters"`
}

// loadTools reads the optional tools.yaml and policy.yaml of a pack into
// p.ext; LoadPack calls it after the intents are loaded.
func loadTools(fsys fs.FS, p *Pack, pr *problems) {
	p.ext.tools = map[string]PackTool{}
	if data, err := fs.ReadFile(fsys, toolsFile); err == nil {
		var doc toolsDoc
		if err := decodeStrict(data, &doc); err != nil {
			pr.add(toolsFile, "%v", err)
		}
		lines := entryLines(data, "tools")
		for i, y := range doc.Tools {
			where := fmt.Sprintf("%s: tool #%d", toolsFile, i+1)
			if i < len(lines) && lines[i] > 0 {
				where = fmt.Sprintf("%s:%d: tool #%d", toolsFile, lines[i], i+1)
			}
			t, ok := checkTool(y, where, pr)
			if !ok {
				continue
			}
			if _, dup := p.ext.tools[t.Name]; dup {
				pr.add(where, "duplicate tool name %q", t.Name)
				continue
			}
			p.ext.tools[t.Name] = t
			p.ext.order = append(p.ext.order, t.Name)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		pr.add(toolsFile, "%v", err)
	}
	p.ext.policy = loadPolicy(fsys, p, pr)
	p.ext.kb = buildKB(p)
}

func checkTool(y toolYAML, where string, pr *problems) (PackTool, bool) {
	before := len(*pr)
	if !nameRE.MatchString(y.Name) {
		pr.add(where, "name %q: want lower_snake_case", y.Name)
	}
	if strings.TrimSpace(y.Description) == "" {
		pr.add(where, "description missing")
	}
	method := strings.ToUpper(strings.TrimSpace(y.Method))
	if method == "" {
		method = "POST"
	}
	if method != "GET" && method != "POST" {
		pr.add(where, "method %q: want GET or POST", y.Method)
	}
	if !strings.HasPrefix(y.URL, "http://") && !strings.HasPrefix(y.URL, "https://") && !strings.HasPrefix(y.URL, "${") {
		pr.add(where, "url %q: want http:// or https:// (may start with ${ENV})", y.URL)
	}
	timeout := DefaultToolTimeout
	if y.Timeout != "" {
		d, err := time.ParseDuration(y.Timeout)
		if err != nil || d <= 0 || d > maxToolTimeout {
			pr.add(where, "timeout %q: want a duration in (0, %s]", y.Timeout, maxToolTimeout)
		} else {
			timeout = d
		}
	}
	params := y.Parameters
	if params == nil {
		params = map[string]any{"type": "object", "properties": map[string]any{}}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		pr.add(where, "parameters: %v", err)
	}
	schema, err := parseSchema(raw)
	if err != nil {
		pr.add(where, "parameters: %v", err)
	}
	t := PackTool{Tool: Tool{Name: y.Name, Description: strings.TrimSpace(y.Description), Parameters: raw,
		Method: method, URL: y.URL, Timeout: timeout}, Transaction: y.Transaction, schema: schema}
	return t, len(*pr) == before
}

// toolSchema is the part of a JSON Schema the runner checks: an object's
// required properties and each property's type (and enum).
type toolSchema struct {
	Type       string                `json:"type"`
	Required   []string              `json:"required"`
	Properties map[string]propSchema `json:"properties"`
}

type propSchema struct {
	Type string `json:"type"`
	Enum []any  `json:"enum"`
}

var schemaTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true,
	"object": true, "array": true, "null": true, "": true}

func parseSchema(raw []byte) (toolSchema, error) {
	var s toolSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, err
	}
	if s.Type != "object" {
		return s, fmt.Errorf("type %q: want object", s.Type)
	}
	for name, ps := range s.Properties {
		if !schemaTypes[ps.Type] {
			return s, fmt.Errorf("property %s: unknown type %q", name, ps.Type)
		}
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			return s, fmt.Errorf("required %q is not among the properties", r)
		}
	}
	return s, nil
}
