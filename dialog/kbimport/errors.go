package kbimport

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every *Error: some input could not be imported.
var ErrInvalid = errors.New("kbimport: invalid knowledge")

// ErrPack is wrapped when the pack itself cannot be read, written or
// re-loaded.
var ErrPack = errors.New("kbimport: pack")

// Problem is one bad row, section or file.
type Problem struct {
	File string // as given to Import
	Line int    // 1-based line, row's first line, or 0 for the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Error lists every problem found; nothing was written.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "kbimport: " + e.Problems[0].String()
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("kbimport: %d problems:\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *Error) Unwrap() error { return ErrInvalid }

// problems collects Problems for one file.
type problems struct {
	file string
	list *[]Problem
}

func (p problems) add(line int, format string, args ...any) {
	*p.list = append(*p.list, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}
