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

// paragraphs walks the document's elements, one block per w:p.
func paragraphs(dec *xml.Decoder) ([]block, error) {
	var out []block
	var cur *strings.Builder
	level, inText, n := 0, false, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("word/document.xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != wordNS {
				continue
			}
			switch t.Name.Local {
			case "p":
				cur, level = &strings.Builder{}, 0
			case "pStyle":
				level = headingLevel(attr(t, "val"))
			case "t":
				inText = true
			case "tab":
				if cur != nil {
					cur.WriteByte('\t')
				}
			case "br", "cr":
				if cur != nil {
					cur.WriteByte('\n')
				}
			}
		case xml.EndElement:
			if t.Name.Space == wordNS && t.Name.Local == "t" {
				inText = false
			}
			if t.Name.Space == wordNS && t.Name.Local == "p" && cur != nil {
				n++
				if text := strings.TrimSpace(cur.String()); text != "" {
					out = append(out, block{level: level, text: text, line: n})
				}
				cur = nil
			}
		case xml.CharData:
			if inText && cur != nil {
				cur.Write(t)
			}
		}
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
