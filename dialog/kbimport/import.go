package kbimport

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuecall/yuecall/dialog"
)

// Options change how Import treats existing articles.
type Options struct {
	// Replace lets an imported article replace the pack's article with the
	// same id; without it, such an id is an error.
	Replace bool
	// DryRun validates everything and reports what would change, writing
	// nothing.
	DryRun bool
}

// Report says what an import changed (or, with DryRun, would change).
type Report struct {
	Added    []Entry // sorted by id
	Replaced []Entry
}

// Entry is one imported article.
type Entry struct {
	ID, Title string
	Source    string // "file:line" it came from
	Path      string // where it is written, relative to the pack: kb/<id>.md
}

// maxFileSize bounds one input file.
const maxFileSize = 64 << 20

// idPattern is what an imported id must match (a subset of what packs allow).
var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Import reads files (.csv, .md/.markdown, .docx, .pdf), validates every
// article and, if all are good, writes them into packDir/kb as Markdown
// articles with front matter, all at once: the pack's kb/ is rebuilt in a
// temporary directory, the whole pack re-loaded from there with
// dialog.LoadPack, and only then swapped in; the installed pack is loaded
// once more and the old kb/ restored if that fails. On any problem it
// returns an *Error listing every bad row, section or file (file and line
// each) and writes nothing.
func Import(packDir string, files []string, opt Options) (Report, error) {
	pack, err := dialog.LoadPack(os.DirFS(packDir))
	if err != nil {
		return Report{}, fmt.Errorf("%w %s does not load before the import: %w", ErrPack, packDir, err)
	}
	if len(files) == 0 {
		return Report{}, &Error{Problems: []Problem{{File: packDir, Msg: "no files to import"}}}
	}
	var list []Problem
	var arts []article
	for _, f := range files {
		arts = append(arts, readSource(f, problems{file: f, list: &list})...)
	}
	existing := map[string]dialog.Article{}
	for _, a := range pack.Articles() {
		existing[a.ID] = a
	}
	rep := validate(arts, existing, opt, &list)
	if len(list) > 0 {
		return Report{}, &Error{Problems: list}
	}
	if opt.DryRun {
		return rep, nil
	}
	if err := install(packDir, arts, existing); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// readSource reads one file and parses it by its extension.
func readSource(name string, pr problems) []article {
	ext := strings.ToLower(filepath.Ext(name))
	parse := map[string]func([]byte, problems) []article{
		".csv": func(b []byte, pr problems) []article { return parseCSV(b, pr) },
		".md":  markdownBytes, ".markdown": markdownBytes,
		".docx": parseDocx,
		".pdf":  parsePDF,
	}[ext]
	if parse == nil {
		pr.add(0, "unsupported file type %q (want .csv, .md, .docx or .pdf)", ext)
		return nil
	}
	st, err := os.Stat(name)
	if err == nil && st.Size() > maxFileSize {
		err = fmt.Errorf("larger than %d MB", maxFileSize>>20)
	}
	var data []byte
	if err == nil {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		pr.add(0, "%v", err)
		return nil
	}
	if ext == ".csv" || ext == ".md" || ext == ".markdown" {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		if line, ok := invalidUTF8(data); !ok {
			pr.add(line, "not UTF-8 text (save the file as UTF-8)")
			return nil
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	return parse(data, pr)
}

func markdownBytes(b []byte, pr problems) []article { return parseMarkdown(string(b), pr) }

// invalidUTF8 reports whether data is valid UTF-8, else the line of the
// first bad byte.
func invalidUTF8(data []byte) (int, bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line, false
		}
		if r == '\n' {
			line++
		}
		data = data[n:]
	}
	return line, false
}

// validate checks every article and works out the report.
func validate(arts []article, existing map[string]dialog.Article, opt Options, list *[]Problem) Report {
	var rep Report
	seen := map[string]article{}
	for _, a := range arts {
		pr := problems{file: a.File, list: list}
		switch {
		case a.ID == "":
			pr.add(a.Line, "missing id")
			continue
		case !idPattern.MatchString(a.ID):
			pr.add(a.Line, "id %q: want lower-case letters, digits and single hyphens ([a-z0-9-]+)", a.ID)
			continue
		}
		if prev, dup := seen[a.ID]; dup {
			pr.add(a.Line, "duplicate id %q (also at %s:%d)", a.ID, prev.File, prev.Line)
			continue
		}
		seen[a.ID] = a
		if strings.TrimSpace(a.Title) == "" {
			pr.add(a.Line, "article %q: empty title", a.ID)
		}
		if strings.TrimSpace(a.Body) == "" {
			pr.add(a.Line, "article %q: empty answer", a.ID)
		}
		e := Entry{ID: a.ID, Title: a.Title, Source: fmt.Sprintf("%s:%d", a.File, a.Line), Path: "kb/" + a.ID + ".md"}
		if old, ok := existing[a.ID]; ok {
			if !opt.Replace {
				pr.add(a.Line, "id %q already in the pack (%s); use --replace to replace it", a.ID, old.Path)
				continue
			}
			rep.Replaced = append(rep.Replaced, e)
		} else {
			rep.Added = append(rep.Added, e)
		}
	}
	sort.Slice(rep.Added, func(i, j int) bool { return rep.Added[i].ID < rep.Added[j].ID })
	sort.Slice(rep.Replaced, func(i, j int) bool { return rep.Replaced[i].ID < rep.Replaced[j].ID })
	return rep
}
