package desk

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/events"
)

// HandoffGroup is the NATS queue group of every desk process's hand-off
// subscription: each hand-off goes to one desk node.
const HandoffGroup = "desk"

// subscribe makes this process's one set of NATS subscriptions. Every
// callback only decodes, updates memory and queues to browsers: it never
// blocks.
func (d *Desk) subscribe() error {
	p := d.prefix
	subs := []struct {
		subj, queue string
		h           nats.MsgHandler
	}{
		{p + "call.*.*", "", d.onCallEvent},
		{p + "alert.anger", "", d.onAlert},
		{p + "alert.compliance", "", d.onComplianceAlert},
		{p + "handoff.>", HandoffGroup, d.onHandoff},
		{p + "review.>", "", d.onReview},
		{p + "audit.>", "", d.onAudit},
	}
	for _, s := range subs {
		var sub *nats.Subscription
		var err error
		if s.queue != "" {
			sub, err = d.nc.QueueSubscribe(s.subj, s.queue, s.h)
		} else {
			sub, err = d.nc.Subscribe(s.subj, s.h)
		}
		if err != nil {
			d.unsubscribe()
			return fmt.Errorf("desk: subscribe %s: %w", s.subj, err)
		}
		_ = sub.SetPendingLimits(1<<16, 64<<20)
		d.subs = append(d.subs, sub)
	}
	return d.nc.Flush()
}

func (d *Desk) unsubscribe() {
	for _, s := range d.subs {
		_ = s.Unsubscribe()
	}
	d.subs = nil
}

func (d *Desk) decode(m *nats.Msg) (events.Envelope, bool) {
	var env events.Envelope
	if err := json.Unmarshal(m.Data, &env); err != nil || env.Type == "" {
		d.badEvents.Add(1)
		return env, false
	}
	return env, true
}

func unmarshal[T any](d *Desk, raw json.RawMessage) (T, bool) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		d.badEvents.Add(1)
		return v, false
	}
	return v, true
}

// callOf returns the call id of a per-call subject (prefix.call.<id>.<kind>).
func (d *Desk) callOf(subject string) string {
	rest := strings.TrimPrefix(subject, d.prefix+"call.")
	if i := strings.LastIndexByte(rest, '.'); i > 0 {
		return rest[:i]
	}
	return ""
}

func (d *Desk) onCallEvent(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok {
		return
	}
	id := env.CallID
	if id == "" {
		id = d.callOf(m.Subject)
	}
	switch env.Type {
	case events.TypeCallStarted:
		if v, ok := unmarshal[events.CallStarted](d, env.Data); ok {
			d.boardUpdate(id, true, func(r *boardRow) { r.Channel, r.From = v.Channel, mask(v.From) })
		}
	case events.TypeCallEnded:
		d.onEnded(id, env.Data)
	case events.TypeIntent:
		if v, ok := unmarshal[events.Intent](d, env.Data); ok {
			d.boardUpdate(id, false, func(r *boardRow) { r.Intent = v.Intent })
		}
	case events.TypeSentiment:
		d.onSentiment(id, env.Data)
	case events.TypeTranscript:
		d.onTranscript(id, env.Data)
	case events.TypeSuggestion:
		if v, ok := unmarshal[events.Suggestion](d, env.Data); ok {
			d.toCall(id, map[string]any{"type": "suggestion", "call_id": id, "text": mask(v.Text), "sources": v.Sources}, false)
		}
	case events.TypeSummary:
		if v, ok := unmarshal[events.Summary](d, env.Data); ok {
			v.Text = mask(v.Text)
			d.toCall(id, map[string]any{"type": "summary", "call_id": id, "summary": v}, false)
		}
	case events.TypeAgent:
		d.onAgent(id, env.Data)
	case events.TypeReviewDecision:
		if v, ok := unmarshal[events.ReviewDecision](d, env.Data); ok && d.st.removeReview(v.ReviewID) {
			d.toView(viewCompliance, map[string]any{"type": "review_gone", "review_id": v.ReviewID, "decision": v.Decision}, true)
		}
	}
}

