package dialog

import (
	"strings"

	"github.com/yuecall/yuecall/dialog/search"

	"github.com/yuecall/yuecall/redact"
)

// DefaultKBMinScore is the search score from which a turn nothing else
// answers is answered from the KB (policy.yaml kb_min_score overrides it).
const DefaultKBMinScore = 6.0

// Suggestion is a next-best reply for the live agent, with the knowledge
// articles it comes from.
type Suggestion struct {
	Text    string
	Sources []string
}

// buildKB indexes the pack's articles for search (title and body).
func buildKB(p *Pack) *search.Index {
	arts := p.Articles()
	docs := make([]search.Doc, 0, len(arts))
	for _, a := range arts {
		docs = append(docs, search.Doc{ID: a.ID, Title: a.Title, Text: a.Body})
	}
	return search.New(docs)
}

// searchKB returns the best k articles for q.
func (p *Pack) searchKB(q string, k int) []search.Hit {
	if p.ext.kb == nil || strings.TrimSpace(q) == "" || k <= 0 {
		return nil
	}
	return p.ext.kb.Search(q, k)
}

func (c *Conversation) kbMinScore() float64 {
	if s := c.e.pack.ext.policy.kbMinScore; s > 0 {
		return s
	}
	return DefaultKBMinScore
}

// kbAnswer answers a turn the intents do not (out of scope or not
// understood) from the best article when it scores high enough.
func (c *Conversation) kbAnswer(text string, cl Classification) (Reply, bool) {
	hits := c.e.pack.searchKB(text, 1)
	if len(hits) == 0 || hits[0].Score < c.kbMinScore() {
		return Reply{}, false
	}
	a, ok := c.e.pack.Article(hits[0].ID)
	if !ok {
		return Reply{}, false
	}
	c.failures = 0
	c.st.eligible = true
	c.st.noteDone("用知識庫答咗：" + a.Title)
	r := Reply{Text: a.Body, Confidence: cl.Confidence, Action: Answer, Sources: []string{a.ID}}
	for _, in := range c.e.pack.intents {
		if in.Article == a.ID && in.Action == Answer {
			if k, _ := c.guardOf(in.Name); k == guardNone && !c.needsIdentity(in.Name) {
				r.Intent = in.Name // the intent that answers with this article
				c.st.last = in.Name
			}
			break
		}
	}
	return r, true
}

// Suggestions returns up to k next-best replies for a live agent, from the
// last caller turn: the reply the pack itself would give (for an answer
// intent), then the best KB articles, each citing its sources. Texts are
// masked. It reads the conversation, so call it from the goroutine that
// owns the Conversation, after Respond.
func (c *Conversation) Suggestions(k int) []Suggestion {
	if k <= 0 || strings.TrimSpace(c.st.lastCaller) == "" {
		return nil
	}
	var out []Suggestion
	seen := map[string]bool{}
	add := func(text string, sources []string) {
		text = strings.TrimSpace(text)
		if text == "" || seen[text] || len(out) >= k {
			return
		}
		seen[text] = true
		out = append(out, Suggestion{Text: redact.Text(text), Sources: append([]string(nil), sources...)})
	}
	if r := c.st.lastReply; r.Intent != "" && r.Action == Answer && len(r.Sources) > 0 {
		add(r.Text, r.Sources)
	}
	if rv := c.st.review; rv != nil && len(rv.sources) > 0 {
		add(rv.draft, rv.sources)
	}
	for _, h := range c.e.pack.searchKB(c.st.lastCaller, k) {
		text := h.Snippet // the article's sentence that best matches the turn
		if text == "" {
			if a, ok := c.e.pack.Article(h.ID); ok {
				text = a.Body
			}
		}
		add(text, []string{h.ID})
	}
	return out
}
