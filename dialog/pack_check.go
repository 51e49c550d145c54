package dialog

import (
	"fmt"
	"strings"
)

// checkIntent validates one intents.yaml entry against the pack so far and
// converts it; problems are added under where.
func checkIntent(y intentYAML, p *Pack, where string, pr *problems) (Intent, bool) {
	before := len(*pr)
	switch {
	case y.Name == "":
		pr.add(where, "name missing")
	case !nameRE.MatchString(y.Name):
		pr.add(where, "name %q: want lower_snake_case", y.Name)
	}
	act, err := parseAction(y.Action)
	if err != nil {
		pr.add(where, "%v", err)
	}
	in := Intent{
		Name: y.Name, Description: y.Description, Action: act, Text: strings.TrimSpace(y.Answer),
		Article: y.Article, Queue: y.Queue, Reason: y.Reason, Sensitive: y.Sensitive,
		Priority: y.Priority, Keywords: y.Keywords, Examples: y.Examples,
	}
	in.Slots = checkSlotRefs(y.Slots, p, where, pr)
	checkText(&in, y, p, where, pr)
	checkRouting(&in, y, where, pr)
	checkMatching(y, where, pr)
	return in, len(*pr) == before
}

// actionNames are the actions a pack may use, as written in intents.yaml.
var actionNames = []struct {
	name string
	a    Action
}{{"answer", Answer}, {"handoff", Handoff}, {"clarify", Clarify}, {"end", End}, {"review", Review}}

const actionList = "answer, handoff, clarify, end or review"

func parseAction(s string) (Action, error) {
	for _, n := range actionNames {
		if s == n.name {
			return n.a, nil
		}
	}
	if s == "" {
		return 0, fmt.Errorf("action missing (want %s)", actionList)
	}
	return 0, fmt.Errorf("unknown action %q (want %s)", s, actionList)
}

// actionName is the pack name of a, as Understanding reports it.
func actionName(a Action) string {
	for _, n := range actionNames {
		if a == n.a {
			return n.name
		}
	}
	return a.String()
}

// checkText resolves the intent's words: inline answer or knowledge article.
func checkText(in *Intent, y intentYAML, p *Pack, where string, pr *problems) {
	if y.Answer != "" && y.Article != "" {
		pr.add(where, "set answer or article, not both")
		return
	}
	if y.Article != "" {
		a, ok := p.articles[y.Article]
		if !ok {
			pr.add(where, "article %q not found (no %s/*.md has id %q; expected e.g. %s)",
				y.Article, kbDir, y.Article, articlePath(y.Article))
			return
		}
		in.Text = a.Body
	}
	if in.Text == "" && in.Action != Handoff && in.Action != Review && in.Action != 0 {
		pr.add(where, "action %s needs answer or article", actionName(in.Action))
	}
}

// checkRouting validates queues, reasons, offers and the sensitive guardrail.
func checkRouting(in *Intent, y intentYAML, where string, pr *problems) {
	if in.Action == Handoff {
		if strings.TrimSpace(y.Queue) == "" {
			pr.add(where, "handoff needs a queue")
		}
		if in.Reason == "" {
			in.Reason = in.Name
		}
	} else if in.Action == Review {
		if in.Queue == "" {
			in.Queue = DefaultQueue
		}
		if in.Reason == "" {
			in.Reason = in.Name
		}
	} else if in.Action != 0 && (y.Queue != "" || y.Reason != "") {
		pr.add(where, "queue and reason apply only to actions handoff and review (this is %s)", actionName(in.Action))
	}
	if y.Sensitive && in.Action != Handoff && in.Action != 0 {
		pr.add(where, "sensitive intents must hand off (action: handoff), not %s", actionName(in.Action))
	}
	if y.Offer == nil {
		return
	}
	if in.Action != Answer && in.Action != 0 {
		pr.add(where, "offer applies only to action answer")
	}
	if strings.TrimSpace(y.Offer.Queue) == "" {
		pr.add(where, "offer needs a queue")
	}
	in.OfferQueue, in.OfferReason = y.Offer.Queue, y.Offer.Reason
	if in.OfferReason == "" {
		in.OfferReason = in.Name
	}
}

func checkMatching(y intentYAML, where string, pr *problems) {
	if len(y.Keywords)+len(y.Examples) == 0 {
		pr.add(where, "needs keywords or examples")
	}
	for i, k := range y.Keywords {
		if _, err := parseKeyword(k); err != nil {
			pr.add(where, "keyword #%d %q: %v", i+1, k, err)
		}
	}
	for i, ex := range y.Examples {
		if compact(ex) == "" {
			pr.add(where, "example #%d %q: nothing left to match after folding", i+1, ex)
		}
	}
}