// boardUpdate changes a call's row and sends it to supervisors; state
// changes are critical, others (intent, sentiment) may be dropped.
func (d *Desk) boardUpdate(id string, critical bool, f func(*boardRow)) {
	if row, ok := d.st.updateRow(id, f); ok {
		d.toView(viewSupervisor, row, critical)
	}
}

func (d *Desk) onEnded(id string, raw json.RawMessage) {
	v, ok := unmarshal[events.CallEnded](d, raw)
	if !ok {
		return
	}
	queued := d.st.hasHandoff(id)
	d.st.endCall(id)
	now := d.now()
	d.boardUpdate(id, true, func(r *boardRow) {
		r.State, r.Outcome, r.ended = "ended", v.Outcome, now
		// Nobody listens to an ended call (the board offers no 監聽 for
		// it; its transcript is in the record): 5,000 ended rows kept
		// their last 20 lines, 7 MB on a busy node.
		r.tail = nil
		if v.DurationMs > 0 {
			r.DurationMs = v.DurationMs
		}
		if v.LastIntent != "" {
			r.Intent = v.LastIntent
		}
	})
	if queued {
		d.toView(viewAgent, map[string]any{"type": "handoff_gone", "call_id": id, "reason": "ended"}, true)
	}
	d.toCall(id, map[string]any{"type": "ended", "call_id": id, "outcome": v.Outcome}, true)
}

func (d *Desk) onSentiment(id string, raw json.RawMessage) {
	v, ok := unmarshal[events.Sentiment](d, raw)
	if !ok {
		return
	}
	d.boardUpdate(id, false, func(r *boardRow) {
		r.Sentiment = v.Score
		r.Anger = r.Anger || v.Anger
	})
	d.toCall(id, map[string]any{"type": "sentiment", "call_id": id, "score": v.Score, "anger": v.Anger}, false)
}

type transcriptMsg struct {
	Type        string `json:"type"` // transcript
	CallID      string `json:"call_id"`
	Speaker     string `json:"speaker"`
	Text        string `json:"text"`
	Final       bool   `json:"final"`
	Interrupted bool   `json:"interrupted,omitempty"`
}

func (d *Desk) onTranscript(id string, raw json.RawMessage) {
	v, ok := unmarshal[events.Transcript](d, raw)
	if !ok {
		return
	}
	msg := transcriptMsg{Type: "transcript", CallID: id, Speaker: v.Speaker, Text: mask(v.Text),
		Final: v.Final, Interrupted: v.Interrupted}
	if v.Final {
		if b, err := json.Marshal(msg); err == nil {
			d.st.addTail(id, b)
		}
	}
	d.toCall(id, msg, false)
}

func (d *Desk) onAgent(id string, raw json.RawMessage) {
	v, ok := unmarshal[events.Agent](d, raw)
	if !ok {
		return
	}
	switch v.State {
	case events.AgentJoined:
		d.st.setAgent(id, v.User, true)
		d.boardUpdate(id, true, func(r *boardRow) { r.State, r.Agent = "agent", v.User })
	case events.AgentLeft, events.AgentHandBack:
		d.boardUpdate(id, true, func(r *boardRow) {
			if r.State != "ended" {
				r.State, r.Agent = "ai", ""
			}
		})
	case events.AgentBarged:
		d.boardUpdate(id, true, func(r *boardRow) {})
	}
	d.toCall(id, map[string]any{"type": "agent", "call_id": id, "state": v.State, "user": v.User}, true)
	if v.State == events.AgentLeft || v.State == events.AgentHandBack {
		d.st.setAgent(id, v.User, false)
	}
}

func (d *Desk) onAlert(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok {
		return
	}
	v, ok := unmarshal[events.AlertAnger](d, env.Data)
	if !ok {
		return
	}
	if v.CallID == "" {
		v.CallID = env.CallID
	}
	a := alertMsg{Type: "alert", CallID: v.CallID, Score: v.Score, Excerpt: mask(v.Excerpt), At: d.now().UnixMilli()}
	d.st.addAlert(a)
	d.toView(viewSupervisor, a, true)
}

