package kbimport

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuecall/yuecall/dialog/jyutping"
)

// article is one parsed article and where it came from.
type article struct {
	ID, Title, Body string
	Keywords        []string
	File            string
	Line            int
}

// block is a heading (level 1 or 2) or a paragraph (level 0) of a
// structured document: Markdown, .docx or PDF.
type block struct {
	level int
	text  string
	line  int // line, paragraph or text-line number, for messages
}

// explicitID matches a trailing "{#some-id}" in a heading.
var explicitID = regexp.MustCompile(`\s*\{#([^}]*)\}\s*$`)

// sections turns blocks into articles, one per heading of the article level:
// level 2 if the document has any, else level 1. Headings above that level
// (a document title) are skipped. A document without headings is one
// article named after its file, titled by its first paragraph. Text before
// the first article heading is an error: it would be lost.
func sections(blocks []block, pr problems, file string) []article {
	level := 0
	for _, b := range blocks {
		if b.level > 0 && (level == 0 || b.level > level) {
			level = b.level
		}
	}
	if level == 0 {
		return wholeDocument(blocks, pr, file)
	}
	var out []article
	var cur *article
	for _, b := range blocks {
		switch {
		case b.level == level:
			out = append(out, headingArticle(b, file))
			cur = &out[len(out)-1]
		case b.level > 0 && b.level < level:
			cur = nil
		case cur == nil:
			if strings.TrimSpace(b.text) != "" {
				pr.add(b.line, "text outside any article (put it under a heading or remove it): %q", clip(b.text))
			}
		default:
			cur.Body = joinPara(cur.Body, b.text)
		}
	}
	return out
}

func headingArticle(b block, file string) article {
	title, id := b.text, ""
	if m := explicitID.FindStringSubmatchIndex(title); m != nil {
		id, title = title[m[2]:m[3]], title[:m[0]]
	} else {
		id = slug(title)
	}
	return article{ID: id, Title: strings.TrimSpace(title), File: file, Line: b.line}
}

func wholeDocument(blocks []block, pr problems, file string) []article {
	a := article{ID: slug(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))), File: file, Line: 1}
	for _, b := range blocks {
		if a.Title == "" {
			a.Title = strings.TrimSpace(b.text)
			continue
		}
		a.Body = joinPara(a.Body, b.text)
	}
	if a.Title == "" {
		pr.add(0, "no text found")
		return nil
	}
	return []article{a}
}

func joinPara(body, para string) string {
	para = strings.TrimSpace(para)
	switch {
	case para == "":
		return body
	case body == "":
		return para
	}
	return body + "\n" + para
}

// slug makes an id from a title: ASCII words lower-cased, Chinese as
// toneless Jyutping ("分行營業時間" → "fan-hong-jing-jip-si-gaan"), joined by
// "-" and cut to 8 tokens.
func slug(title string) string {
	var parts []string
	for _, s := range jyutping.Syllables(title) {
		s = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, jyutping.Toneless(s))
		if s != "" {
			parts = append(parts, s)
		}
		if len(parts) == 8 {
			break
		}
	}
	return strings.Join(parts, "-")
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}
