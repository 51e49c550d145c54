package dialog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// intentsDoc is intents.yaml as written.
type intentsDoc struct {
	Negators     []string            `yaml:"negators"`
	Affirmations []string            `yaml:"affirmations"`
	Declines     []string            `yaml:"declines"`
	Synonyms     map[string][]string `yaml:"synonyms"`
	Intents      []intentYAML        `yaml:"intents"`
}

type intentYAML struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Action      string        `yaml:"action"`
	Answer      string        `yaml:"answer"`
	Article     string        `yaml:"article"`
	Queue       string        `yaml:"queue"`
	Reason      string        `yaml:"reason"`
	Sensitive   bool          `yaml:"sensitive"`
	Offer       *offerYAML    `yaml:"offer"`
	Priority    int           `yaml:"priority"`
	Keywords    []string      `yaml:"keywords"`
	Examples    []string      `yaml:"examples"`
	Slots       []slotRefYAML `yaml:"slots"`
}

type offerYAML struct {
	Queue  string `yaml:"queue"`
	Reason string `yaml:"reason"`
}

type responsesYAML struct {
	Clarify       string `yaml:"clarify"`
	Escalate      string `yaml:"escalate"`
	EscalateQueue string `yaml:"escalate_queue"`
	Fallback      string `yaml:"fallback"`
	Handoff       string `yaml:"handoff"`
	TwoFactor     string `yaml:"two_factor"`
	Declined      string `yaml:"declined"`
}

// decodeStrict decodes one YAML document rejecting unknown keys.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty document")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i], _, _ = strings.Cut(m, " in type ")
			}
			return errors.New(strings.Join(msgs, "; "))
		}
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// entryLines returns the line of each item of the top-level sequence key,
// so that problems can name "intents.yaml:42". Missing lines are 0.
func entryLines(data []byte, key string) []int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		var lines []int
		for _, item := range m.Content[i+1].Content {
			lines = append(lines, item.Line)
		}
		return lines
	}
	return nil
}

func loadResponses(fsys fs.FS, pr *problems) Responses {
	data, ok := readFile(fsys, responsesFile, pr)
	if !ok {
		return Responses{}
	}
	var y responsesYAML
	if err := decodeStrict(data, &y); err != nil {
		pr.add(responsesFile, "%v", err)
		return Responses{}
	}
	r := Responses{
		Clarify: y.Clarify, Escalate: y.Escalate, EscalateQueue: y.EscalateQueue,
		Fallback: y.Fallback, Handoff: y.Handoff, TwoFactor: y.TwoFactor, Declined: y.Declined,
	}
	if r.EscalateQueue == "" {
		r.EscalateQueue = DefaultQueue
	}
	for _, f := range []struct{ key, val string }{
		{"clarify", r.Clarify}, {"escalate", r.Escalate}, {"fallback", r.Fallback},
		{"handoff", r.Handoff}, {"two_factor", r.TwoFactor}, {"declined", r.Declined},
	} {
		if strings.TrimSpace(f.val) == "" {
			pr.add(responsesFile, "%s: missing or empty", f.key)
		}
	}
	return r
}

func loadIntents(fsys fs.FS, p *Pack, pr *problems) {
	data, ok := readFile(fsys, intentsFile, pr)
	if !ok {
		return
	}
	var doc intentsDoc
	if err := decodeStrict(data, &doc); err != nil {
		pr.add(intentsFile, "%v", err)
		return
	}
	if len(doc.Intents) == 0 {
		pr.add(intentsFile, "no intents")
	}
	p.negators = foldList(doc.Negators)
	p.affirmations = foldList(doc.Affirmations)
	p.declines = foldList(doc.Declines)
	p.synonyms = checkSynonyms(doc.Synonyms, pr)
	lines := entryLines(data, "intents")
	for i, y := range doc.Intents {
		where := fmt.Sprintf("%s: intent #%d", intentsFile, i+1)
		if i < len(lines) && lines[i] > 0 {
			where = fmt.Sprintf("%s:%d: intent #%d", intentsFile, lines[i], i+1)
		}
		if y.Name != "" {
			where += fmt.Sprintf(" (%s)", y.Name)
		}
		in, ok := checkIntent(y, p, where, pr)
		if !ok {
			continue
		}
		if _, dup := p.byName[in.Name]; dup {
			pr.add(where, "duplicate intent name %q", in.Name)
			continue
		}
		p.byName[in.Name] = len(p.intents)
		p.intents = append(p.intents, in)
	}
}

// foldList folds and deduplicates a word list, dropping empty entries.
func foldList(words []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words {
		f := compact(w)
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