// complianceAlertMsg tells compliance officers (and supervisors) about an
// urgent call, e.g. a fraud report.
type complianceAlertMsg struct {
	Type    string `json:"type"` // compliance_alert
	CallID  string `json:"call_id"`
	Intent  string `json:"intent"`
	Reason  string `json:"reason"`
	Excerpt string `json:"excerpt"`
	At      int64  `json:"at"`
}

func (d *Desk) onComplianceAlert(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok {
		return
	}
	v, ok := unmarshal[events.AlertCompliance](d, env.Data)
	if !ok {
		return
	}
	if v.CallID == "" {
		v.CallID = env.CallID
	}
	a := complianceAlertMsg{Type: "compliance_alert", CallID: v.CallID, Intent: v.Intent, Reason: v.Reason,
		Excerpt: mask(v.Excerpt), At: d.now().UnixMilli()}
	d.toView(viewCompliance, a, true)
	d.toView(viewSupervisor, a, true)
}

func (d *Desk) onHandoff(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok {
		return
	}
	v, ok := unmarshal[events.HandoffRequested](d, env.Data)
	if !ok {
		return
	}
	if v.CallID == "" {
		v.CallID = env.CallID
	}
	tail := make([]events.TranscriptLine, 0, len(v.TranscriptTail))
	for _, l := range v.TranscriptTail {
		tail = append(tail, events.TranscriptLine{Speaker: l.Speaker, Text: mask(l.Text)})
	}
	h := &handoffMsg{Type: "handoff", CallID: v.CallID, Queue: v.Queue, Reason: v.Reason, Summary: mask(v.Summary),
		From: mask(v.From), Tail: tail, Urgent: v.Urgent, Intent: v.Intent, since: d.now()}
	d.st.addHandoff(h)
	d.toView(viewAgent, h, true)
	d.boardUpdate(v.CallID, true, func(r *boardRow) {
		r.State = "handoff"
		if v.Intent != "" {
			r.Intent = v.Intent
		}
	})
}

func (d *Desk) onReview(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok || env.Type != events.TypeReviewRequested {
		return
	}
	v, ok := unmarshal[events.ReviewRequested](d, env.Data)
	if !ok || v.ReviewID == "" {
		return
	}
	if v.CallID == "" {
		v.CallID = env.CallID
	}
	if v.TimeoutMs <= 0 {
		v.TimeoutMs = defaultReviewMs
	}
	rv := &reviewMsg{Type: "review", ReviewID: v.ReviewID, CallID: v.CallID, Draft: mask(v.Draft), Intent: v.Intent,
		Question: mask(v.Question), Sources: v.Sources, TimeoutMs: v.TimeoutMs, LeftMs: v.TimeoutMs, Status: "pending",
		deadline: d.now().Add(time.Duration(v.TimeoutMs) * time.Millisecond)}
	d.st.addReview(rv)
	d.toView(viewCompliance, rv, true)
}

func (d *Desk) onAudit(m *nats.Msg) {
	env, ok := d.decode(m)
	if !ok {
		return
	}
	v, ok := unmarshal[events.Audit](d, env.Data)
	if !ok {
		return
	}
	d.toView(viewCompliance, auditRow(env.Time, v), true)
}

// toView sends msg to every socket of a view.
func (d *Desk) toView(view string, msg any, critical bool) {
	d.hub.fanout(msg, critical, func(c *client) bool { return c.view == view })
}

// toCall sends a call's live message to the agents on it and the
// supervisors listening to it.
func (d *Desk) toCall(callID string, msg any, critical bool) {
	agents := d.st.agentsOn(callID)
	d.hub.fanout(msg, critical, func(c *client) bool {
		switch c.view {
		case viewAgent:
			return agents[c.user.Name]
		case viewSupervisor:
			return c.listening(callID)
		}
		return false
	})
}
