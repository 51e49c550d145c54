package kbimport

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// parsePDF extracts the text of a PDF and cuts it into articles at
// headings, which it recognises by font size: text set larger than the body
// (the size with most characters) is a heading, the largest size level 1
// and the next level 2. Line numbers in messages count text lines from the
// start of the document.
func parsePDF(data []byte, pr problems) []article {
	lines, err := pdfLines(data)
	if err != nil {
		pr.add(0, "not a readable PDF: %v", err)
		return nil
	}
	if len(lines) == 0 {
		pr.add(0, "no text found (a scanned PDF needs OCR first)")
		return nil
	}
	return sections(pdfBlocks(lines), pr, pr.file)
}

// textLine is one line of text and the font size it is set in.
type textLine struct {
	text string
	y    float64
	size float64
	page int
}

// pdfLines reads every page's text in content order. The PDF library
// panics on some malformed files; that becomes an error.
func pdfLines(data []byte) (lines []textLine, err error) {
	defer func() {
		if r := recover(); r != nil {
			lines, err = nil, fmt.Errorf("%v", r)
		}
	}()
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	for i := 1; i <= rd.NumPage(); i++ {
		p := rd.Page(i)
		if p.V.IsNull() || p.V.Key("Contents").IsNull() {
			continue
		}
		ex := &extractor{page: i, res: p.Resources(), fonts: map[string]*fontDec{}}
		pdf.Interpret(p.V.Key("Contents"), ex.op)
		ex.flush()
		lines = append(lines, ex.lines...)
	}
	return lines, nil
}

// affine is a PDF matrix [a b c d e f].
type affine [6]float64

var identity = affine{1, 0, 0, 1, 0, 0}

func (m affine) mul(n affine) affine {
	return affine{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// extractor follows the text state of one page's content stream.
type extractor struct {
	page      int
	res       pdf.Value
	fonts     map[string]*fontDec
	font      *fontDec
	size      float64
	leading   float64
	ctm       affine
	ctmStack  []affine
	tm, tlm   affine
	cur       strings.Builder
	curY      float64
	curSize   float64
	lines     []textLine
	ctmLoaded bool
}

func (ex *extractor) op(stk *pdf.Stack, op string) {
	if !ex.ctmLoaded {
		ex.ctm, ex.ctmLoaded = identity, true
	}
	args := make([]pdf.Value, stk.Len())
	for i := len(args) - 1; i >= 0; i-- {
		args[i] = stk.Pop()
	}
	num := func(i int) float64 {
		if i < len(args) {
			return args[i].Float64()
		}
		return 0
	}
	switch op {
	case "q":
		ex.ctmStack = append(ex.ctmStack, ex.ctm)
	case "Q":
		if n := len(ex.ctmStack); n > 0 {
			ex.ctm, ex.ctmStack = ex.ctmStack[n-1], ex.ctmStack[:n-1]
		}
	case "cm":
		ex.ctm = affine{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(ex.ctm)
	default:
		ex.textOp(op, args, num)
	}
}

// textOp follows the text operators (PDF 32000-1 §9.4).
func (ex *extractor) textOp(op string, args []pdf.Value, num func(int) float64) {
	switch op {
	case "BT":
		ex.tm, ex.tlm = identity, identity
	case "Tf":
		if len(args) == 2 {
			ex.font, ex.size = ex.loadFont(args[0].Name()), num(1)
		}
	case "TL":
		ex.leading = num(0)
	case "Td", "TD":
		if op == "TD" {
			ex.leading = -num(1)
		}
		ex.tlm = affine{1, 0, 0, 1, num(0), num(1)}.mul(ex.tlm)
		ex.tm = ex.tlm
	case "Tm":
		ex.tm = affine{num(0), num(1), num(2), num(3), num(4), num(5)}
		ex.tlm = ex.tm
	case "T*":
		ex.nextLine()
	case "Tj":
		ex.show(args)
	case "'", "\"":
		ex.nextLine()
		ex.show(args[len(args)-min(1, len(args)):])
	case "TJ":
		if len(args) == 1 {
			for i := 0; i < args[0].Len(); i++ {
				ex.show([]pdf.Value{args[0].Index(i)})
			}
		}
	}
}

func (ex *extractor) nextLine() {
	ex.tlm = affine{1, 0, 0, 1, 0, -ex.leading}.mul(ex.tlm)
	ex.tm = ex.tlm
}

// show adds the text of a string operand at the current position.
func (ex *extractor) show(args []pdf.Value) {
	if len(args) == 0 || args[0].Kind() != pdf.String || ex.font == nil {
		return
	}
	text := ex.font.decode(args[0].RawString())
	if text == "" {
		return
	}
	m := ex.tm.mul(ex.ctm)
	y, size := m[5], ex.size*math.Hypot(m[2], m[3])
	if ex.cur.Len() > 0 && math.Abs(y-ex.curY) > 0.3*max(size, ex.curSize) {
		ex.flush()
	}
	if ex.cur.Len() == 0 {
		ex.curY, ex.curSize = y, size
	}
	ex.curSize = max(ex.curSize, size)
	ex.cur.WriteString(text)
	// Text without widths: advance nothing; the next show on this line
	// continues it.
}

func (ex *extractor) flush() {
	if t := strings.TrimSpace(ex.cur.String()); t != "" {
		ex.lines = append(ex.lines, textLine{text: t, y: ex.curY, size: ex.curSize, page: ex.page})
	}
	ex.cur.Reset()
}

func (ex *extractor) loadFont(name string) *fontDec {
	if f, ok := ex.fonts[name]; ok {
		return f
	}
	f := newFontDec(ex.res.Key("Font").Key(name))
	ex.fonts[name] = f
	return f
}

// pdfBlocks joins lines into paragraphs and marks headings by size.
func pdfBlocks(lines []textLine) []block {
	body := bodySize(lines)
	var heads []float64
	for _, l := range lines {
		if l.size > body*1.15 && !containsSize(heads, l.size) {
			heads = append(heads, l.size)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(heads)))
	level := func(size float64) int {
		for i, h := range heads {
			if i < 2 && math.Abs(size-h) <= 0.05*h {
				return i + 1
			}
		}
		return 0
	}
	var out []block
	for i, l := range lines {
		lv := level(l.size)
		if n := len(out); n > 0 && lv == 0 && out[n-1].level == 0 && sameParagraph(lines[i-1], l) {
			out[n-1].text = joinText(out[n-1].text, l.text)
			continue
		}
		out = append(out, block{level: lv, text: l.text, line: i + 1})
	}
	return out
}

// bodySize is the font size with the most characters.
func bodySize(lines []textLine) float64 {
	count := map[float64]int{}
	for _, l := range lines {
		count[math.Round(l.size*2)/2] += utf8.RuneCountInString(l.text)
	}
	best, n := 0.0, -1
	for s, c := range count {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

func containsSize(list []float64, s float64) bool {
	for _, v := range list {
		if math.Abs(v-s) <= 0.05*v {
			return true
		}
	}
	return false
}

// sameParagraph: a line wrapped from the previous one is set in the same
// size no further below it than about one and a half lines.
func sameParagraph(prev, l textLine) bool {
	return prev.page == l.page && math.Abs(prev.size-l.size) <= 0.05*l.size &&
		math.Abs(prev.y-l.y) <= 1.5*l.size
}

// joinText joins wrapped lines: with a space only between ASCII words.
func joinText(a, b string) string {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if ra < utf8.RuneSelf && rb < utf8.RuneSelf && (unicode.IsLetter(ra) || unicode.IsDigit(ra)) {
		return a + " " + b
	}
	return a + b
}
