package dialog

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yuecall/yuecall/normalise"
)

// enumPhrase is one way of saying a pack slot value, in the engine's
// compact form.
type enumPhrase struct {
	phrase, slot, value string
}

// compileEnums lists every value and synonym of the pack's slot types,
// longest phrase first so that 儲蓄戶口 wins over 戶口.
func compileEnums(types []SlotType, cf func(string) string) []enumPhrase {
	var out []enumPhrase
	for _, t := range types {
		for _, v := range t.Values {
			for _, s := range append([]string{v.Value}, v.Synonyms...) {
				if c := cf(s); c != "" && strings.Trim(c, "0123456789") != "" {
					out = append(out, enumPhrase{phrase: c, slot: t.Name, value: v.Value})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b enumPhrase) int { return len(b.phrase) - len(a.phrase) })
	return out
}

// Slots extracts what the utterance says about the built-in slots (amount
// and currency, date, month, week, last4) and the pack's slot types
// (card_type, account_type, branch … as slots.yaml defines them). Relative
// dates (尋日, 上個月, 上個禮拜三) are resolved against now, in now's
// location. A slot not mentioned is absent; the map is never nil.
func (e *Engine) Slots(text string, now time.Time) map[string]string {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	hk, a := e.prepare(text, sc)
	return e.slots(hk, a.compact, now)
}

func (e *Engine) slots(hk, compacted string, now time.Time) map[string]string {
	out := map[string]string{}
	var used []span
	used = findDates(hk, now, out, used)
	vals := normalise.Values(hk)
	used = findLast4(hk, vals, out, used)
	findAmount(hk, vals, out, used)
	e.findEnums(compacted, out)
	return out
}

// findEnums sets each pack slot to its longest matching phrase; on equal
// length the earlier mention wins.
func (e *Engine) findEnums(c string, out map[string]string) {
	taken := make([]bool, len(c))
	for _, p := range e.enums {
		if _, done := out[p.slot]; done {
			continue
		}
		for from := 0; ; {
			j := indexWord(c, p.phrase, from)
			if j < 0 {
				break
			}
			if !slices.Contains(taken[j:j+len(p.phrase)], true) {
				out[p.slot] = p.value
				for k := j; k < j+len(p.phrase); k++ {
					taken[k] = true
				}
				break
			}
			from = j + 1
		}
	}
}

// span is a byte range of the HK text already read as a slot.
type span struct{ start, end int }

func overlaps(used []span, start, end int) bool {
	for _, u := range used {
		if start < u.end && u.start < end {
			return true
		}
	}
	return false
}

// last4Markers introduce the last four digits of a card or account.
var last4Markers = []string{"尾號", "尾數", "尾四位", "尾4位", "最後四個字", "最後4個字", "最後四個數字", "最後四位",
	"最後4位", "末四位", "末4位", "後四位", "後4位", "ending in", "ending", "last four", "last 4"}

// findLast4 reads the four digits after a marker (尾號1234, 最後四個字係五六七八).
func findLast4(hk string, vals []normalise.Value, out map[string]string, used []span) []span {
	lower := strings.ToLower(hk)
	for _, m := range last4Markers {
		i := strings.Index(lower, m)
		if i < 0 {
			continue
		}
		end := i + len(m)
		for _, v := range vals {
			if v.Start < end || v.Start-end > 12 || overlaps(used, v.Start, v.End) {
				continue
			}
			d := v.Digits
			if v.Kind == normalise.Number && !v.Approx && !strings.ContainsAny(v.Text, ".,") {
				d = v.Decimal
			}
			if len(d) == 4 && strings.Trim(d, "0123456789") == "" {
				out[SlotLast4] = d
				return append(used, span{i, v.End})
			}
		}
	}
	return used
}

// findAmount takes the first money value: an amount Values recognises
// (五千蚊, HK$300, 一千港紙), or a number with a money magnitude (兩萬三,
// 5千) or followed by k or a currency (5k, 500 HKD).
func findAmount(hk string, vals []normalise.Value, out map[string]string, used []span) {
	for _, v := range vals {
		if overlaps(used, v.Start, v.End) {
			continue
		}
		switch v.Kind {
		case normalise.Amount:
			out[SlotAmount], out[SlotCurrency] = v.Decimal, v.Currency
			return
		case normalise.Number:
			if amt, ok := moneyNumber(hk, v); ok {
				out[SlotAmount], out[SlotCurrency] = amt, "HKD"
				return
			}
		}
	}
}

func moneyNumber(hk string, v normalise.Value) (string, bool) {
	rest := strings.ToLower(strings.TrimLeft(hk[v.End:], " "))
	switch {
	case strings.HasPrefix(rest, "k") && (len(rest) == 1 || !isASCIIWord(rune(rest[1]))):
		n := v.Number * 1000
		return strings.TrimSuffix(strings.TrimRight(formatFloat(n), "0"), "."), true
	case strings.HasPrefix(rest, "hkd"), strings.HasPrefix(rest, "港元"), strings.HasPrefix(rest, "港幣"),
		strings.HasPrefix(rest, "dollar"):
		return v.Decimal, true
	case strings.ContainsAny(v.Text, "萬万千仟") && v.Number >= 100:
		return v.Decimal, true
	}
	return "", false
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
