package dialog

import (
	"context"
	"maps"
)

// Methods reported in the turn's debug log besides the classifier's.
const (
	byGuard      = "guard"
	byIdentity   = "identity"
	byFollowUp   = "followup"
	byCorrection = "correction"
	bySlotFill   = "slot_fill"
)

// turn decides one caller turn. Order: guardrails (on what the caller asks
// now, even mid-verification), identity verification in progress, a slot
// being filled, a correction, a follow-up, then the classic policy (offer,
// misunderstood turns, the intent's action).
func (c *Conversation) turn(ctx context.Context, text string, pending *offer) (Reply, string) {
	c.st.eligible = false
	body, corrected := correction(text)
	cl := c.e.classify(body, c.sc)
	slots := c.slotsOf(body)
	r, ok := c.guard(body, cl)
	if !ok && corrected {
		// "唔係我簽嘅，係…": what the caller takes back may itself be urgent.
		if full := c.e.classify(text, c.sc); full.Confidence >= c.e.threshold {
			if _, urgent := c.guardOf(full.Intent); urgent {
				r, ok = c.guard(text, full)
			}
		}
	}
	if ok {
		c.st.id, c.st.fill = idState{}, ""
		return r, byGuard
	}
	if c.st.id.stage != idNone {
		if r, ok := c.identityTurn(ctx, text, cl, slots, corrected); ok {
			return r, byIdentity
		}
	}
	confident := cl.Confidence >= c.e.threshold && cl.Intent != "" && !c.isOutOfScope(cl.Intent)
	c.st.asked = c.st.fill
	if f := c.st.fill; f != "" {
		c.st.fill = ""
		if !confident || cl.Intent == f {
			maps.Copy(c.st.slots, slots)
			return c.resume(ctx, f, 1), bySlotFill
		}
	}
	if corrected {
		if confident {
			maps.Copy(c.st.slots, slots)
			in, _ := c.e.pack.Intent(cl.Intent)
			return c.act(ctx, in, cl), byCorrection
		}
		if c.st.last != "" && len(slots) > 0 {
			maps.Copy(c.st.slots, slots)
			return c.resume(ctx, c.st.last, 1), byCorrection
		}
	}
	if c.st.last != "" && len(slots) > 0 && c.followsUp(body, cl) {
		maps.Copy(c.st.slots, slots)
		return c.resume(ctx, c.st.last, 1), byFollowUp
	}
	maps.Copy(c.st.slots, slots)
	return c.decideCtx(ctx, cl, pending, body), cl.Method
}

// followsUp reports whether a turn with slots leans on the last intent:
// the same intent, or nothing understood, or a similarity guess with a
// follow-up marker ("咁上個月呢？"); never a keyword hit on another intent
// ("今日天氣點呀" is out of scope, not a follow-up about 今日).
func (c *Conversation) followsUp(body string, cl Classification) bool {
	switch {
	case cl.Intent == c.st.last:
		return true
	case cl.Confidence >= c.e.threshold && cl.Method == ByKeyword:
		return false
	case cl.Confidence < c.e.threshold:
		return true
	}
	return isFollowUp(body)
}

// resume acts on a known intent again (follow-up, correction, filled slot,
// verified identity).
func (c *Conversation) resume(ctx context.Context, intent string, conf float64) Reply {
	in, ok := c.e.pack.Intent(intent)
	if !ok {
		return c.fail(c.e.pack.responses.Clarify, Classification{})
	}
	return c.act(ctx, in, Classification{Intent: intent, Confidence: conf})
}

// guard applies the deterministic guardrails: the classified intent when it
// is guarded and confident, else any sensitive request the scan finds.
func (c *Conversation) guard(text string, cl Classification) (Reply, bool) {
	name, conf := "", cl.Confidence
	if k, _ := c.guardOf(cl.Intent); k != guardNone && cl.Confidence >= c.e.threshold {
		name = cl.Intent
	} else if in, ok := c.e.pack.Intent(cl.Intent); ok && in.Sensitive && cl.Confidence >= c.e.SensitiveThreshold() {
		name = cl.Intent // a sensitive best guess hands off even below the threshold
	}
	if name == "" {
		if name = c.scan(text); name == "" {
			return Reply{}, false
		}
		conf = 1
	}
	in, ok := c.e.pack.Intent(name)
	if !ok {
		return Reply{}, false
	}
	kind, urgent := c.guardOf(name)
	if kind == guardNone { // a scan rule naming an intent that is not guarded
		kind = guardTwoFactor
	}
	c.failures = 0
	c.st.last = ""
	return c.guarded(in, kind, urgent, conf), true
}

