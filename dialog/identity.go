package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Hand-off reasons of identity verification.
const (
	ReasonIdentityFailed = "identity_failed"
	maxWrongFactors      = 2
)

// startIdentity asks the knowledge question (or, when the pack has no
// factor tool, sends the OTP) before an intent that needs identity.
func (c *Conversation) startIdentity(ctx context.Context, in Intent, conf float64) Reply {
	id := &c.e.pack.ext.policy.identity
	if !c.tools.Configured(id.SendOTP) || !c.tools.Configured(id.VerifyOTP) || id.Factor != "" && !c.tools.Configured(id.Factor) {
		// The bank's systems are not configured: do not ask questions
		// nobody can check; give the pack's answer (how to verify).
		return c.actBasic(in, Classification{Intent: in.Name, Confidence: conf})
	}
	c.st.id = idState{stage: idAskFactor, intent: in.Name}
	c.st.last = in.Name
	if id.Factor == "" {
		return c.sendOTP(ctx, in.Name, conf)
	}
	return Reply{Text: id.Question, Intent: in.Name, Confidence: conf, Action: Answer}
}

// identityTurn handles a caller turn while verification is under way. It
// returns false when the caller has moved on to something else (a confident
// other intent and no answer in the turn): verification is dropped.
func (c *Conversation) identityTurn(ctx context.Context, text string, cl Classification,
	slots map[string]string, corrected bool) (Reply, bool) {
	id := &c.e.pack.ext.policy.identity
	st := &c.st.id
	answer := factorAnswer(text)
	prompt := id.Question
	if st.stage == idAskOTP {
		prompt = id.OTPPrompt
	}
	switch {
	case hasDigit(answer):
	case cl.Confidence >= c.e.threshold && cl.Method == ByKeyword && cl.Intent != st.intent:
		c.st.id = idState{} // the caller moved on
		return Reply{}, false
	case corrected || len(slots) > 0:
		// "唔係呀，我係話信用卡": the request changed, not the answer.
		maps.Copy(c.st.slots, slots)
		return Reply{Text: prompt, Intent: st.intent, Confidence: 1, Action: Answer}, true
	case answer == "":
		return Reply{Text: c.e.pack.responses.Fallback + prompt, Intent: st.intent, Confidence: 1, Action: Answer}, true
	}
	var (
		ok  bool
		err error
	)
	c.maskLastCallerTurn()
	if st.stage == idAskFactor {
		ok, err = c.checkTool(ctx, id.Factor, map[string]any{"caller_id": c.opt.caller, id.FactorArg: answer}, "match")
	} else {
		ok, err = c.checkTool(ctx, id.VerifyOTP, map[string]any{"caller_id": c.opt.caller, "code": digitsOf(answer)}, "valid")
	}
	if err != nil {
		return c.identityUnavailable(st.intent), true
	}
	if !ok {
		return c.wrongFactor(), true
	}
	if st.stage == idAskFactor {
		return c.sendOTP(ctx, st.intent, 1), true
	}
	intent := st.intent
	c.st.id = idState{}
	c.st.verified = true
	c.st.noteDone("核實咗身份（來電號碼、" + "知識問題、一次性密碼）")
	r := c.resume(ctx, intent, 1)
	if id.Verified != "" {
		r.Text = id.Verified + r.Text
	}
	return r, true
}

// MaskedAnswer replaces, in the history, a caller turn that answered an
// identity question or read an OTP: neither summaries, suggestions nor a
// Generator ever see it.
const MaskedAnswer = "（身份核實資料）"

func (c *Conversation) maskLastCallerTurn() {
	if n := len(c.history); n > 0 && c.history[n-1].Speaker == Caller {
		c.history[n-1].Text = MaskedAnswer
	}
	c.st.lastCaller = ""
}

func (c *Conversation) sendOTP(ctx context.Context, intent string, conf float64) Reply {
	id := &c.e.pack.ext.policy.identity
	if _, err := c.tools.Run(ctx, id.SendOTP, mustJSON(map[string]any{"caller_id": c.opt.caller})); err != nil {
		return c.identityUnavailable(intent)
	}
	c.st.id.stage = idAskOTP
	return Reply{Text: id.OTPPrompt, Intent: intent, Confidence: conf, Action: Answer}
}

