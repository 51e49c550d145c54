package call

import (
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/redact"
)

// defaultReviewTimeout is how long a caller waits for a compliance decision.
const defaultReviewTimeout = 2 * time.Minute

// pendingReview is an AI draft waiting for a licensed human.
type pendingReview struct {
	id    string
	since time.Time
}

// requestReview holds the caller while compliance reviews r.Draft.
func (s *Session) requestReview(r dialog.Reply, question string) {
	rv := &pendingReview{id: randomID(8), since: time.Now()}
	s.review = rv
	timeout := s.d.ReviewTimeout
	if timeout <= 0 {
		timeout = defaultReviewTimeout
	}
	s.reviewTimer.Reset(timeout)
	s.say(r.Text, true, true, nil)
	s.publish(events.ReviewRequested{CallID: s.info.ID, ReviewID: rv.id, Draft: redact.Text(r.Draft),
		Intent: r.Intent, Question: redact.Text(question), Sources: r.Sources, TimeoutMs: timeout.Milliseconds()})
	s.log.Info("review requested", "review_id", rv.id, "intent", r.Intent, "timeout", timeout)
}

// reviewed acts on a compliance decision for the pending draft.
func (s *Session) reviewed(d events.ReviewDecision) {
	if s.review == nil || d.ReviewID != s.review.id {
		s.log.Warn("review: decision for no pending draft", "review_id", d.ReviewID)
		return
	}
	s.finishReview(d.Decision, d.Text, d.Reviewer)
}

// onReviewTimeout hands the caller to a human when nobody decided in time.
func (s *Session) onReviewTimeout() {
	if s.review != nil {
		s.finishReview("timeout", "", "")
	}
}

func (s *Session) finishReview(decision, text, reviewer string) {
	rv := s.review
	s.review = nil
	s.reviewTimer.Stop()
	s.d.Metrics.observeReview(decision, time.Since(rv.since))
	s.log.Info("review decided", "review_id", rv.id, "decision", decision, "reviewer", reviewer,
		"waited", time.Since(rv.since).Round(time.Millisecond))
	if s.conv == nil || s.state != StateAI || s.humans[partyAgent] != nil {
		return // the call has moved on: a human has it, or it is ending
	}
	s.act(s.conv.Reviewed(decision, text), "")
}
