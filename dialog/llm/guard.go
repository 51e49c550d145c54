package llm

import (
	"regexp"
	"strings"

	"github.com/yuecall/yuecall/redact"
)

// SafeSentence replaces a sentence in which the model performed, confirmed
// or promised a transaction: it never can.
const SafeSentence = "呢類交易要由我哋同事跟進，我喺度冇辦法直接處理。"

// Verdict is what the output guard did to one sentence.
type Verdict int

// Verdicts.
const (
	Pass        Verdict = iota // spoken as is
	Masked                     // personal data masked
	Transaction                // replaced by SafeSentence (or dropped if already said)
)

// String names the verdict for logs.
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Masked:
		return "masked"
	case Transaction:
		return "transaction"
	}
	return "verdict?"
}

// Transaction actions the model must never claim or promise. Patterns run
// on the sentence with white space removed (Chinese) or lower-cased
// (English). Simplified forms are listed too: models drift into them.
const (
	txVerb = `(轉賬|轉帳|转账|转帐|轉錢|转钱|轉數|過數|过数|匯款|汇款|匯錢|汇钱|付款|付錢|俾錢|畀錢|繳費|缴费|交費|還款|还款|找數|扣數|扣款|提款|提取|放款|過戶|重設|重设|重置|更改密碼|改密碼|改密码|批核|批出|批准|啟用|解鎖|解锁)`
	// verbs in their completed "V咗" form
	txDone  = `(轉|转|過|过|匯|汇|付|俾|畀|繳|缴|還|还|扣|提|重設|重设|重置|改|批|批核|批出|放|處理|处理|搞|辦|办|完成|確認|确认)(咗|左|好咗|好左|晒|了|妥)`
	txHelp  = `(幫你|帮你|替你|為你|为你|同你|幫您|帮您|為您|幫緊你|帮紧你)`
	txNow   = `(而家|依家|宜家|即刻|馬上|立即|立刻|現在|现在|會|会|就|可以|嚟|来)`
	txGap   = `(直接|即時|即刻|馬上|立即|而家|依家|安排|去|做|處理|處理埋|搞掂|搞|辦|办|完成|進行|进行)?`
	txThing = `(錢|数|數|款|賬|帳|账|帐|密碼|密码|pin|PIN|貸款|贷款|費|额度|額度|交易|申請|申请)`
)

type txRule struct {
	name string
	re   *regexp.Regexp
	// unlessAfter: the match does not count when the text right after it
	// starts with one of these (a condition, not a claim: 轉賬成功之後…).
	unlessAfter []string
	// unlessBefore: nor when the text right before it ends with one of
	// these (the caller did it: 你已經還咗款).
	unlessBefore []string
	// needs: the rule cannot match unless the text contains one of these;
	// a cheap test that spares most sentences the regexp.
	needs []string
	// always: the rule applies inside a condition too (a promise, or the
	// bot saying it helped: 幫你轉咗).
	always bool
}

