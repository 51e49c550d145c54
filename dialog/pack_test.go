package dialog

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	goodIntents = `
negators: [唔使]
affirmations: [好]
declines: [唔要]
intents:
  - name: branch_hours
    action: answer
    article: branch-hours
    keywords: [幾點開]
    examples: [分行幾點開門]
  - name: human_agent
    action: handoff
    queue: general
    keywords: [轉人工]
`
	goodResponses = `
clarify: 唔好意思，可唔可以講多一次？
escalate: 等我幫你轉接職員。
fallback: 我聽唔清楚。
handoff: 請稍候。
two_factor: 職員會用雙重認證核實你嘅身份。
declined: 好。
`
	goodArticle = "---\nid: branch-hours\ntitle: 分行營業時間\n---\n# 時間\n星期一至五\n朝早九點開。\n"
)

// packFS is a small valid pack; edit replaces or adds files.
func packFS(edit map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"intents.yaml":       {Data: []byte(goodIntents)},
		"responses.yaml":     {Data: []byte(goodResponses)},
		"kb/branch-hours.md": {Data: []byte(goodArticle)},
	}
	for name, data := range edit {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestLoadPack(t *testing.T) {
	p, err := LoadPack(packFS(nil))
	if err != nil {
		t.Fatalf("LoadPack: %v", err)
	}
	in, ok := p.Intent("branch_hours")
	if !ok || in.Action != Answer || in.Text != "星期一至五朝早九點開。" || in.Article != "branch-hours" {
		t.Fatalf("branch_hours = %+v", in)
	}
	if in, _ := p.Intent("human_agent"); in.Reason != "human_agent" || in.Queue != "general" {
		t.Fatalf("handoff reason should default to the intent name: %+v", in)
	}
	if r := p.Responses(); r.EscalateQueue != "general" {
		t.Fatalf("escalate_queue default: %+v", r)
	}
	if a := p.Articles(); len(a) != 1 || a[0].Title != "分行營業時間" || a[0].Path != "kb/branch-hours.md" {
		t.Fatalf("articles %+v", a)
	}
}

func TestLoadPackErrors(t *testing.T) {
	intents := func(entry string) string {
		return "intents:\n" + entry
	}
	tests := []struct {
		name string
		edit map[string]string
		want []string // substrings of the error
	}{
		{"bad yaml", map[string]string{"intents.yaml": "intents: [name: x"},
			[]string{"intents.yaml: line 1: did not find expected"}},
		{"unknown top-level key", map[string]string{"intents.yaml": goodIntents + "colour: red\n"},
			[]string{"intents.yaml: line 15: field colour not found"}},
		{"unknown intent key", map[string]string{"intents.yaml": intents("  - name: x\n    action: end\n    answer: 拜拜\n    keyword: [bye]\n")},
			[]string{"intents.yaml: line 5: field keyword not found"}},
		{"unknown response key", map[string]string{"responses.yaml": goodResponses + "greeting: 你好\n"},
			[]string{"responses.yaml: line 8: field greeting not found"}},
		{"missing article", map[string]string{"kb/branch-hours.md": ""},
			[]string{`intents.yaml:6: intent #1 (branch_hours): article "branch-hours" not found`}},
		{"unknown action", map[string]string{"intents.yaml": intents("  - name: x\n    action: reply\n    answer: 好\n    keywords: [y]\n")},
			[]string{`intents.yaml:2: intent #1 (x): unknown action "reply" (want answer, handoff, clarify, end or review)`}},
		{"missing action", map[string]string{"intents.yaml": intents("  - name: x\n    answer: 好\n    keywords: [y]\n")},
			[]string{"intent #1 (x): action missing"}},
		{"handoff without queue", map[string]string{"intents.yaml": intents("  - name: x\n    action: handoff\n    keywords: [y]\n")},
			[]string{"intent #1 (x): handoff needs a queue"}},
		{"sensitive answer", map[string]string{"intents.yaml": intents("  - name: x\n    action: answer\n    sensitive: true\n    answer: 好\n    keywords: [y]\n")},
			[]string{"intent #1 (x): sensitive intents must hand off (action: handoff), not answer"}},
		{"answer without text", map[string]string{"intents.yaml": intents("  - name: x\n    action: answer\n    keywords: [y]\n")},
			[]string{"intent #1 (x): action answer needs answer or article"}},
		{"answer and article", map[string]string{"intents.yaml": intents("  - name: x\n    action: answer\n    answer: 好\n    article: branch-hours\n    keywords: [y]\n")},
			[]string{"intent #1 (x): set answer or article, not both"}},
		{"queue on answer", map[string]string{"intents.yaml": intents("  - name: x\n    action: answer\n    answer: 好\n    queue: general\n    keywords: [y]\n")},
			[]string{"intent #1 (x): queue and reason apply only to actions handoff and review"}},
		{"offer on handoff", map[string]string{"intents.yaml": intents("  - name: x\n    action: handoff\n    queue: q\n    offer: {queue: q}\n    keywords: [y]\n")},
			[]string{"intent #1 (x): offer applies only to action answer"}},
		{"offer without queue", map[string]string{"intents.yaml": intents("  - name: x\n    action: answer\n    answer: 好\n    offer: {reason: r}\n    keywords: [y]\n")},
			[]string{"intent #1 (x): offer needs a queue"}},
		{"bad name", map[string]string{"intents.yaml": intents("  - name: Card-Lost\n    action: end\n    answer: 好\n    keywords: [y]\n")},
			[]string{`name "Card-Lost": want lower_snake_case`}},
		{"no name", map[string]string{"intents.yaml": intents("  - action: end\n    answer: 好\n    keywords: [y]\n")},
			[]string{"intent #1: name missing"}},
		{"duplicate intent", map[string]string{"intents.yaml": intents("  - {name: x, action: end, answer: 好, keywords: [y]}\n  - {name: x, action: end, answer: 好, keywords: [z]}\n")},
			[]string{`intents.yaml:3: intent #2 (x): duplicate intent name "x"`}},
		{"nothing to match", map[string]string{"intents.yaml": intents("  - {name: x, action: end, answer: 好}\n")},
			[]string{"intent #1 (x): needs keywords or examples"}},
		{"keyword only particles", map[string]string{"intents.yaml": intents("  - {name: x, action: end, answer: 好, keywords: [呀啦]}\n")},
			[]string{`intent #1 (x): keyword #1 "呀啦": empty after folding`}},
		{"exact and gap", map[string]string{"intents.yaml": intents("  - {name: x, action: end, answer: 好, keywords: [=a…b]}\n")},
			[]string{`keyword #1 "=a…b": "=" and "…" cannot be combined`}},
		{"empty example", map[string]string{"intents.yaml": intents("  - {name: x, action: end, answer: 好, examples: [\"。。\"]}\n")},
			[]string{`example #1 "。。": nothing left to match`}},
		{"no intents", map[string]string{"intents.yaml": "negators: [唔使]\n"},
			[]string{"intents.yaml: no intents"}},
		{"empty intents file", map[string]string{"intents.yaml": "\n"},
			[]string{"intents.yaml: empty document"}},
		{"missing files", map[string]string{"intents.yaml": "", "responses.yaml": ""},
			[]string{"2 problems", "responses.yaml: missing", "intents.yaml: missing"}},
		{"missing response text", map[string]string{"responses.yaml": "clarify: 乜話？\n"},
			[]string{"responses.yaml: escalate: missing or empty", "responses.yaml: two_factor: missing or empty"}},
		{"article without front matter", map[string]string{"kb/branch-hours.md": "星期一至五\n"},
			[]string{"kb/branch-hours.md: missing front matter"}},
		{"article front matter not closed", map[string]string{"kb/branch-hours.md": "---\nid: branch-hours\ntitle: t\n"},
			[]string{"kb/branch-hours.md: front matter not closed"}},
		{"article unknown field", map[string]string{"kb/branch-hours.md": "---\nid: branch-hours\ntitle: t\nauthor: me\n---\n好\n"},
			[]string{"kb/branch-hours.md: front matter: line 4: field author not found"}},
		{"article bad id", map[string]string{"kb/branch-hours.md": "---\nid: Branch Hours\ntitle: t\n---\n好\n"},
			[]string{`kb/branch-hours.md: front matter: id "Branch Hours"`}},
		{"article no title", map[string]string{"kb/branch-hours.md": "---\nid: branch-hours\n---\n好\n"},
			[]string{"kb/branch-hours.md: front matter: title missing"}},
		{"article empty body", map[string]string{"kb/branch-hours.md": "---\nid: branch-hours\ntitle: t\n---\n# only a heading\n"},
			[]string{"kb/branch-hours.md: empty body"}},
		{"duplicate article id", map[string]string{"kb/other.md": goodArticle},
			[]string{`kb/other.md: duplicate article id "branch-hours" (also in kb/branch-hours.md)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPack(packFS(tc.edit))
			if err == nil || !errors.Is(err, ErrInvalidPack) {
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

func TestBankPack(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatalf("BankPack: %v", err)
	}
	required := []string{"branch_hours", "card_lost", "balance_inquiry", "human_agent", "complaint",
		"fund_transfer", "password_reset", "loan_drawdown", "fraud_report", "greeting", "thanks",
		"goodbye", "out_of_scope"}
	for _, name := range required {
		if _, ok := p.Intent(name); !ok {
			t.Errorf("intent %s missing", name)
		}
	}
	for _, name := range []string{"fund_transfer", "password_reset", "loan_drawdown", "fraud_report"} {
		if in, _ := p.Intent(name); !in.Sensitive || in.Action != Handoff {
			t.Errorf("%s must be a sensitive hand-off: %+v", name, in)
		}
	}
	for _, name := range []string{"branch_hours", "card_lost", "balance_inquiry"} {
		if in, _ := p.Intent(name); in.Article == "" {
			t.Errorf("%s must answer from a knowledge article", name)
		}
	}
	used := map[string]bool{}
	for _, in := range p.Intents() {
		used[in.Article] = true
		if len(in.Examples) < 5 {
			t.Errorf("%s has %d examples, want at least 5", in.Name, len(in.Examples))
		}
	}
	for _, a := range p.Articles() {
		if !used[a.ID] {
			t.Errorf("article %s is not used by any intent", a.ID)
		}
	}
}

// TestBankPackTraditional checks that what callers hear is written in the
// forms matching folds to, i.e. no Simplified or variant characters.
func TestBankPackTraditional(t *testing.T) {
	p, err := BankPack()
	if err != nil {
		t.Fatal(err)
	}
	r := p.Responses()
	texts := []string{r.Clarify, r.Escalate, r.Fallback, r.Handoff, r.TwoFactor, r.Declined}
	for _, in := range p.Intents() {
		texts = append(texts, in.Text)
	}
	for _, s := range texts {
		for _, c := range s {
			if f := foldRune(c); f != c && c >= 0x2E80 && c != '\u3000' && !(c >= '！' && c <= '～') {
				t.Errorf("%q: %q folds to %q", s, c, f)
			}
		}
	}
}

func FuzzLoadPack(f *testing.F) {
	f.Add(goodIntents, goodArticle)
	f.Add("intents:\n  - {name: x, action: handoff, queue: q, keywords: [a…b, =c]}\n", "---\nid: a\ntitle: b\n---\nc")
	f.Add("intents: [{name: y, action: answer, article: branch-hours, offer: {queue: q}}]", "---\n---\n")
	f.Fuzz(func(t *testing.T, intents, article string) {
		p, err := LoadPack(packFS(map[string]string{"intents.yaml": intents + " ", "kb/branch-hours.md": article + " "}))
		if err != nil {
			if !errors.Is(err, ErrInvalidPack) {
				t.Fatalf("error does not wrap ErrInvalidPack: %v", err)
			}
			return
		}
		e := NewEngine(p, Options{})
		c := e.NewConversation()
		for _, s := range []string{"轉人工", "好", "", "分行幾點開門"} {
			if r := c.Respond(t.Context(), s); r.Action < Answer || r.Action > Review {
				t.Fatalf("Respond(%q) action %v", s, r.Action)
			}
		}
	})
}
