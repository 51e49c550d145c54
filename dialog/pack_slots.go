package dialog

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Built-in slots: Engine.Slots fills them from any pack. Pack slot types
// (slots.yaml) may not reuse these names.
const (
	SlotAmount   = "amount"   // money, as a decimal number of the currency's units: "5000"
	SlotCurrency = "currency" // ISO code of the amount: HKD, USD, CNY
	SlotDate     = "date"     // ISO date: "2026-11-20"
	SlotMonth    = "month"    // ISO month: "2026-10"
	SlotWeek     = "week"     // ISO week of 上個禮拜 / 下個禮拜: "2026-W47"
	SlotLast4    = "last4"    // last four digits of a card or account: "1234"
)

// BuiltinSlots lists the built-in slot names.
var BuiltinSlots = []string{SlotAmount, SlotCurrency, SlotDate, SlotMonth, SlotWeek, SlotLast4}

// SlotType is an enumerated slot a pack defines in slots.yaml: Engine.Slots
// sets Name to a value's canonical Value when the utterance says the value
// or one of its synonyms.
type SlotType struct {
	Name        string
	Description string
	Values      []SlotValue
}

// SlotValue is one value of a SlotType.
type SlotValue struct {
	Value    string   // what Engine.Slots reports
	Synonyms []string // other ways callers say it (the value itself also matches)
}

type slotsDoc struct {
	Slots []slotTypeYAML `yaml:"slots"`
}

type slotTypeYAML struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	Values      []slotValueYAML `yaml:"values"`
}

type slotValueYAML struct {
	Value    string   `yaml:"value"`
	Synonyms []string `yaml:"synonyms"`
}

// slotRefYAML is one entry of an intent's slots list.
type slotRefYAML struct {
	Name     string `yaml:"name"`
	Required bool   `yaml:"required"`
	Prompt   string `yaml:"prompt"`
}

// loadSlotTypes reads the optional slots.yaml.
func loadSlotTypes(fsys fs.FS, pr *problems) []SlotType {
	data, err := fs.ReadFile(fsys, slotsFile)
	if err != nil {
		return nil // optional
	}
	var doc slotsDoc
	if err := decodeStrict(data, &doc); err != nil {
		pr.add(slotsFile, "%v", err)
		return nil
	}
	lines := entryLines(data, "slots")
	var out []SlotType
	for i, y := range doc.Slots {
		where := fmt.Sprintf("%s: slot #%d", slotsFile, i+1)
		if i < len(lines) && lines[i] > 0 {
			where = fmt.Sprintf("%s:%d: slot #%d", slotsFile, lines[i], i+1)
		}
		if y.Name != "" {
			where += fmt.Sprintf(" (%s)", y.Name)
		}
		if t, ok := checkSlotType(y, out, where, pr); ok {
			out = append(out, t)
		}
	}
	return out
}

func checkSlotType(y slotTypeYAML, seen []SlotType, where string, pr *problems) (SlotType, bool) {
	before := len(*pr)
	switch {
	case y.Name == "":
		pr.add(where, "name missing")
	case !nameRE.MatchString(y.Name):
		pr.add(where, "name %q: want lower_snake_case", y.Name)
	case slices.Contains(BuiltinSlots, y.Name):
		pr.add(where, "name %q is a built-in slot (%s)", y.Name, strings.Join(BuiltinSlots, ", "))
	case slices.ContainsFunc(seen, func(t SlotType) bool { return t.Name == y.Name }):
		pr.add(where, "duplicate slot name %q", y.Name)
	}
	if len(y.Values) == 0 {
		pr.add(where, "no values")
	}
	t := SlotType{Name: y.Name, Description: y.Description}
	phrases := map[string]string{}
	for j, v := range y.Values {
		if strings.TrimSpace(v.Value) == "" {
			pr.add(where, "value #%d: value missing", j+1)
			continue
		}
		for _, s := range append([]string{v.Value}, v.Synonyms...) {
			c := compact(s)
			if c == "" {
				pr.add(where, "value %q: synonym %q is empty after folding", v.Value, s)
			} else if prev, dup := phrases[c]; dup && prev != v.Value {
				pr.add(where, "value %q: synonym %q also belongs to %q", v.Value, s, prev)
			}
			phrases[c] = v.Value
		}
		t.Values = append(t.Values, SlotValue{Value: v.Value, Synonyms: v.Synonyms})
	}
	return t, len(*pr) == before
}

// checkSlotRefs validates an intent's slots against the built-in slots and
// the pack's slot types.
func checkSlotRefs(refs []slotRefYAML, p *Pack, where string, pr *problems) []SlotSpec {
	var out []SlotSpec
	seen := map[string]bool{}
	for i, r := range refs {
		known := slices.Contains(BuiltinSlots, r.Name) ||
			slices.ContainsFunc(p.slotTypes, func(t SlotType) bool { return t.Name == r.Name })
		switch {
		case r.Name == "":
			pr.add(where, "slot #%d: name missing", i+1)
			continue
		case !known:
			pr.add(where, "slot %q: not a built-in slot (%s) nor defined in %s",
				r.Name, strings.Join(BuiltinSlots, ", "), slotsFile)
		case seen[r.Name]:
			pr.add(where, "slot %q listed twice", r.Name)
		}
		if r.Required && strings.TrimSpace(r.Prompt) == "" {
			pr.add(where, "slot %q: required slots need a prompt (the question that asks for it)", r.Name)
		}
		seen[r.Name] = true
		out = append(out, SlotSpec{Name: r.Name, Required: r.Required, Prompt: strings.TrimSpace(r.Prompt)})
	}
	return out
}

// checkSynonyms folds intents.yaml's synonyms (canonical: [variants]) into
// a variant -> canonical map.
func checkSynonyms(syn map[string][]string, pr *problems) map[string]string {
	out := map[string]string{}
	keys := make([]string, 0, len(syn))
	for k := range syn {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, canon := range keys {
		c := compact(canon)
		if c == "" {
			pr.add(intentsFile, "synonyms: %q is empty after folding", canon)
			continue
		}
		for _, v := range syn[canon] {
			f := compact(v)
			switch prev, dup := out[f]; {
			case f == "":
				pr.add(intentsFile, "synonyms: %s: variant %q is empty after folding", canon, v)
			case dup && prev != c:
				pr.add(intentsFile, "synonyms: variant %q of %q is also a variant of %q", v, canon, prev)
			case f != c:
				out[f] = c
			}
		}
	}
	return out
}

// loadMenu reads the optional menu.yaml and checks that it is a YAML
// mapping; its meaning is the ivr package's to check.
func loadMenu(fsys fs.FS, pr *problems) []byte {
	data, err := fs.ReadFile(fsys, menuFile)
	if err != nil {
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		pr.add(menuFile, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		pr.add(menuFile, "want a mapping (greeting, prompt, options …)")
		return nil
	}
	return data
}
