package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yuecall/yuecall/dialog/kbimport"
	"github.com/yuecall/yuecall/dialog/search"
)

const kbUsage = `usage: yuecall kb import --pack DIR [--replace] [--dry-run] FILE...   (.csv .md .docx .pdf)
       yuecall kb search [--pack P] QUERY`

// cmdKB runs `yuecall kb import` and `yuecall kb search`, tools for pack
// authors.
func cmdKB(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, kbUsage)
		return 2
	}
	switch args[0] {
	case "import":
		return kbImport(args[1:], stdout, stderr)
	case "search":
		return kbSearch(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "yuecall kb: unknown subcommand %q\n%s\n", args[0], kbUsage)
	return 2
}

// kbArgs parses flags placed before, between or after the
// positional arguments, which it returns.
func kbArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func kbImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kb import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pack := fs.String("pack", "", "pack directory to import into (required: the built-in packs are read-only)")
	var opt kbimport.Options
	fs.BoolVar(&opt.Replace, "replace", false, "replace articles whose id is already in the pack")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "check and report, write nothing")
	files, err := kbArgs(fs, args)
	if err != nil || len(files) == 0 {
		fmt.Fprintln(stderr, kbUsage)
		return 2
	}
	if *pack == "" {
		fmt.Fprintln(stderr, "yuecall kb import: --pack DIR is required: the built-in packs are compiled into yuecall and read-only; copy one (e.g. dialog/packs/bank) to a directory, import into it, and set dialog.pack to that directory")
		return 1
	}
	if st, err := os.Stat(*pack); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "yuecall kb import: --pack %s: not a directory (the built-in packs are read-only; import into a copy)\n", *pack)
		return 1
	}
	rep, err := kbimport.Import(*pack, files, opt)
	if err != nil {
		printImportError(stderr, err)
		return 1
	}
	printReport(stdout, *pack, rep, opt.DryRun)
	return 0
}

func printImportError(stderr io.Writer, err error) {
	var ie *kbimport.Error
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Fprintf(stderr, "yuecall kb import: %s\n", p)
		}
		fmt.Fprintf(stderr, "yuecall kb import: %d problem(s); nothing imported\n", len(ie.Problems))
		return
	}
	fmt.Fprintf(stderr, "yuecall kb import: %v\nnothing imported\n", err)
}

func printReport(stdout io.Writer, pack string, rep kbimport.Report, dry bool) {
	for _, g := range []struct {
		verb    string
		entries []kbimport.Entry
	}{{"added", rep.Added}, {"replaced", rep.Replaced}} {
		for _, e := range g.entries {
			fmt.Fprintf(stdout, "%-8s %-28s %s  (%s → %s)\n", g.verb, e.ID, e.Title, e.Source, e.Path)
		}
	}
	n := len(rep.Added) + len(rep.Replaced)
	if dry {
		fmt.Fprintf(stdout, "dry run: %d article(s) would be imported into %s (%d added, %d replaced); nothing written\n", n, pack, len(rep.Added), len(rep.Replaced))
		return
	}
	fmt.Fprintf(stdout, "imported %d article(s) into %s (%d added, %d replaced)\n", n, pack, len(rep.Added), len(rep.Replaced))
}

func kbSearch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kb search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pack := fs.String("pack", "bank", "pack: bank, property or a pack directory")
	k := fs.Int("n", 5, "how many hits to show")
	words, err := kbArgs(fs, args)
	if err != nil || len(words) == 0 {
		fmt.Fprintln(stderr, kbUsage)
		return 2
	}
	p, err := loadPack(*pack)
	if err != nil {
		fmt.Fprintln(stderr, "yuecall kb search:", err)
		return 1
	}
	var docs []search.Doc
	titles := map[string]string{}
	for _, a := range p.Articles() {
		docs = append(docs, search.Doc{ID: a.ID, Title: a.Title, Text: a.Body})
		titles[a.ID] = a.Title
	}
	query := strings.Join(words, " ")
	hits := search.New(docs).Search(query, *k)
	if len(hits) == 0 {
		fmt.Fprintf(stdout, "no article matches %q\n", query)
		return 0
	}
	for i, h := range hits {
		fmt.Fprintf(stdout, "%d. %-28s %6.2f  %s\n   %s\n", i+1, h.ID, h.Score, titles[h.ID], h.Snippet)
	}
	return 0
}
