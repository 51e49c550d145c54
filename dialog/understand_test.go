package dialog

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func TestUnderstand(t *testing.T) {
	e := bankEngine(t)
	tests := []struct {
		text, intent, action, method string
		slots                        map[string]string
	}{
		{"我张credit card唔见咗", "card_lost", "answer", ByKeyword, map[string]string{"card_type": "credit"}},
		{"想check下個balance", "balance_inquiry", "answer", ByKeyword, nil},
		{"我想查錢", "balance_inquiry", "answer", ByKeyword, nil},
		{"上個月供咗幾多", "mortgage_repayment", "answer", ByKeyword, map[string]string{"month": "2026-10"}},
		{"幫我轉五千蚊去我老婆個戶口", "fund_transfer", "handoff", ByKeyword, map[string]string{"amount": "5000", "currency": "HKD"}},
		{"我想頭訴你哋", "complaint", "handoff", BySound, nil},
		{"我個蜜碼唔記得咗", "password_reset", "handoff", BySound, nil},
		{"而家買咩基金好", "investment_advice", "review", ByKeyword, nil},
		{"我要投訴", "complaint", "handoff", ByKeyword, nil},
		{"拜拜", "goodbye", "end", ByKeyword, nil},
		{"今日天氣點", "out_of_scope", "clarify", ByKeyword, nil},
		{"嗰個嘢呢我諗下先", "", "clarify", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			u := e.Understand(tc.text, EvalNow)
			got := u.Intent
			if u.Action == "clarify" && u.Confidence < e.Threshold() {
				got = ""
			}
			if got != tc.intent || u.Action != tc.action || u.Method != tc.method && tc.intent != "" {
				t.Fatalf("got %s/%s by %s (%.2f), want %s/%s by %s", u.Intent, u.Action, u.Method, u.Confidence,
					tc.intent, tc.action, tc.method)
			}
			for k, v := range tc.slots {
				if u.Slots[k] != v {
					t.Errorf("slot %s = %q, want %q (%v)", k, u.Slots[k], v, u.Slots)
				}
			}
			if u.Text != tc.text || strings.ContainsAny(u.Normalized, "张见") {
				t.Errorf("text %q normalized %q", u.Text, u.Normalized)
			}
		})
	}
}

// TestUnderstandSensitiveFloor: a sensitive best guess below the threshold
// hands off instead of asking the caller to rephrase; a non-sensitive one
// is clarified.
func TestUnderstandSensitiveFloor(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	const text = "筆錢可唔可以去另一個銀行" // no keyword; similarity leans to fund_transfer
	cl := NewEngine(p, Options{}).Classify(text)
	if cl.Intent != "fund_transfer" || cl.Method != BySimilarity {
		t.Fatalf("precondition: %+v", cl)
	}
	strict := NewEngine(p, Options{Threshold: cl.Confidence + 0.01, SensitiveThreshold: cl.Confidence - 0.01})
	if u := strict.Understand(text, EvalNow); u.Action != "handoff" {
		t.Fatalf("below threshold, above sensitive floor: %+v", u)
	}
	stricter := NewEngine(p, Options{Threshold: cl.Confidence + 0.02, SensitiveThreshold: cl.Confidence + 0.01})
	if u := stricter.Understand(text, EvalNow); u.Action != "clarify" {
		t.Fatalf("below both: %+v", u)
	}
	if e := NewEngine(p, Options{Threshold: 0.2}); e.SensitiveThreshold() != 0.2 {
		t.Fatalf("sensitive threshold %v not capped at the threshold", e.SensitiveThreshold())
	}
}

