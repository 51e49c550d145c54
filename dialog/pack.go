package dialog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// ErrInvalidPack wraps every problem LoadPack finds.
var ErrInvalidPack = errors.New("dialog: invalid pack")

// ErrUnknownPack is returned by BuiltinPack for a name it does not know.
var ErrUnknownPack = errors.New("dialog: unknown built-in pack")

// Pack files.
const (
	intentsFile   = "intents.yaml"
	responsesFile = "responses.yaml"
	slotsFile     = "slots.yaml" // optional
	menuFile      = "menu.yaml"  // optional, ivr.LoadMenu format
	kbDir         = "kb"
)

//go:embed packs/bank packs/property
var builtinFS embed.FS

// BuiltinPacks are the names BuiltinPack accepts.
var BuiltinPacks = []string{"bank", "property"}

// BuiltinPack loads an embedded pack by name: "bank" (the default demo) or
// "property".
func BuiltinPack(name string) (*Pack, error) {
	found := false
	for _, n := range BuiltinPacks {
		found = found || n == name
	}
	if !found {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknownPack, name, strings.Join(BuiltinPacks, ", "))
	}
	sub, err := fs.Sub(builtinFS, "packs/"+name)
	if err != nil {
		return nil, fmt.Errorf("dialog: %s pack: %w", name, err)
	}
	return LoadPack(sub)
}

// BankPack loads the embedded demo bank pack (粵通銀行).
func BankPack() (*Pack, error) { return BuiltinPack("bank") }

// PropertyPack loads the embedded property agency pack (粵置地產).
func PropertyPack() (*Pack, error) { return BuiltinPack("property") }

// Intent is one thing a caller may want, as the pack describes it.
type Intent struct {
	Name        string
	Description string
	Action      Action // Answer, Handoff, Clarify, End or Review
	Text        string // what to say (or the article's body when Article is set)
	Article     string // knowledge article id cited in Reply.Sources
	Queue       string // Handoff and Review: human queue
	Reason      string // Handoff and Review: reason published with the hand-off
	Sensitive   bool   // always a hand-off, with the two-factor reminder
	OfferQueue  string // Answer: an affirmation next turn hands off to this queue
	OfferReason string
	Priority    int
	Keywords    []string
	Examples    []string
	Slots       []SlotSpec // slots the intent uses, in the order to ask for them
}

// SlotSpec is one slot an intent uses.
type SlotSpec struct {
	Name     string // a built-in slot (BuiltinSlots) or one of the pack's slots.yaml
	Required bool   // the conversation asks for it before acting
	Prompt   string // the question that asks for it (required slots)
}

// Article is one knowledge-base entry (kb/*.md).
type Article struct {
	ID    string
	Title string
	Body  string // spoken form: Markdown paragraphs joined, headings dropped
	Path  string // file inside the pack, for error messages and tooling
}

// Responses are the pack's stock replies (responses.yaml).
type Responses struct {
	Clarify       string // first misunderstood turn
	Escalate      string // second misunderstood turn in a row, before the hand-off
	EscalateQueue string // queue for that hand-off (default "general")
	Fallback      string // empty turn: silence, noise, only fillers
	Handoff       string // before a hand-off without text of its own
	TwoFactor     string // appended to sensitive hand-offs
	Declined      string // after the caller turns down an offer
}

// Pack is a validated knowledge pack. It is read-only after LoadPack.
type Pack struct {
	intents      []Intent
	byName       map[string]int
	articles     map[string]Article
	responses    Responses
	negators     []string
	affirmations []string
	declines     []string
	synonyms     map[string]string // variant (folded) -> canonical term (folded)
	slotTypes    []SlotType
	menu         []byte
	ext          packExt // tools.yaml and policy.yaml (pack_tools.go)
}

// Menu returns the pack's raw menu.yaml (the ivr.LoadMenu format), if it
// has one. LoadPack only checks that it is a YAML mapping; the ivr package
// validates it.
func (p *Pack) Menu() ([]byte, bool) {
	if p.menu == nil {
		return nil, false
	}
	return append([]byte(nil), p.menu...), true
}

// SlotTypes returns the pack's own slot types (slots.yaml) in file order.
func (p *Pack) SlotTypes() []SlotType {
	out := make([]SlotType, len(p.slotTypes))
	for i, t := range p.slotTypes {
		t.Values = append([]SlotValue(nil), t.Values...)
		out[i] = t
	}
	return out
}

// Synonyms returns the pack's code-mix synonyms: variant -> canonical term,
// both folded.
func (p *Pack) Synonyms() map[string]string {
	out := make(map[string]string, len(p.synonyms))
	for k, v := range p.synonyms {
		out[k] = v
	}
	return out
}

// Intents returns the pack's intents in file order.
func (p *Pack) Intents() []Intent { return append([]Intent(nil), p.intents...) }

// Intent returns the intent called name.
func (p *Pack) Intent(name string) (Intent, bool) {
	i, ok := p.byName[name]
	if !ok {
		return Intent{}, false
	}
	return p.intents[i], true
}

// Article returns the knowledge article with the given id.
func (p *Pack) Article(id string) (Article, bool) {
	a, ok := p.articles[id]
	return a, ok
}

// Articles returns all knowledge articles sorted by id.
func (p *Pack) Articles() []Article {
	out := make([]Article, 0, len(p.articles))
	for _, a := range p.articles {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Responses returns the pack's stock replies.
func (p *Pack) Responses() Responses { return p.responses }

var (
	nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	idRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// LoadPack reads a pack from fsys: intents.yaml, responses.yaml, kb/*.md
// and, when present, slots.yaml, menu.yaml, tools.yaml and policy.yaml.
// Unknown YAML keys are rejected. Every problem found is
// reported, each prefixed with its file and line or entry, in one error
// wrapping ErrInvalidPack.
func LoadPack(fsys fs.FS) (*Pack, error) {
	var pr problems
	articles := loadArticles(fsys, &pr)
	p := &Pack{articles: articles, byName: map[string]int{}}
	p.responses = loadResponses(fsys, &pr)
	p.slotTypes = loadSlotTypes(fsys, &pr)
	p.menu = loadMenu(fsys, &pr)
	loadIntents(fsys, p, &pr)
	loadTools(fsys, p, &pr)
	if err := pr.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// problems collects load errors in the order found.
type problems []string

func (pr *problems) add(where, format string, args ...any) {
	*pr = append(*pr, where+": "+fmt.Sprintf(format, args...))
}

func (pr problems) err() error {
	switch len(pr) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%w: %s", ErrInvalidPack, pr[0])
	}
	return fmt.Errorf("%w: %d problems:\n  %s", ErrInvalidPack, len(pr), strings.Join(pr, "\n  "))
}

func readFile(fsys fs.FS, name string, pr *problems) ([]byte, bool) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			pr.add(name, "missing")
		} else {
			pr.add(name, "%v", err)
		}
		return nil, false
	}
	return b, true
}

// articlePath is where an article with the given id is expected, for messages.
func articlePath(id string) string { return path.Join(kbDir, id+".md") }
