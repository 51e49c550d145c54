package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyBankPack copies the bank pack's source directory for import tests.
func copyBankPack(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "dialog", "packs", "bank")
	dst := filepath.Join(t.TempDir(), "bank")
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func runKB(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"kb"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestKBImportAndSearch(t *testing.T) {
	pack := copyBankPack(t)
	csv := filepath.Join(t.TempDir(), "faq.csv")
	if err := os.WriteFile(csv, []byte("\ufeffid,title,answer\nfps-receive,轉數快收款,\"用轉數快收錢，俾對方你登記咗嘅手機號碼就得。\n收款唔使手續費。\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runKB(t, "import", "--pack", pack, "--dry-run", csv)
	if code != 0 || !strings.Contains(out, "added    fps-receive") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(pack, "kb", "fps-receive.md")); err == nil {
		t.Fatal("dry run wrote the article")
	}
	// Flags after the file are accepted too.
	code, out, errOut = runKB(t, "import", csv, "--pack", pack)
	if code != 0 || !strings.Contains(out, "imported 1 article(s)") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runKB(t, "search", "--pack", pack, "轉數快收錢要唔要手續費")
	if code != 0 || !strings.HasPrefix(out, "1. fps-receive") || !strings.Contains(out, "用轉數快收錢") {
		t.Fatalf("search: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runKB(t, "import", "--pack", pack, csv)
	if code != 1 || out != "" {
		t.Fatalf("re-import without --replace: exit %d, stdout %q", code, out)
	}
	code, out, errOut = runKB(t, "import", "--pack", pack, "--replace", csv)
	if code != 0 || !strings.Contains(out, "replaced fps-receive") {
		t.Fatalf("--replace: exit %d\n%s%s", code, out, errOut)
	}
}

func TestKBImportErrors(t *testing.T) {
	pack := copyBankPack(t)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("id,title,answer\n,冇id,答案\nok-one,好,\ncard-lost,撞,答案\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(filepath.Join(pack, "kb"))
	code, out, errOut := runKB(t, "import", "--pack", pack, bad)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"bad.csv:2: missing id", `bad.csv:3: article "ok-one": empty answer`, `bad.csv:4: id "card-lost" already in the pack`, "3 problem(s); nothing imported"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	after, _ := os.ReadDir(filepath.Join(pack, "kb"))
	if len(after) != len(before) {
		t.Errorf("kb/ changed: %d files, was %d", len(after), len(before))
	}
	if code, _, errOut := runKB(t, "import", bad); code != 1 || !strings.Contains(errOut, "read-only") {
		t.Errorf("without --pack: exit %d, %s", code, errOut)
	}
	if code, _, _ := runKB(t, "import", "--pack", pack); code != 2 {
		t.Errorf("no files: exit %d, want 2", code)
	}
	if code, _, _ := runKB(t, "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}

func TestKBSearchBuiltin(t *testing.T) {
	code, out, errOut := runKB(t, "search", "我張卡唔見咗點算")
	if code != 0 || !strings.HasPrefix(out, "1. card-lost") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runKB(t, "search", "今日天氣好好")
	if code != 0 || !strings.HasPrefix(out, "no article matches") {
		t.Fatalf("unrelated: exit %d\n%s", code, out)
	}
}
