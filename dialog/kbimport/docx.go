package kbimport

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// maxDocumentXML bounds word/document.xml (a zip bomb guard).
const maxDocumentXML = 32 << 20

// parseDocx reads word/document.xml: each w:p is a paragraph (its w:t runs
// joined, w:tab as a tab, w:br as a line break); pStyle Heading1/Title and
// Heading2 make headings. Articles are then cut as for Markdown.
func parseDocx(data []byte, pr problems) []article {
	blocks, err := docxBlocks(data)
	if err != nil {
		pr.add(0, "not a readable .docx: %v", err)
		return nil
	}
	return sections(blocks, pr, pr.file)
}

func docxBlocks(data []byte) ([]block, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	f, err := zr.Open("word/document.xml")
	if err != nil {
		return nil, errors.New("no word/document.xml")
	}
	defer f.Close()
	xmlData, err := io.ReadAll(io.LimitReader(f, maxDocumentXML+1))
	if err != nil {
		return nil, err
	}
	if len(xmlData) > maxDocumentXML {
		return nil, fmt.Errorf("word/document.xml larger than %d MB", maxDocumentXML>>20)
	}
	return paragraphs(xml.NewDecoder(bytes.NewReader(xmlData)))
}

// docxWalker collects paragraphs while walking document.xml.
type docxWalker struct {
	out    []block
	cur    *strings.Builder // nil outside a w:p
	level  int
	inText bool
	n      int // paragraphs seen
}

// paragraphs walks the document's elements, one block per w:p.
func paragraphs(dec *xml.Decoder) ([]block, error) {
	var w docxWalker
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return w.out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("word/document.xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == wordNS {
				w.start(t)
			}
		case xml.EndElement:
			if t.Name.Space == wordNS {
				w.end(t.Name.Local)
			}
		case xml.CharData:
			if w.inText && w.cur != nil {
				w.cur.Write(t)
			}
		}
	}
}

func (w *docxWalker) start(t xml.StartElement) {
	switch t.Name.Local {
	case "p":
		w.cur, w.level = &strings.Builder{}, 0
	case "pStyle":
		w.level = headingLevel(attr(t, "val"))
	case "t":
		w.inText = true
	case "tab":
		if w.cur != nil {
			w.cur.WriteByte('\t')
		}
	case "br", "cr":
		if w.cur != nil {
			w.cur.WriteByte('\n')
		}
	}
}

func (w *docxWalker) end(local string) {
	switch {
	case local == "t":
		w.inText = false
	case local == "p" && w.cur != nil:
		w.n++
		if text := strings.TrimSpace(w.cur.String()); text != "" {
			w.out = append(w.out, block{level: w.level, text: text, line: w.n})
		}
		w.cur = nil
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// headingLevel maps a paragraph style id to 1 (Title, Heading1), 2
// (Heading2) or 0. Word and LibreOffice both write these ids.
func headingLevel(style string) int {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	switch s {
	case "title", "heading1":
		return 1
	case "heading2":
		return 2
	}
	return 0
}