var txRules = []txRule{
	{name: "promise", re: regexp.MustCompile(`(我|我哋|我地|我們|我们)` + txNow + `+` + txHelp + `?` + txGap + txVerb),
		needs: alternatives(txVerb), always: true},
	{name: "help-do", re: regexp.MustCompile(txHelp + txGap + txVerb), needs: alternatives(txHelp), always: true},
	{name: "help-done", re: regexp.MustCompile(txHelp + `.{0,3}` + txDone), needs: alternatives(txHelp), always: true},
	{name: "already", re: regexp.MustCompile(`(已經|已经|經已)` + txHelp + `?` + txDone),
		unlessBefore: []string{"你", "您"}, needs: []string{"已經", "已经", "經已"}},
	{name: "already-verb", re: regexp.MustCompile(`(已經|已经|經已|已)` + txHelp + `?(完成|處理|办理|辦理|執行|执行|安排)?(咗|了|好)?` + txVerb),
		unlessBefore: []string{"你", "您"}, needs: []string{"已"}},
	{name: "done-thing", re: regexp.MustCompile(txDone + `(你嘅|你的|您嘅|你)?.{0,6}` + txThing),
		unlessBefore: []string{"你", "您"}, unlessAfter: []string{"後", "后", "之後", "以後", "嘅話", "時", "时"},
		needs: []string{"咗", "左", "晒", "了", "妥"}},
	{name: "succeeded", re: regexp.MustCompile(`(轉賬|轉帳|转账|过数|過數|匯款|汇款|付款|還款|还款|交易|重設|重置|提款|密碼|密码|貸款|贷款)(已經|已经|已)?(成功|完成|搞掂|處理好|处理好|辦妥|办妥|批咗|批出咗|生效)`),
		unlessAfter: []string{"後", "后", "之後", "以後", "嘅話", "時", "时", "就", "先"},
		needs:       []string{"成功", "完成", "搞掂", "處理好", "处理好", "辦妥", "办妥", "批咗", "批出咗", "生效"}},
	{name: "password-done", re: regexp.MustCompile(`(密碼|密码|(?i:pin))(已經|已经|已)?` + txHelp + `?(重設|重设|重置|更改|改)(好|咗|左|了|成功|晒)`),
		needs: []string{"密碼", "密码", "pin", "PIN", "Pin"}},
	{name: "en-done", re: regexp.MustCompile(`\b(i|we)\s*('ve|'d| have| had)?\s*(just\s+)?(transferred|paid|reset|approved|wired|disbursed)\b`),
		needs: []string{"transferred", "paid", "reset", "approved", "wired", "disbursed"}},
	{name: "en-promise", re: regexp.MustCompile(`\b(i|we)\s*('ll| will| am going to| are going to| can| shall)\s+(now\s+)?(transfer|pay|reset|approve|wire|disburse|make the payment)\b`),
		needs: []string{"transfer", "pay", "reset", "approve", "wire", "disburse"}, always: true},
	{name: "en-sent", re: regexp.MustCompile(`\b(i|we)\s*('ve| have)\s+(just\s+)?sent\s+(you\s+)?(the\s+|your\s+)?(money|payment|funds|hk\$|\$)`),
		needs: []string{"sent"}},
	{name: "en-state", re: regexp.MustCompile(`\b(transfer|payment|transaction|password|pin|loan|drawdown)\s+(has been|is now|was)\s+(completed|done|successful|processed|made|reset|changed|approved|disbursed)\b`),
		needs: []string{"has been", "is now", "was"}},
}

// conditional words: a sentence that states a condition or explains how
// the caller does something is advice, not a claim. They excuse only the
// rules that are not marked always.
var conditional = []string{"如果", "假如", "若果", "要是", "一旦", "點樣", "怎樣", "如何"}

// Guard checks one cleaned sentence before it is spoken: personal data is
// masked (redact.Text), and a sentence that claims or promises a
// transaction is replaced by SafeSentence. It returns the sentence to
// speak, the verdict and, for Transaction, the rule that matched.
func Guard(sentence string) (string, Verdict, string) {
	if rule := transactionRule(sentence); rule != "" {
		return SafeSentence, Transaction, rule
	}
	masked := redact.Text(sentence)
	if masked != sentence {
		return masked, Masked, ""
	}
	return sentence, Pass, ""
}

// transactionRule returns the name of the first rule the sentence breaks.
func transactionRule(s string) string {
	zh := strings.Join(strings.Fields(s), "")
	en := strings.ToLower(s)
	cond := false
	for _, c := range conditional {
		if strings.Contains(zh, c) {
			cond = true
			break
		}
	}
	for _, r := range txRules {
		text := zh
		if strings.HasPrefix(r.name, "en-") {
			text = en
		}
		if cond && !r.always {
			continue
		}
		if matches(r, text) {
			return r.name
		}
	}
	return ""
}

func matches(r txRule, text string) bool {
	if len(r.needs) > 0 && !hasAny(text, r.needs, strings.Contains) {
		return false
	}
	for _, loc := range r.re.FindAllStringIndex(text, -1) {
		if !hasAny(text[loc[1]:], r.unlessAfter, strings.HasPrefix) &&
			!hasAny(text[:loc[0]], r.unlessBefore, strings.HasSuffix) {
			return true
		}
	}
	return false
}

func hasAny(s string, list []string, f func(s, x string) bool) bool {
	for _, x := range list {
		if f(s, x) {
			return true
		}
	}
	return false
}

// alternatives lists the words of a "(a|b|c)" pattern.
func alternatives(group string) []string {
	return strings.Split(strings.Trim(group, "()"), "|")
}
