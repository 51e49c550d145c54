package kbimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// parseCSV reads a header row naming id, title and answer (any order, any
// case); every other column holds keywords. Each later row is an article.
func parseCSV(data []byte, pr problems) []article {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		pr.add(1, "header row: %v", csvErr(err))
		return nil
	}
	col := map[string]int{}
	var kw []int
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "id", "title", "answer":
			if _, dup := col[h]; dup {
				pr.add(1, "header: column %q twice", h)
			}
			col[h] = i
		default:
			kw = append(kw, i)
		}
	}
	for _, want := range []string{"id", "title", "answer"} {
		if _, ok := col[want]; !ok {
			pr.add(1, "header: no %q column (want id,title,answer[,keywords…])", want)
		}
	}
	if len(col) < 3 {
		return nil
	}
	return csvRows(r, col, kw, pr)
}

func csvRows(r *csv.Reader, col map[string]int, kw []int, pr problems) []article {
	var out []article
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			pr.add(0, "%v", csvErr(err))
			return out
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		a := article{ID: get("id"), Title: get("title"), Body: get("answer"), File: pr.file, Line: line}
		for _, i := range kw {
			if i < len(rec) {
				for _, k := range strings.Split(rec[i], ";") {
					if k = strings.TrimSpace(k); k != "" {
						a.Keywords = append(a.Keywords, k)
					}
				}
			}
		}
		out = append(out, a)
	}
}

// csvErr shortens encoding/csv's messages ("record on line 3: wrong number
// of fields" stays; "parse error on line 3, column 5: bare \" in
// non-quoted-field" keeps its line).
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}
