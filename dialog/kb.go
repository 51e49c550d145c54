package dialog

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

type frontMatter struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
}

// loadArticles reads kb/*.md. A pack without kb/ has no articles.
func loadArticles(fsys fs.FS, pr *problems) map[string]Article {
	out := map[string]Article{}
	entries, err := fs.ReadDir(fsys, kbDir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".md" {
			continue
		}
		name := path.Join(kbDir, e.Name())
		data, ok := readFile(fsys, name, pr)
		if !ok {
			continue
		}
		a, err := parseArticle(name, data)
		if err != nil {
			pr.add(name, "%v", err)
			continue
		}
		if prev, dup := out[a.ID]; dup {
			pr.add(name, "duplicate article id %q (also in %s)", a.ID, prev.Path)
			continue
		}
		out[a.ID] = a
	}
	return out
}

// parseArticle splits "---\nid: …\ntitle: …\n---\nbody" and renders the body
// in its spoken form.
func parseArticle(name string, data []byte) (Article, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return Article{}, fmt.Errorf("missing front matter (want a first line \"---\", then id: and title:, then \"---\")")
	}
	head, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		head, ok = strings.CutSuffix(rest, "\n---")
		if !ok {
			return Article{}, fmt.Errorf("front matter not closed by a \"---\" line")
		}
	}
	var fm frontMatter
	// The leading newline stands for the opening "---" so that YAML line
	// numbers are the file's.
	if err := decodeStrict([]byte("\n"+head), &fm); err != nil {
		return Article{}, fmt.Errorf("front matter: %v", err)
	}
	switch {
	case fm.ID == "":
		return Article{}, fmt.Errorf("front matter: id missing")
	case !idRE.MatchString(fm.ID):
		return Article{}, fmt.Errorf("front matter: id %q: want lower-case letters, digits, - and _", fm.ID)
	case strings.TrimSpace(fm.Title) == "":
		return Article{}, fmt.Errorf("front matter: title missing")
	}
	spoken := spokenText(body)
	if spoken == "" {
		return Article{}, fmt.Errorf("empty body")
	}
	return Article{ID: fm.ID, Title: strings.TrimSpace(fm.Title), Body: spoken, Path: name}, nil
}

// spokenText turns a Markdown body into one line to be spoken: headings and
// HTML comments (notes for authors) are dropped, list markers removed, and
// lines joined without a space unless both sides are ASCII words.
func spokenText(md string) string {
	var b strings.Builder
	inComment := false
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if inComment || strings.HasPrefix(line, "<!--") {
			inComment = !strings.Contains(line, "-->")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, marker := range []string{"- ", "* ", "+ "} {
			line = strings.TrimPrefix(line, marker)
		}
		if b.Len() > 0 && endsASCIIWord(b.String()) && startsASCIIWord(line) {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return b.String()
}

func endsASCIIWord(s string) bool {
	c := s[len(s)-1]
	return c < 0x80 && isASCIIWord(rune(c|0x20))
}

func startsASCIIWord(s string) bool {
	c := s[0]
	return c < 0x80 && isASCIIWord(rune(c|0x20))
}
