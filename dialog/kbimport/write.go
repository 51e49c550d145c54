package kbimport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yuecall/yuecall/dialog"
)

// install writes arts into packDir/kb all at once (see Import).
func install(packDir string, arts []article, existing map[string]dialog.Article) (err error) {
	unlock, err := lock(packDir)
	if err != nil {
		return err
	}
	defer unlock()
	stage, err := os.MkdirTemp(packDir, ".kbimport-")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPack, err)
	}
	defer os.RemoveAll(stage)
	// The staged pack: a copy of packDir (without staging directories) with
	// the new kb/.
	if err := copyTree(packDir, filepath.Join(stage, "pack")); err != nil {
		return fmt.Errorf("%w: copying %s: %v", ErrPack, packDir, err)
	}
	newKB := filepath.Join(stage, "pack", "kb")
	if err := writeArticles(newKB, arts, existing); err != nil {
		return fmt.Errorf("%w: %v", ErrPack, err)
	}
	if _, err := dialog.LoadPack(os.DirFS(filepath.Join(stage, "pack"))); err != nil {
		return fmt.Errorf("%w: the imported articles would not load, nothing written: %w", ErrPack, err)
	}
	return swap(packDir, newKB, filepath.Join(stage, "kb.old"))
}

// lockName is created in the pack while an import runs there.
const lockName = ".kbimport.lock"

// lock makes sure that only one import writes to packDir at a time.
func lock(packDir string) (func(), error) {
	name := filepath.Join(packDir, lockName)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: another import is running in %s (if not, remove %s)", ErrPack, packDir, name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPack, err)
	}
	_ = f.Close()
	return func() { _ = os.Remove(name) }, nil
}

// swap moves newKB into packDir/kb, keeping the old one at oldKB until the
// installed pack has loaded; on failure the old kb/ is put back.
func swap(packDir, newKB, oldKB string) error {
	kb := filepath.Join(packDir, "kb")
	hadKB := true
	if err := os.Rename(kb, oldKB); errors.Is(err, fs.ErrNotExist) {
		hadKB = false
	} else if err != nil {
		return fmt.Errorf("%w: %v", ErrPack, err)
	}
	restore := func() {
		_ = os.RemoveAll(kb)
		if hadKB {
			_ = os.Rename(oldKB, kb)
		}
	}
	if err := os.Rename(newKB, kb); err != nil {
		restore()
		return fmt.Errorf("%w: %v (pack unchanged)", ErrPack, err)
	}
	if _, err := dialog.LoadPack(os.DirFS(packDir)); err != nil {
		restore()
		return fmt.Errorf("%w: the pack did not load after the import, rolled back: %w", ErrPack, err)
	}
	return nil
}

// writeArticles writes each article as kb/<id>.md, removing the file of an
// article it replaces.
func writeArticles(kb string, arts []article, existing map[string]dialog.Article) error {
	if err := os.MkdirAll(kb, 0o755); err != nil {
		return err
	}
	for _, a := range arts {
		if old, ok := existing[a.ID]; ok {
			if err := os.Remove(filepath.Join(kb, filepath.Base(old.Path))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	for _, a := range arts {
		name := filepath.Join(kb, a.ID+".md")
		if _, err := os.Stat(name); err == nil {
			return fmt.Errorf("%s:%d: %s exists and holds another article", a.File, a.Line, filepath.Join("kb", a.ID+".md"))
		}
		if err := os.WriteFile(name, render(a), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render writes an article in the pack's format: front matter (id, title),
// a note for authors with its source and keywords, then the answer.
func render(a article) []byte {
	fm, _ := yaml.Marshal(struct {
		ID    string `yaml:"id"`
		Title string `yaml:"title"`
	}{a.ID, a.Title})
	var b strings.Builder
	b.WriteString("---\n")
	b.Write(fm)
	b.WriteString("---\n")
	note := fmt.Sprintf("imported from %s:%d", filepath.Base(a.File), a.Line)
	if len(a.Keywords) > 0 {
		note += "; keywords: " + strings.Join(a.Keywords, ", ")
	}
	// The note is one line that cannot close the comment early.
	note = strings.NewReplacer("\n", " ", "--", "- -").Replace(note)
	fmt.Fprintf(&b, "<!-- %s -->\n", note)
	b.WriteString(strings.TrimSpace(a.Body))
	b.WriteString("\n")
	return []byte(b.String())
}

// copyTree copies the regular files under src to dst, skipping staging
// directories of other imports.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && strings.HasPrefix(d.Name(), ".kbimport-") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
		return nil
	})
}
