package kbimport

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseMarkdown reads one article with front matter (id, title), as the
// pack itself stores them, or a document split at "## " headings (see
// sections).
func parseMarkdown(text string, pr problems) []article {
	if rest, ok := strings.CutPrefix(text, "---\n"); ok {
		return frontMatterArticle(rest, pr)
	}
	var blocks []block
	for i, line := range strings.Split(text, "\n") {
		b := block{text: line, line: i + 1}
		switch {
		case strings.HasPrefix(line, "## "):
			b.level, b.text = 2, strings.TrimPrefix(line, "## ")
		case strings.HasPrefix(line, "# "):
			b.level, b.text = 1, strings.TrimPrefix(line, "# ")
		}
		blocks = append(blocks, b)
	}
	return sections(markdownParagraphs(blocks), pr, pr.file)
}

// markdownParagraphs keeps Markdown body lines as they are (the pack renders
// them), dropping only blank lines before the first heading.
func markdownParagraphs(blocks []block) []block {
	out := blocks[:0:0]
	for _, b := range blocks {
		if b.level == 0 && strings.TrimSpace(b.text) == "" {
			continue
		}
		out = append(out, b)
	}
	return out
}

func frontMatterArticle(rest string, pr problems) []article {
	head, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		if head, ok = strings.CutSuffix(rest, "\n---"); !ok {
			pr.add(1, "front matter not closed by a \"---\" line")
			return nil
		}
	}
	var fm struct {
		ID       string   `yaml:"id"`
		Title    string   `yaml:"title"`
		Keywords []string `yaml:"keywords"`
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte("\n" + head)))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		pr.add(1, "front matter: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	return []article{{ID: fm.ID, Title: strings.TrimSpace(fm.Title), Body: strings.TrimSpace(body),
		Keywords: fm.Keywords, File: pr.file, Line: 1}}
}
