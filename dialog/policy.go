package dialog

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// policy is policy.yaml: identity verification, guardrails, the review
// queue, required slots and tool-backed answers.
type policy struct {
	identity   identityPolicy
	guard      guardPolicy
	review     reviewPolicy
	answers    map[string]toolAnswer // intent → tool-backed answer
	kbMinScore float64               // out-of-scope turns answered from the KB above this score
	labels     map[string]string     // intent → name agents read
}

type identityPolicy struct {
	Intents   []string `yaml:"intents"`
	Question  string   `yaml:"question"`
	FactorArg string   `yaml:"factor_arg"`
	Factor    string   `yaml:"factor_tool"`
	SendOTP   string   `yaml:"send_otp"`
	VerifyOTP string   `yaml:"verify_otp"`
	OTPPrompt string   `yaml:"otp_prompt"`
	Retry     string   `yaml:"retry"`
	Verified  string   `yaml:"verified"`
	Failed    string   `yaml:"failed"`
	NoCaller  string   `yaml:"no_caller"`
	Queue     string   `yaml:"queue"`
	need      map[string]bool
}

type guardPolicy struct {
	TwoFactor []string   `yaml:"handoff_two_factor"` // hand off with the reminder
	Handoff   []string   `yaml:"handoff"`            // hand off
	Urgent    []string   `yaml:"urgent"`             // hand off and alert compliance
	Review    []string   `yaml:"review"`             // draft for a licensed human
	Scan      []scanYAML `yaml:"scan"`
	NeverSay  []string   `yaml:"never_say"` // a generated sentence with one of these ends the generation
	neverSay  []rule
	scans     []scanRule // compiled Scan
	kind      map[string]guardKind
}

type scanYAML struct {
	Intent     string   `yaml:"intent"`
	Words      []string `yaml:"words"`
	WithAmount []string `yaml:"with_amount"`
}

type reviewPolicy struct {
	Hold     string `yaml:"hold"`
	Rejected string `yaml:"rejected"`
	Timeout  string `yaml:"timeout"`
	Queue    string `yaml:"queue"`
	Reason   string `yaml:"reason"`
	NoDraft  string `yaml:"no_draft"`
}

type toolAnswer struct {
	Ask      []askYAML         `yaml:"ask"` // slots the tool needs, asked in order
	Tool     string            `yaml:"tool"`
	Args     map[string]string `yaml:"args"`
	Template string            `yaml:"template"`
	Source   string            `yaml:"source"`
	Error    string            `yaml:"error"`
}

type askYAML struct {
	Slot   string `yaml:"slot"`
	Prompt string `yaml:"prompt"`
}

type policyDoc struct {
	Identity   identityPolicy        `yaml:"identity"`
	Guardrails guardPolicy           `yaml:"guardrails"`
	Review     reviewPolicy          `yaml:"review"`
	Answers    map[string]toolAnswer `yaml:"answers"`
	KBMinScore float64               `yaml:"kb_min_score"`
	Labels     map[string]string     `yaml:"labels"`
}

func loadPolicy(fsys fs.FS, p *Pack, pr *problems) policy {
	pol := policy{answers: map[string]toolAnswer{}}
	data, err := fs.ReadFile(fsys, policyFile)
	if errors.Is(err, fs.ErrNotExist) {
		pol.guard.compile(p)
		return pol
	}
	if err != nil {
		pr.add(policyFile, "%v", err)
		return pol
	}
	var doc policyDoc
	if err := decodeStrict(data, &doc); err != nil {
		pr.add(policyFile, "%v", err)
		return pol
	}
	pol.identity, pol.guard, pol.review, pol.kbMinScore = doc.Identity, doc.Guardrails, doc.Review, doc.KBMinScore
	pol.labels = doc.Labels
	for n := range pol.labels {
		if _, ok := p.byName[n]; !ok {
			pr.add(policyFile, "labels: unknown intent %q", n)
		}
	}
	if doc.Answers != nil {
		pol.answers = doc.Answers
	}
	checkPolicy(&pol, p, pr)
	pol.guard.compile(p)
	return pol
}

// checkPolicy reports references to unknown intents and tools and missing texts.
func checkPolicy(pol *policy, p *Pack, pr *problems) {
	intent := func(where, name string) {
		if _, ok := p.byName[name]; !ok && len(p.byName) > 0 {
			pr.add(policyFile, "%s: unknown intent %q", where, name)
		}
	}
	tool := func(where, name string) {
		t, ok := p.ext.tools[name]
		switch {
		case name == "":
		case !ok:
			pr.add(policyFile, "%s: unknown tool %q", where, name)
		case t.Transaction:
			pr.add(policyFile, "%s: tool %q is a transaction tool; the dialog never runs those", where, name)
		}
	}
	checkIdentity(&pol.identity, intent, tool, pr)
	checkRest(pol, intent, tool, pr)
}

// checkIdentity checks policy.yaml's identity section.
func checkIdentity(id *identityPolicy, intent, tool func(where, name string), pr *problems) {
	id.need = map[string]bool{}
	for _, n := range id.Intents {
		intent("identity.intents", n)
		id.need[n] = true
	}
	if len(id.Intents) > 0 {
		for _, f := range []struct{ key, val string }{{"question", id.Question}, {"otp_prompt", id.OTPPrompt},
			{"retry", id.Retry}, {"failed", id.Failed}, {"no_caller", id.NoCaller}, {"send_otp", id.SendOTP},
			{"verify_otp", id.VerifyOTP}} {
			if strings.TrimSpace(f.val) == "" {
				pr.add(policyFile, "identity.%s: missing or empty", f.key)
			}
		}
		tool("identity.factor_tool", id.Factor)
		tool("identity.send_otp", id.SendOTP)
		tool("identity.verify_otp", id.VerifyOTP)
	}
	if id.FactorArg == "" {
		id.FactorArg = "answer"
	}
}

// checkRest checks the guardrails, review and answers sections.
func checkRest(pol *policy, intent, tool func(where, name string), pr *problems) {
	g := &pol.guard
	for _, list := range [][]string{g.TwoFactor, g.Handoff, g.Urgent, g.Review} {
		for _, n := range list {
			intent("guardrails", n)
		}
	}
	for _, s := range g.Scan {
		intent("guardrails.scan", s.Intent)
	}
	if len(g.Review) > 0 && strings.TrimSpace(pol.review.Hold) == "" {
		pr.add(policyFile, "review.hold: missing or empty")
	}
	for n, a := range pol.answers {
		intent("answers", n)
		tool(fmt.Sprintf("answers.%s.tool", n), a.Tool)
		if a.Tool == "" || a.Template == "" {
			pr.add(policyFile, "answers.%s: want tool and template", n)
		}
		for _, q := range a.Ask {
			if q.Slot == "" || strings.TrimSpace(q.Prompt) == "" {
				pr.add(policyFile, "answers.%s.ask: want slot and prompt", n)
			}
		}
	}
}
