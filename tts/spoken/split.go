package spoken

import (
	"strings"
	"unicode"
)

// Split cuts text into sentences for synthesis, one at a time, so the first
// audio comes quickly. A sentence ends after 。！？；!?; or a newline, and
// after '.' followed by a space or the end (so 3.5 and v2.0 stay whole);
// the punctuation, any repeats of it and closing quotes stay with their
// sentence. A sentence longer than maxRunes (counting an SSML break tag as
// one) is cut after the last comma, 、 or space before the limit, else at
// the limit; maxRunes <= 0 means no limit. Chunks are trimmed; none is
// empty, and punctuation alone joins the chunk before it.
func Split(text string, maxRunes int) []string {
	atoms := atomize([]rune(text))
	var out []string
	pending := ""
	emit := func(a []atom) {
		s := strings.TrimSpace(joinAtoms(a))
		switch {
		case s == "":
		case !speakable(s) && len(out) > 0:
			out[len(out)-1] += s
		case !speakable(s):
			pending += s
		default:
			out = append(out, pending+s)
			pending = ""
		}
	}
	start := 0
	for k := 0; k < len(atoms); k++ {
		if !atoms[k].ends(atoms, k) {
			continue
		}
		for k+1 < len(atoms) && (atoms[k+1].isTerminal() || atoms[k+1].isClosing()) {
			k++
		}
		splitLong(atoms[start:k+1], maxRunes, emit)
		start = k + 1
	}
	splitLong(atoms[start:], maxRunes, emit)
	if pending != "" {
		out = append(out, pending)
	}
	return out
}

// atom is one rune or one SSML break tag.
type atom struct {
	r   rune
	tag string
}

func atomize(in []rune) []atom {
	atoms := make([]atom, 0, len(in))
	for i := 0; i < len(in); {
		if in[i] == '<' {
			if n := breakTagLen(in[i:]); n > 0 {
				atoms = append(atoms, atom{tag: string(in[i : i+n])})
				i += n
				continue
			}
		}
		atoms = append(atoms, atom{r: in[i]})
		i++
	}
	return atoms
}

func joinAtoms(a []atom) string {
	var b strings.Builder
	for _, x := range a {
		if x.tag != "" {
			b.WriteString(x.tag)
		} else {
			b.WriteRune(x.r)
		}
	}
	return b.String()
}

func (a atom) isTerminal() bool {
	return a.tag == "" && strings.ContainsRune("。！？；!?;\n", a.r)
}

func (a atom) isClosing() bool {
	return a.tag == "" && strings.ContainsRune("」』）)\"'”’】〕》", a.r)
}

func (a atom) isBreakable() bool {
	return a.tag == "" && (strings.ContainsRune("，,、", a.r) || unicode.IsSpace(a.r))
}

// ends reports whether atom k of atoms ends a sentence.
func (a atom) ends(atoms []atom, k int) bool {
	if a.isTerminal() {
		return true
	}
	if a.tag != "" || a.r != '.' {
		return false
	}
	k++
	for k < len(atoms) && atoms[k].isClosing() {
		k++
	}
	return k == len(atoms) || (atoms[k].tag == "" && unicode.IsSpace(atoms[k].r))
}

// splitLong passes a sentence to emit in chunks of at most max atoms.
func splitLong(a []atom, max int, emit func([]atom)) {
	for max > 0 && len(a) > max {
		cut := max
		for k := max - 1; k > 0; k-- {
			if a[k].isBreakable() {
				cut = k + 1
				break
			}
		}
		emit(a[:cut])
		a = a[cut:]
	}
	emit(a)
}

// speakable reports whether s has a letter, digit or break tag.
func speakable(s string) bool {
	if strings.Contains(s, "<break") {
		return true
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// Sentences is what a call sends to the synthesiser for text: its chunks
// (Split, on the written form) each read out by Text. Prompt caches and
// tools use it so they ask for exactly what a call asks for.
func Sentences(text string, opt Options, maxRunes int) []string {
	chunks := Split(text, maxRunes)
	for i, c := range chunks {
		chunks[i] = Text(c, opt)
	}
	return chunks
}
