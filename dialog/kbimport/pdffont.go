package kbimport

import (
	"io"
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// fontDec turns a PDF string shown in a font into text. Its ToUnicode CMap
// comes first, as the PDF specification says (the library's own decoder
// ignores it for fonts with an /Encoding dictionary, which Chromium's Type3
// fonts have); without one, the library's encoding tables are used.
type fontDec struct {
	codeLen [5]bool // code lengths in bytes declared by codespace ranges
	chars   map[string]string
	ranges  []cmapRange
	two     bool // Type0 font: 2-byte codes when no codespace is declared
	lib     pdf.TextEncoding
}

type cmapRange struct {
	lo, hi string
	dst    string   // first destination (UTF-16BE), incremented along the range
	arr    []string // or one destination per code
}

func newFontDec(v pdf.Value) *fontDec {
	f := &fontDec{chars: map[string]string{}, two: v.Key("Subtype").Name() == "Type0"}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		f.readCMap(tu)
	}
	if len(f.chars) == 0 && len(f.ranges) == 0 {
		lf := pdf.Font{V: v}
		f.lib = lf.Encoder()
	}
	return f
}

// readCMap reads a ToUnicode CMap's codespace ranges and bfchar and
// bfrange mappings (cmap.go parses its syntax).
func (f *fontDec) readCMap(strm pdf.Value) {
	rd := strm.Reader()
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, maxCMap))
	if err != nil {
		return
	}
	var ops []cmapToken
	for tok := range cmapTokens(data) {
		if tok.kind != tokKeyword {
			ops = append(ops, tok)
			continue
		}
		f.apply(tok.text, ops)
		ops = ops[:0]
	}
}

// maxCMap bounds a ToUnicode stream.
const maxCMap = 4 << 20

// apply handles the operands collected before an end… keyword.
func (f *fontDec) apply(keyword string, ops []cmapToken) {
	switch keyword {
	case "endcodespacerange":
		for i := 0; i+1 < len(ops); i += 2 {
			if lo, hi := ops[i].text, ops[i+1].text; len(lo) >= 1 && len(lo) <= 4 && len(lo) == len(hi) {
				f.codeLen[len(lo)] = true
			}
		}
	case "endbfchar":
		for i := 0; i+1 < len(ops); i += 2 {
			f.chars[ops[i].text] = utf16BE(ops[i+1].text)
		}
	case "endbfrange":
		for i := 0; i+2 < len(ops); i += 3 {
			lo, hi, dst := ops[i].text, ops[i+1].text, ops[i+2]
			if len(lo) == len(hi) && len(lo) > 0 {
				f.ranges = append(f.ranges, cmapRange{lo: lo, hi: hi, dst: dst.text, arr: dst.arr})
			}
		}
	}
}

func (f *fontDec) decode(raw string) string {
	if f.lib != nil {
		return f.lib.Decode(raw)
	}
	var b strings.Builder
	for len(raw) > 0 {
		n := f.codeLength(raw)
		b.WriteString(f.lookup(raw[:n]))
		raw = raw[n:]
	}
	return b.String()
}

// codeLength picks the length of the next code: the shortest declared
// length that has a mapping, else the font's default.
func (f *fontDec) codeLength(raw string) int {
	for n := 1; n <= 4 && n <= len(raw); n++ {
		if f.codeLen[n] {
			if _, ok := f.chars[raw[:n]]; ok || f.inRange(raw[:n]) {
				return n
			}
		}
	}
	if f.two && len(raw) >= 2 {
		return 2
	}
	return 1
}

func (f *fontDec) inRange(code string) bool {
	for _, r := range f.ranges {
		if len(r.lo) == len(code) && r.lo <= code && code <= r.hi {
			return true
		}
	}
	return false
}

func (f *fontDec) lookup(code string) string {
	if s, ok := f.chars[code]; ok {
		return s
	}
	for _, r := range f.ranges {
		if len(r.lo) != len(code) || code < r.lo || code > r.hi {
			continue
		}
		off := codeValue(code) - codeValue(r.lo)
		if r.arr != nil {
			if off < len(r.arr) {
				return utf16BE(r.arr[off])
			}
			return ""
		}
		d := []byte(r.dst)
		if len(d) < 2 {
			return ""
		}
		// Add the offset to the last UTF-16 unit.
		last := int(d[len(d)-2])<<8 | int(d[len(d)-1])
		last += off
		d[len(d)-2], d[len(d)-1] = byte(last>>8), byte(last)
		return utf16BE(string(d))
	}
	return ""
}

func codeValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<8 | int(s[i])
	}
	return v
}

// utf16BE decodes a big-endian UTF-16 string, dropping control characters.
func utf16BE(s string) string {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' {
			return -1
		}
		return r
	}, string(utf16.Decode(u)))
}