func (c *Conversation) isOutOfScope(intent string) bool {
	in, ok := c.e.pack.Intent(intent)
	return ok && in.Action == Clarify
}

// decideCtx is decide with a KB answer for turns nothing else answers.
func (c *Conversation) decideCtx(ctx context.Context, cl Classification, pending *offer, text string) Reply {
	understood := cl.Confidence >= c.e.threshold && !cl.Empty && !c.isOutOfScope(cl.Intent)
	if pending == nil && !understood && !cl.Empty {
		if r, ok := c.kbAnswer(text, cl); ok {
			return r
		}
	}
	r := c.decide(ctx, cl, pending, text)
	if r.Action == Answer && r.Intent != "" && len(r.Sources) > 0 && !c.needsIdentity(r.Intent) {
		c.st.eligible = true
	}
	return r
}

// act turns an understood intent into a reply: guardrails, identity,
// required slots, tool-backed answers, then the pack's text.
func (c *Conversation) act(ctx context.Context, in Intent, cl Classification) Reply {
	if kind, urgent := c.guardOf(in.Name); kind != guardNone {
		c.failures = 0
		return c.guarded(in, kind, urgent, cl.Confidence)
	}
	if in.Action != Answer {
		return c.actBasic(in, cl)
	}
	c.failures = 0
	pol := &c.e.pack.ext.policy
	if c.needsIdentity(in.Name) && !c.st.verified {
		if c.opt.caller == "" {
			return c.actBasic(in, cl) // the pack's offline answer: how to verify
		}
		return c.startIdentity(ctx, in, cl.Confidence)
	}
	if spec, missing := missingSlot(in, c.st.slots); missing {
		return c.ask(in, spec.Prompt, cl.Confidence)
	}
	if ta, ok := pol.answers[in.Name]; ok && (c.st.verified || !c.needsIdentity(in.Name)) {
		c.st.last = in.Name
		for _, q := range ta.Ask {
			if c.st.slots[q.Slot] == "" {
				return c.ask(in, q.Prompt, cl.Confidence)
			}
		}
		return c.toolAnswer(ctx, in, ta, cl.Confidence)
	}
	r := c.actBasic(in, cl)
	c.st.last = in.Name
	if len(r.Sources) > 0 && !c.needsIdentity(in.Name) {
		c.st.eligible = true
		c.st.noteDone("答咗" + c.label(in))
	}
	return r
}

// ask asks for a slot the intent needs. Asking again right after, because
// the answer did not give it, counts as a misunderstood turn: the second
// time in a row hands off (not_understood).
func (c *Conversation) ask(in Intent, prompt string, conf float64) Reply {
	c.st.last = in.Name
	if c.st.asked == in.Name {
		c.st.fillTries++
	} else {
		c.st.fillTries = 0
	}
	if c.st.fillTries >= maxFailures {
		c.st.fillTries = 0
		res := c.e.pack.responses
		return Reply{Text: res.Escalate, Intent: in.Name, Confidence: conf, Action: Handoff,
			Queue: res.EscalateQueue, Reason: ReasonNotUnderstood}
	}
	c.st.fill = in.Name
	if c.st.fillTries > 0 {
		prompt = c.e.pack.responses.Clarify + prompt
	}
	return Reply{Text: prompt, Intent: in.Name, Confidence: conf, Action: Answer}
}

func (c *Conversation) needsIdentity(intent string) bool {
	return c.e.pack.ext.policy.identity.need[intent]
}

// missingSlot returns the first required slot of in not yet known.
func missingSlot(in Intent, have map[string]string) (SlotSpec, bool) {
	for _, s := range in.Slots {
		if s.Required && have[s.Name] == "" {
			return s, true
		}
	}
	return SlotSpec{}, false
}