func TestPackFormatExtensions(t *testing.T) {
	const slots = "slots:\n  - name: colour\n    values:\n      - {value: red, synonyms: [紅色]}\n"
	intents := func(extra string) string {
		return "intents:\n  - name: x\n    action: answer\n    answer: 好\n    keywords: [y]\n" + extra
	}
	tests := []struct {
		name string
		edit map[string]string
		want []string
	}{
		{"unknown slot", map[string]string{"intents.yaml": intents("    slots: [{name: colour}]\n")},
			[]string{`intents.yaml:2: intent #1 (x): slot "colour": not a built-in slot`}},
		{"required without prompt", map[string]string{"slots.yaml": slots, "intents.yaml": intents("    slots: [{name: colour, required: true}]\n")},
			[]string{`slot "colour": required slots need a prompt`}},
		{"slot listed twice", map[string]string{"intents.yaml": intents("    slots: [{name: date}, {name: date}]\n")},
			[]string{`slot "date" listed twice`}},
		{"unknown slot key", map[string]string{"intents.yaml": intents("    slots: [{name: date, ask: 幾時}]\n")},
			[]string{"intents.yaml: line 6: field ask not found"}},
		{"slots.yaml unknown key", map[string]string{"slots.yaml": slots + "    colour: 1\n"},
			[]string{"slots.yaml: line 5: field colour not found"}},
		{"slots.yaml built-in name", map[string]string{"slots.yaml": "slots:\n  - name: date\n    values: [{value: x}]\n"},
			[]string{`slots.yaml:2: slot #1 (date): name "date" is a built-in slot`}},
		{"slots.yaml no values", map[string]string{"slots.yaml": "slots:\n  - name: a\n    values: [{value: x}]\n  - name: a\n  - name: b\n    values: [{value: \"\"}]\n"},
			[]string{`slots.yaml:4: slot #2 (a): duplicate slot name "a"`, "slots.yaml:4: slot #2 (a): no values", "slots.yaml:5: slot #3 (b): value #1: value missing"}},
		{"slots.yaml shared synonym", map[string]string{"slots.yaml": "slots:\n  - name: a\n    values: [{value: x, synonyms: [紅]}, {value: y, synonyms: [紅]}]\n"},
			[]string{`value "y": synonym "紅" also belongs to "x"`}},
		{"synonym clash", map[string]string{"intents.yaml": "synonyms: {結餘: [balance], 餘額: [balance]}\n" + intents("")},
			[]string{`intents.yaml: synonyms: variant "balance" of "餘額" is also a variant of "結餘"`}},
		{"synonym empty", map[string]string{"intents.yaml": "synonyms: {結餘: [\"。\"]}\n" + intents("")},
			[]string{`synonyms: 結餘: variant "。" is empty after folding`}},
		{"menu not a mapping", map[string]string{"menu.yaml": "- a\n- b\n"},
			[]string{"menu.yaml: want a mapping"}},
		{"menu bad yaml", map[string]string{"menu.yaml": "greeting: [\n"},
			[]string{"menu.yaml: line"}},
		{"review with answer only", map[string]string{"intents.yaml": "intents:\n  - {name: r, action: review, keywords: [y], queue: q, sensitive: true}\n"},
			[]string{"sensitive intents must hand off (action: handoff), not review"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPack(packFS(tc.edit))
			if !errors.Is(err, ErrInvalidPack) {
				t.Fatalf("err = %v, want ErrInvalidPack", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestPackSlotsAndMenu(t *testing.T) {
	p, err := LoadPack(packFS(map[string]string{
		"slots.yaml":   "slots:\n  - name: colour\n    values:\n      - {value: red, synonyms: [紅色]}\n",
		"menu.yaml":    "greeting: 你好\n",
		"intents.yaml": "intents:\n  - {name: x, action: review, keywords: [y], slots: [{name: colour, required: true, prompt: 咩色？}, {name: date}]}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := p.Intent("x")
	if in.Action != Review || in.Queue != DefaultQueue || in.Reason != "x" || len(in.Slots) != 2 ||
		in.Slots[0] != (SlotSpec{Name: "colour", Required: true, Prompt: "咩色？"}) {
		t.Fatalf("intent %+v", in)
	}
	if m, ok := p.Menu(); !ok || string(m) != "greeting: 你好\n" {
		t.Fatalf("menu %q %v", m, ok)
	}
	if st := p.SlotTypes(); len(st) != 1 || st[0].Values[0].Value != "red" {
		t.Fatalf("slot types %+v", st)
	}
	if got := NewEngine(p, Options{}).Slots("紅色嗰張", EvalNow)["colour"]; got != "red" {
		t.Fatalf("colour = %q", got)
	}
	if _, ok := bankOrFail(t).Menu(); !ok {
		t.Fatal("bank pack has no menu")
	}
	noMenu, _ := LoadPack(packFS(nil))
	if _, ok := noMenu.Menu(); ok {
		t.Fatal("menu without menu.yaml")
	}
}

func bankOrFail(t *testing.T) *Pack {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuiltinPack(t *testing.T) {
	for _, name := range BuiltinPacks {
		p, err := BuiltinPack(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(p.Intents()) < 12 || len(p.Articles()) < 3 {
			t.Errorf("%s: %d intents, %d articles", name, len(p.Intents()), len(p.Articles()))
		}
		checkTraditional(t, p)
	}
	if _, err := BuiltinPack("casino"); !errors.Is(err, ErrUnknownPack) {
		t.Fatalf("unknown pack: %v", err)
	}
	p, err := PropertyPack()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"saleable_area", "management_fee", "viewing", "mortgage"} {
		if _, ok := p.Intent(name); !ok {
			t.Errorf("property pack lacks %s", name)
		}
	}
}

// TestBankIntents checks the bank intent names other packages rely on.
func TestBankIntents(t *testing.T) {
	p := bankOrFail(t)
	for _, name := range strings.Fields(`balance_inquiry transaction_history mortgage_repayment card_lost
		card_limit card_bill branch_hours exchange_rate interest_rate password_reset fund_transfer
		loan_enquiry loan_drawdown complaint human_agent investment_advice fraud_report greeting thanks
		goodbye out_of_scope`) {
		if _, ok := p.Intent(name); !ok {
			t.Errorf("intent %s missing", name)
		}
	}
	if in, _ := p.Intent("investment_advice"); in.Action != Review {
		t.Errorf("investment_advice action %s, want review", in.Action)
	}
}

// checkTraditional checks that what callers hear is written in the forms
// matching folds to, i.e. no Simplified or variant characters.
func checkTraditional(t *testing.T, p *Pack) {
	t.Helper()
	r := p.Responses()
	texts := []string{r.Clarify, r.Escalate, r.Fallback, r.Handoff, r.TwoFactor, r.Declined}
	for _, in := range p.Intents() {
		texts = append(texts, in.Text)
		for _, s := range in.Slots {
			texts = append(texts, s.Prompt)
		}
	}
	for _, s := range texts {
		for _, c := range s {
			if f := foldRune(c); f != c && c >= 0x2E80 && c != '\u3000' && !(c >= '！' && c <= '～') {
				t.Errorf("%q: %q folds to %q", s, c, f)
			}
		}
	}
}

// TestEvalSetDisjoint keeps the labelled sets apart from the packs'
// examples: no labelled utterance is an example after folding.
func TestEvalSetDisjoint(t *testing.T) {
	for _, name := range BuiltinPacks {
		p, err := BuiltinPack(name)
		if err != nil {
			t.Fatal(err)
		}
		examples := map[string]string{}
		for _, in := range p.Intents() {
			for _, ex := range in.Examples {
				examples[compact(ex)] = in.Name
			}
		}
		seen := map[string]string{}
		for _, set := range []string{name, name + "_holdout"} {
			cases, err := ReadEvalSet(p, bytes.NewReader(readTestdata(t, set)))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				k := compact(c.Text)
				if in, ok := examples[k]; ok {
					t.Errorf("%s.tsv:%d %q is an example of %s", set, c.Line, c.Text, in)
				}
				if prev, dup := seen[k]; dup {
					t.Errorf("%s.tsv:%d %q repeats %s", set, c.Line, c.Text, prev)
				}
				seen[k] = fmt.Sprintf("%s.tsv:%d", set, c.Line)
			}
		}
	}
}

func TestReadEvalSetErrors(t *testing.T) {
	p := bankOrFail(t)
	_, err := ReadEvalSet(p, strings.NewReader("# c\n\nnope\tx\ngreeting\n card_lost\t唔見卡\tlast4\n"))
	if !errors.Is(err, ErrInvalidEvalSet) {
		t.Fatalf("err %v", err)
	}
	for _, w := range []string{`line 3: unknown intent "nope"`, "line 4: want intent<TAB>utterance", `line 5: slot "last4": want name=value`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	rep, err := Evaluate(bankEngine(t), strings.NewReader("greeting\t你好\nfund_transfer\t今日天氣點\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 2 || rep.Correct != 1 || rep.Handoff.Total != 1 || rep.Handoff.Hit != 0 || len(rep.Confusions) != 1 ||
		rep.Confusions[0].Want != "fund_transfer" || rep.Confusions[0].Got != "out_of_scope" {
		t.Fatalf("report %+v", rep)
	}
}

func FuzzReadEvalSet(f *testing.F) {
	f.Add("greeting\t你好\n")
	f.Add("card_lost\t唔見卡\tlast4=1234,date=x\n#\n\n")
	f.Add("\t\t\t")
	e := bankEngine(f)
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := Evaluate(e, strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrInvalidEvalSet) {
				t.Fatalf("error does not wrap ErrInvalidEvalSet: %v", err)
			}
			return
		}
		if rep.Correct > rep.Total || rep.Accuracy < 0 || rep.Accuracy > 1 {
			t.Fatalf("report %+v", rep)
		}
		if err := rep.Write(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkUnderstand measures NLU throughput over the bank's labelled set:
// normalisation, keywords, similarity and slots per utterance.
func BenchmarkUnderstand(b *testing.B) {
	e := bankEngine(b)
	cases, err := ReadEvalSet(e.Pack(), bytes.NewReader(readTestdata(b, "bank")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Understand(cases[i%len(cases)].Text, EvalNow)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "utterances/s")
}

// Ensure the fstest import is used even if packFS moves.
var _ fstest.MapFS
