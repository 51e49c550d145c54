package dialog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// miniPack is the smallest valid pack, plus extra files.
func miniPack(extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"intents.yaml": {Data: []byte(`intents:
  - name: hello
    action: answer
    answer: 你好！
    keywords: [你好]
    examples: [你好]
  - name: balance
    action: answer
    answer: 要核實身份先可以查結餘。
    keywords: [結餘]
    examples: [查結餘]
  - name: transfer
    action: handoff
    sensitive: true
    queue: general
    reason: sensitive_intent
    keywords: [轉賬]
    examples: [我想轉賬]
`)},
		"responses.yaml": {Data: []byte("clarify: 請再講。\nescalate: 轉接。\nfallback: 聽唔到。\nhandoff: 轉接職員。\ntwo_factor: 雙重認證。\ndeclined: 好。\n")},
	}
	for k, v := range extra {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

func TestLoadToolsAndPolicy(t *testing.T) {
	const tools = `tools:
  - name: get_balance
    description: 查結餘
    method: GET
    url: ${API}/balance
    timeout: 1s
    parameters: {type: object, required: [caller_id], properties: {caller_id: {type: string}}}
  - name: pay
    description: 轉賬
    url: https://bank.example/pay
    transaction: true
`
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string
	}{
		{"no tools, no policy", nil, nil},
		{"valid", map[string]string{"tools.yaml": tools, "policy.yaml": `
guardrails: {review: [hello], scan: [{intent: transfer, words: [過數], with_amount: [轉]}]}
review: {hold: 請等等。}
answers:
  balance: {tool: get_balance, args: {caller_id: "{caller_id}"}, template: "結餘係{balance}。"}
`}, nil},
		{"bad tools", map[string]string{"tools.yaml": `tools:
  - name: Bad-Name
    method: PUT
    url: ftp://x
    timeout: 99s
    parameters: {type: array}
  - name: dup
    description: a
    url: http://x
  - name: dup
    description: b
    url: http://x
    parameters: {type: object, required: [q], properties: {}}
`}, []string{`name "Bad-Name"`, "description missing", `method "PUT"`, `url "ftp://x"`, `timeout "99s"`,
			"parameters: type", `required "q"`}},
		{"unknown key", map[string]string{"tools.yaml": "tools: []\nextra: 1\n"}, []string{"extra"}},
		{"bad policy", map[string]string{"tools.yaml": tools, "policy.yaml": `
identity: {intents: [balance, nope], send_otp: pay}
guardrails: {review: [ghost]}
answers:
  balance: {tool: missing_tool}
labels: {phantom: 幽靈}
`}, []string{`unknown intent "nope"`, "identity.question: missing", `tool "pay" is a transaction tool`,
			`unknown intent "ghost"`, "review.hold: missing", `unknown tool "missing_tool"`, "want tool and template",
			`labels: unknown intent "phantom"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LoadPack(miniPack(tc.files))
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPack) {
				t.Fatalf("err %v, want ErrInvalidPack", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			_ = p
		})
	}
}

func TestPackToolsAndGuards(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range p.Tools() {
		names = append(names, tl.Name)
		if tl.Name == "transfer_funds" && !tl.Transaction {
			t.Error("transfer_funds is not a transaction tool")
		}
	}
	if len(names) < 6 || names[0] != "verify_identity" {
		t.Fatalf("tools %v", names)
	}
	c := NewEngine(p, Options{}).NewConversation()
	for intent, want := range map[string]guardKind{"fund_transfer": guardTwoFactor, "fraud_report": guardTwoFactor,
		"complaint": guardHandoff, "human_agent": guardHandoff, "investment_advice": guardReview, "branch_hours": guardNone} {
		if got, _ := c.guardOf(intent); got != want {
			t.Errorf("guard of %s = %d, want %d", intent, got, want)
		}
	}
	if _, urgent := c.guardOf("fraud_report"); !urgent {
		t.Error("fraud_report not urgent")
	}
}

// TestSensitiveRecall: every sensitive request hands off, whether the
// classifier or the scan catches it.
func TestSensitiveRecall(t *testing.T) {
	e := bankEngine(t)
	tests := []struct{ say, intent string }{
		{"我想轉賬俾朋友", "fund_transfer"},
		{"幫我過三千蚊去我阿媽個戶口", "fund_transfer"},
		{"轉5k俾佢", "fund_transfer"},
		{"我想查下結餘然後transfer 800蚊俾我細佬", "fund_transfer"},
		{"可唔可以幫我匯款去英國", "fund_transfer"},
		{"我唔記得咗密碼", "password_reset"},
		{"網上理財個密碼鎖咗", "password_reset"},
		{"我想提取貸款", "loan_drawdown"},
		{"筆私人貸款幾時可以提取", "loan_drawdown"},
		{"有人盜用我張卡", "fraud_report"},
		{"我張卡有筆數唔係我簽嘅", "fraud_report"},
		{"我好似俾人呃咗錢", "fraud_report"},
	}
	for _, tc := range tests {
		r := e.NewConversation().Respond(context.Background(), tc.say)
		if r.Action != Handoff || r.Intent != tc.intent || !strings.Contains(r.Text, "雙重認證") {
			t.Errorf("%q: %s %q, want a hand-off for %s with the reminder", tc.say, r.Action, r.Intent, tc.intent)
		}
		if r.Urgent != (tc.intent == "fraud_report") {
			t.Errorf("%q: urgent %v", tc.say, r.Urgent)
		}
	}
}