// wrongFactor counts a wrong answer: ask again, hand off the second time.
func (c *Conversation) wrongFactor() Reply {
	id := &c.e.pack.ext.policy.identity
	st := &c.st.id
	st.wrong++
	if st.wrong >= maxWrongFactors {
		intent := st.intent
		c.st.id = idState{}
		c.st.noteDone("身份核實失敗，轉接職員")
		q := id.Queue
		if q == "" {
			q = DefaultQueue
		}
		return Reply{Text: id.Failed, Intent: intent, Confidence: 1, Action: Handoff, Queue: q, Reason: ReasonIdentityFailed}
	}
	prompt := id.Question
	if st.stage == idAskOTP {
		prompt = id.OTPPrompt
	}
	return Reply{Text: id.Retry + prompt, Intent: st.intent, Confidence: 1, Action: Answer}
}

// identityUnavailable: the bank's systems did not answer; give the pack's
// offline answer (how to verify, with its offer) and stop verifying.
func (c *Conversation) identityUnavailable(intent string) Reply {
	c.st.id = idState{}
	in, _ := c.e.pack.Intent(intent)
	return c.actBasic(in, Classification{Intent: intent, Confidence: 1})
}

// checkTool runs a check tool and reads the boolean field of its reply.
func (c *Conversation) checkTool(ctx context.Context, tool string, args map[string]any, field string) (bool, error) {
	res, err := c.tools.Run(ctx, tool, mustJSON(args))
	if err != nil {
		return false, err
	}
	var m map[string]any
	if json.Unmarshal(res, &m) != nil {
		return false, ErrToolResponse
	}
	b, ok := m[field].(bool)
	if !ok {
		return false, ErrToolResponse
	}
	return b, nil
}

// toolAnswer fills an answer template from a tool's JSON reply and the
// slots: "你嘅{account_type}結餘係{balance}".
func (c *Conversation) toolAnswer(ctx context.Context, in Intent, ta toolAnswer, conf float64) Reply {
	args := map[string]any{}
	for k, v := range ta.Args {
		if s := c.fill(v, nil); s != "" {
			args[k] = s
		}
	}
	src := []string{"tool:" + ta.Tool}
	if ta.Source != "" {
		src = append([]string{ta.Source}, src...)
	}
	res, err := c.tools.Run(ctx, ta.Tool, mustJSON(args))
	var fields map[string]any
	if err == nil && json.Unmarshal(res, &fields) != nil {
		err = ErrToolResponse
	}
	text := ""
	if err == nil {
		text = c.fill(ta.Template, fields)
		if strings.Contains(text, "{") {
			err = errors.New("dialog: template placeholder without a value")
		}
	}
	if err != nil {
		r := c.actBasic(in, Classification{Intent: in.Name, Confidence: conf})
		if ta.Error != "" {
			r.Text, r.Sources = ta.Error, nil
		}
		return r
	}
	c.st.noteDone("答咗" + c.label(in) + "（用" + ta.Tool + "）")
	return Reply{Text: text, Intent: in.Name, Confidence: conf, Action: Answer, Sources: src}
}

var placeholderRE = regexp.MustCompile(`\{([a-z_][a-z0-9_]*)\}`)

// fill replaces {name} with a field of the tool's reply, a slot or
// caller_id; unknown placeholders are kept.
func (c *Conversation) fill(tmpl string, fields map[string]any) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		k := m[1 : len(m)-1]
		if v, ok := fields[k]; ok && v != nil {
			return scalar(v)
		}
		if k == "caller_id" {
			return c.opt.caller
		}
		if v, ok := c.st.slots[k]; ok {
			return v
		}
		if fields == nil {
			return ""
		}
		return m
	})
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

var cnDigits = map[rune]rune{'零': '0', '〇': '0', '一': '1', '二': '2', '兩': '2', '三': '3', '四': '4',
	'五': '5', '六': '6', '七': '7', '八': '8', '九': '9', '洞': '0', '么': '1'}

// factorAnswer keeps the letters and digits of an answer ("A一二三" →
// "A123"), spoken Chinese digits converted; fillers and punctuation go.
func factorAnswer(text string) string {
	var b strings.Builder
	for _, r := range text {
		r = foldRune(r)
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z':
			b.WriteRune(unicode.ToUpper(r))
		case cnDigits[r] != 0:
			b.WriteRune(cnDigits[r])
		case unicode.Is(unicode.Han, r):
			b.WriteRune(r)
		}
	}
	return stripFillers(b.String())
}

// stripFillers drops the words callers wrap an answer in.
func stripFillers(s string) string {
	for _, w := range []string{"我嘅", "身份證", "號碼", "頭四個字", "出世日期", "密碼", "係", "嘅", "呀", "啦", "喇", "嗯", "即係", "個"} {
		s = strings.ReplaceAll(s, w, "")
	}
	return s
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasDigit(s string) bool { return digitsOf(s) != "" }
