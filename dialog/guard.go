package dialog

import (
	"regexp"
	"strings"
)

// guardKind is what the deterministic guardrails do with an intent, before
// any answer and before any LLM.
type guardKind int

const (
	guardNone      guardKind = iota
	guardTwoFactor           // hand off with the spoken two-factor reminder
	guardHandoff             // hand off
	guardReview              // draft an answer for a licensed human to review
)

// scanRule is one compiled guardrails.scan entry: words that mark a
// sensitive request whatever the classifier says.
type scanRule struct {
	intent     string
	words      []rule
	withAmount []rule // only count when the turn also names an amount
}

// compile builds the intent → kind map: intents.yaml's sensitive intents
// and hand-offs first, then policy.yaml's lists, which win.
func (g *guardPolicy) compile(p *Pack) {
	g.kind = map[string]guardKind{}
	for _, in := range p.intents {
		switch {
		case in.Sensitive:
			g.kind[in.Name] = guardTwoFactor
		case in.Action == Handoff:
			g.kind[in.Name] = guardHandoff
		case in.Action == Review:
			g.kind[in.Name] = guardReview
		}
	}
	for _, n := range g.Handoff {
		g.kind[n] = guardHandoff
	}
	for _, n := range append(append([]string(nil), g.TwoFactor...), g.Urgent...) {
		g.kind[n] = guardTwoFactor
	}
	for _, n := range g.Review {
		g.kind[n] = guardReview
	}
	for _, w := range g.NeverSay {
		if r, err := parseKeyword(w); err == nil {
			g.neverSay = append(g.neverSay, r)
		}
	}
	for _, s := range g.Scan {
		sr := scanRule{intent: s.Intent}
		for _, w := range s.Words {
			if r, err := parseKeyword(w); err == nil {
				sr.words = append(sr.words, r)
			}
		}
		for _, w := range s.WithAmount {
			if r, err := parseKeyword(w); err == nil {
				sr.withAmount = append(sr.withAmount, r)
			}
		}
		g.scans = append(g.scans, sr)
	}
}

// guardOf returns the guardrail on an intent and whether it is urgent.
func (c *Conversation) guardOf(intent string) (guardKind, bool) {
	g := &c.e.pack.ext.policy.guard
	urgent := false
	for _, u := range g.Urgent {
		urgent = urgent || u == intent
	}
	return g.kind[intent], urgent
}

// amountRE finds an amount of money: digits, or Chinese numerals with a
// unit or currency.
var amountRE = regexp.MustCompile(`[0-9０-９]|[$＄]|[一二兩三四五六七八九十百千萬]+\s*(蚊|元|文|萬|千|百|港紙|美金|人民幣)|(?i)hkd|usd`)

// scan returns the sensitive intent the caller's words ask for, if any,
// whatever the classifier made of them ("轉5000蚊去我老婆戶口").
func (c *Conversation) scan(text string) string {
	g := &c.e.pack.ext.policy.guard
	if len(g.scans) == 0 {
		return ""
	}
	folded := compact(text)
	neg := c.e.pack.negators
	amount := amountRE.MatchString(text)
	for i := range g.scans {
		s := &g.scans[i]
		if anyHit(s.words, folded, neg) || amount && anyHit(s.withAmount, folded, neg) {
			return s.intent
		}
	}
	return ""
}

func anyHit(rules []rule, folded string, negators []string) bool {
	for i := range rules {
		if hit, negated := rules[i].match(folded, negators); hit && !negated {
			return true
		}
	}
	return false
}

// guarded turns a guarded intent into its reply: a hand-off (with the
// two-factor reminder and the urgent flag as the pack says) or a review.
func (c *Conversation) guarded(in Intent, kind guardKind, urgent bool, conf float64) Reply {
	res := c.e.pack.responses
	if kind == guardReview {
		return c.startReview(in, conf)
	}
	r := Reply{Text: in.Text, Intent: in.Name, Confidence: conf, Action: Handoff,
		Queue: in.Queue, Reason: in.Reason, Urgent: urgent}
	if r.Queue == "" {
		r.Queue = DefaultQueue
	}
	if r.Reason == "" {
		r.Reason = in.Name
	}
	if r.Text == "" {
		r.Text = res.Handoff
	}
	if kind == guardTwoFactor && !strings.Contains(r.Text, res.TwoFactor) {
		r.Text += res.TwoFactor
	}
	c.st.noteDone("轉接職員（" + c.label(in) + "）")
	if kind == guardTwoFactor {
		c.st.notePending(c.label(in) + "：待職員雙重認證後處理")
	}
	return r
}

// label names an intent for agents: policy.yaml's label, else the title of
// its article, else its name.
func (c *Conversation) label(in Intent) string {
	if l := c.e.pack.ext.policy.labels[in.Name]; l != "" {
		return l
	}
	if a, ok := c.e.pack.Article(in.Article); ok {
		return a.Title
	}
	return in.Name
}

// forbidden reports whether a generated sentence says what the pack never
// lets the assistant say: a promise of a transaction, a request for a
// password. It is safe for concurrent use.
func (g *guardPolicy) forbidden(sentence string) bool {
	return len(g.neverSay) > 0 && anyHit(g.neverSay, compact(sentence), nil)
}
