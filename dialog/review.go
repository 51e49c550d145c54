package dialog

import (
	"context"
	"strings"
)

// Review decisions given to Conversation.Reviewed.
const (
	ReviewApprove = "approve" // speak the draft
	ReviewEdit    = "edit"    // speak the reviewer's text
	ReviewReject  = "reject"  // hand off with a message
	ReviewTimeout = "timeout" // nobody decided in time: hand off with a message
)

// Hand-off reasons after a review.
const (
	ReasonReviewRejected = "review_rejected"
	ReasonReviewTimeout  = "review_timeout"
)

// maxDraftPassages is how many KB passages an offline draft quotes: the
// intent's own article, then the best search hit.
const maxDraftPassages = 2

// reviewState is a draft waiting for a licensed human.
type reviewState struct {
	intent  string
	draft   string
	sources []string
}

const pendingReview = "等緊持牌同事覆核答覆草稿"

// startReview drafts an answer for a licensed human (offline from the KB,
// or with the Generator when configured) and replies with the holding
// message (Action Review).
func (c *Conversation) startReview(in Intent, conf float64) Reply {
	hold := c.e.pack.ext.policy.review.Hold
	if in.Action == Review && in.Text != "" {
		hold = in.Text
	}
	if hold == "" {
		hold = c.e.pack.responses.Handoff
	}
	draft, sources := c.offlineDraft(in, c.st.lastCaller)
	if c.opt.gen != nil {
		if d, s, ok := c.generateDraft(in, c.st.lastCaller); ok {
			draft, sources = d, s
		}
	}
	c.st.review = &reviewState{intent: in.Name, draft: draft, sources: sources}
	c.st.notePending(pendingReview + "（" + c.label(in) + "）")
	c.st.last = ""
	return Reply{Text: hold, Intent: in.Name, Confidence: conf, Action: Review, Draft: draft,
		Sources: sources, Queue: c.reviewQueue(in), Reason: c.reviewReason(in)}
}

func (c *Conversation) reviewQueue(in Intent) string {
	if q := c.e.pack.ext.policy.review.Queue; q != "" {
		return q
	}
	if in.Queue != "" {
		return in.Queue
	}
	return DefaultQueue
}

func (c *Conversation) reviewReason(in Intent) string {
	if r := c.e.pack.ext.policy.review.Reason; r != "" {
		return r
	}
	if in.Reason != "" {
		return in.Reason
	}
	return in.Name
}

// offlineDraft quotes the best KB passages for the question (the intent's
// own article first).
func (c *Conversation) offlineDraft(in Intent, question string) (string, []string) {
	var parts, ids []string
	if in.Article != "" {
		if a, ok := c.e.pack.Article(in.Article); ok {
			parts, ids = append(parts, a.Body), append(ids, a.ID)
		}
	}
	for _, h := range c.e.pack.searchKB(question, 1) {
		if a, ok := c.e.pack.Article(h.ID); ok && !contains(ids, a.ID) {
			parts, ids = append(parts, a.Body), append(ids, a.ID)
		}
	}
	if len(parts) == 0 {
		return c.e.pack.ext.policy.review.NoDraft, nil
	}
	return strings.Join(parts, ""), ids
}

// generateDraft asks the Generator for a draft, waiting at most the LLM
// timeout (three times over: a draft is written while the caller hears the
// holding message).
func (c *Conversation) generateDraft(in Intent, question string) (string, []string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*c.opt.llmTimeout)
	defer cancel()
	req := c.generateRequest(in.Name, question)
	req.RunTool = nil
	req.Tools = nil
	var b strings.Builder
	res, err := c.opt.gen.Generate(ctx, req, func(s string) bool {
		b.WriteString(s)
		return ctx.Err() == nil
	})
	if err != nil || strings.TrimSpace(b.String()) == "" {
		return "", nil, false
	}
	src := res.Sources
	if len(src) == 0 {
		src = passageIDs(req.Passages)
	}
	return b.String(), src, true
}

// Reviewed turns a reviewer's decision on the pending draft into the reply
// to speak: approve → the draft; edit → text; reject or timeout (or an
// edit with no text, or approving an empty draft) → a hand-off with the
// pack's message. With no draft
// pending, or an unknown decision, it returns the zero Reply and changes
// nothing.
func (c *Conversation) Reviewed(decision, text string) Reply {
	rv := c.st.review
	if rv == nil {
		return Reply{}
	}
	in, _ := c.e.pack.Intent(rv.intent)
	pol := c.e.pack.ext.policy.review
	var r Reply
	if decision == ReviewApprove && strings.TrimSpace(rv.draft) == "" {
		decision = ReviewReject // nothing to say: a human takes it
	}
	switch decision {
	case ReviewApprove:
		r = Reply{Text: rv.draft, Intent: rv.intent, Confidence: 1, Action: Answer, Sources: rv.sources}
		c.st.noteDone("持牌同事批准咗答覆")
	case ReviewEdit:
		if strings.TrimSpace(text) == "" {
			return c.Reviewed(ReviewReject, "")
		}
		r = Reply{Text: strings.TrimSpace(text), Intent: rv.intent, Confidence: 1, Action: Answer, Sources: rv.sources}
		c.st.noteDone("持牌同事修改咗答覆")
	case ReviewReject, ReviewTimeout:
		msg, reason := pol.Rejected, ReasonReviewRejected
		if decision == ReviewTimeout {
			msg, reason = pol.Timeout, ReasonReviewTimeout
		}
		if msg == "" {
			msg = c.e.pack.responses.Handoff
		}
		r = Reply{Text: msg, Intent: rv.intent, Confidence: 1, Action: Handoff, Queue: c.reviewQueue(in), Reason: reason}
		what := "持牌同事拒絕咗答覆"
		if decision == ReviewTimeout {
			what = "覆核逾時"
		}
		c.st.noteDone(what + "，轉接職員")
	default:
		return Reply{}
	}
	c.st.review = nil
	c.st.clearPending(pendingReview + "（" + c.label(in) + "）")
	r.Slots = c.st.maskedSlots()
	c.st.record(r)
	return r
}

// ReviewPending reports whether a draft waits for a reviewer, and the draft.
func (c *Conversation) ReviewPending() (string, bool) {
	if c.st.review == nil {
		return "", false
	}
	return c.st.review.draft, true
}
