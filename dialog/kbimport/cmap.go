package kbimport

import (
	"encoding/hex"
	"iter"
	"strings"
)

// The token kinds of a CMap that matter for ToUnicode: strings (hex or
// literal, as bytes), arrays of strings, and keywords. Numbers and names
// are tokOther.
const (
	tokString = iota
	tokArray
	tokKeyword
	tokOther
)

type cmapToken struct {
	kind int
	text string   // string bytes or keyword
	arr  []string // for tokArray
}

// cmapTokens yields the tokens of a CMap stream. It never fails: bad bytes
// are skipped.
func cmapTokens(data []byte) iter.Seq[cmapToken] {
	return func(yield func(cmapToken) bool) {
		var arr []string
		inArr := false
		for i := 0; i < len(data); {
			tok, next := nextCMapToken(data, i)
			i = next
			switch {
			case tok.kind == tokKeyword && tok.text == "[":
				inArr, arr = true, nil
				continue
			case tok.kind == tokKeyword && tok.text == "]":
				inArr = false
				tok = cmapToken{kind: tokArray, arr: arr}
			case inArr:
				if tok.kind == tokString {
					arr = append(arr, tok.text)
				}
				continue
			}
			if tok.kind != tokOther && !yield(tok) {
				return
			}
		}
	}
}

// nextCMapToken reads the token at data[i] and returns the index after it.
func nextCMapToken(data []byte, i int) (cmapToken, int) {
	c := data[i]
	switch {
	case c == '%':
		for i < len(data) && data[i] != '\n' && data[i] != '\r' {
			i++
		}
		return cmapToken{kind: tokOther}, i
	case c == '<' && i+1 < len(data) && data[i+1] == '<', c == '>' && i+1 < len(data) && data[i+1] == '>':
		return cmapToken{kind: tokOther}, i + 2
	case c == '<':
		end := i + 1
		for end < len(data) && data[end] != '>' {
			end++
		}
		return cmapToken{kind: tokString, text: hexString(data[i+1 : end])}, end + 1
	case c == '(':
		return literalString(data, i)
	case c == '[' || c == ']':
		return cmapToken{kind: tokKeyword, text: string(c)}, i + 1
	case c == '/' || c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		end := i + 1
		for end < len(data) && !isDelim(data[end]) {
			end++
		}
		return cmapToken{kind: tokOther}, end
	case isDelim(c):
		return cmapToken{kind: tokOther}, i + 1
	}
	end := i
	for end < len(data) && !isDelim(data[end]) {
		end++
	}
	return cmapToken{kind: tokKeyword, text: string(data[i:end])}, end
}

func isDelim(c byte) bool { return strings.IndexByte(" \t\r\n\f\x00()<>[]{}/%", c) >= 0 }

func hexString(h []byte) string {
	clean := make([]byte, 0, len(h)+1)
	for _, c := range h {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			clean = append(clean, c)
		}
	}
	if len(clean)%2 == 1 {
		clean = append(clean, '0')
	}
	b, _ := hex.DecodeString(string(clean))
	return string(b)
}

// literalString reads "(…)" with nested parentheses and backslash escapes.
func literalString(data []byte, i int) (cmapToken, int) {
	var b strings.Builder
	depth := 0
	for i++; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\\' && i+1 < len(data):
			i++
			b.WriteByte(unescape(data[i]))
			continue
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return cmapToken{kind: tokString, text: b.String()}, i + 1
			}
			depth--
		}
		b.WriteByte(c)
	}
	return cmapToken{kind: tokString, text: b.String()}, i
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c
}
