package kbimport

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/dialog"
)

func ids(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func loadPack(t *testing.T, dir string) *dialog.Pack {
	t.Helper()
	p, err := dialog.LoadPack(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func guideDocx(t *testing.T) string {
	return writeFile(t, t.TempDir(), "guide.docx", makeDocx(t, []para{
		{"Title", "客戶指南"},
		{"Heading2", "網上理財密碼 {#online-password}"},
		{"", "忘記咗網上理財密碼，可以喺App撳「忘記密碼」，"},
		{"", "用手機收到嘅一次性密碼重設。"},
		{"Heading2", "夾萬租用"},
		{"", "夾萬要親身去分行申請，租金按尺寸計。"},
	}))
}

func TestImportCSVMarkdownDocx(t *testing.T) {
	dir := copyPack(t)
	before := len(loadPack(t, dir).Articles())
	files := []string{"testdata/good.csv", "testdata/articles.md", "testdata/one.md", guideDocx(t)}
	rep, err := Import(dir, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"change-address", "cheque-deposit", "din-zi-git-daan", "fps-receive", "gaap-maan-zou-jung", "online-password", "overseas-atm"}
	if got := ids(rep.Added); !slices.Equal(got, want) || len(rep.Replaced) != 0 {
		t.Fatalf("added %v replaced %v, want added %v", got, ids(rep.Replaced), want)
	}
	p := loadPack(t, dir)
	if got := len(p.Articles()); got != before+len(want) {
		t.Errorf("pack has %d articles, want %d", got, before+len(want))
	}
	tests := []struct{ id, title, body string }{
		{"fps-receive", "轉數快收款", "用轉數快收錢，你只要俾對方你登記咗嘅手機號碼或者電郵。收款唔使手續費，全日二十四小時都得。"},
		{"overseas-atm", "海外使用提款卡", "出發之前喺App嘅「卡管理」開啟海外提款功能，就可以喺有銀聯或者Plus標誌嘅櫃員機攞錢。"},
		{"din-zi-git-daan", "電子結單", "你可以喺App揀「電子結單」，以後月結單就會send去你嘅電郵。"},
		{"cheque-deposit", "入票", "你可以喺任何一間分行嘅入票機入票，或者用App影低張支票入票。"},
		{"online-password", "網上理財密碼", "忘記咗網上理財密碼，可以喺App撳「忘記密碼」，用手機收到嘅一次性密碼重設。"},
		{"gaap-maan-zou-jung", "夾萬租用", "夾萬要親身去分行申請，租金按尺寸計。"},
	}
	for _, tt := range tests {
		a, ok := p.Article(tt.id)
		if !ok || a.Title != tt.title || a.Body != tt.body {
			t.Errorf("article %s = %+v, want title %q body %q", tt.id, a, tt.title, tt.body)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kb", "fps-receive.md"))
	if err != nil || !strings.Contains(string(raw), "keywords: 轉數快, FPS") || !strings.HasPrefix(string(raw), "---\nid: fps-receive\n") {
		t.Errorf("fps-receive.md = %q, %v", raw, err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".kbimport-*")); len(entries) != 0 {
		t.Errorf("staging left behind: %v", entries)
	}
}

func TestImportPDF(t *testing.T) {
	dir := copyPack(t)
	rep, err := Import(dir, []string{"testdata/faq.pdf"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(rep.Added); !slices.Equal(got, []string{"change-address", "fps-receive"}) {
		t.Fatalf("added %v", got)
	}
	a, _ := loadPack(t, dir).Article("fps-receive")
	want := "用轉數快（FPS）收錢，你只要俾對方你登記咗嘅手機號碼或者電郵，錢就會即時入你嘅戶口。收款唔使手續費，全日二十四小時都得；如果對方話過咗數但你未收到，可以喺App嘅交易紀錄度查吓。"
	if a.Title != "轉數快收款" || a.Body != want {
		t.Errorf("fps-receive = %+v", a)
	}
}

func TestImportErrorsWriteNothing(t *testing.T) {
	dir := copyPack(t)
	before := snapshot(t, dir)
	latin1 := writeFile(t, t.TempDir(), "latin1.csv", []byte("id,title,answer\nx,caf\xe9,y\n"))
	notZip := writeFile(t, t.TempDir(), "broken.docx", []byte("PK not really"))
	notPDF := writeFile(t, t.TempDir(), "broken.pdf", []byte("%PDF-1.4 garbage"))
	stray := writeFile(t, t.TempDir(), "stray.md", []byte("開頭冇標題嘅字\n\n## 標題 {#ok-one}\n內容\n"))
	files := []string{"testdata/good.csv", "testdata/bad.csv", latin1, notZip, notPDF, stray, "testdata/notes.txt"}
	_, err := Import(dir, files, Options{})
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want *Error", err)
	}
	wantFragments := []string{
		"testdata/bad.csv:2: missing id",
		`testdata/bad.csv:3: id "Bad_ID"`,
		`testdata/bad.csv:4: article "no-answer": empty answer`,
		`testdata/bad.csv:5: duplicate id "fps-receive" (also at testdata/good.csv:2)`,
		`testdata/bad.csv:6: duplicate id "fps-receive"`,
		`testdata/bad.csv:7: id "card-lost" already in the pack (kb/card-lost.md); use --replace`,
		"latin1.csv:2: not UTF-8",
		"broken.docx: not a readable .docx",
		"broken.pdf: not a readable PDF",
		"stray.md:1: text outside any article",
		`testdata/notes.txt: unsupported file type ".txt"`,
	}
	msg := err.Error()
	for _, w := range wantFragments {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if len(ie.Problems) != len(wantFragments) {
		t.Errorf("%d problems, want %d:\n%s", len(ie.Problems), len(wantFragments), msg)
	}
	if !sameTree(before, snapshot(t, dir)) {
		t.Error("the pack changed although the import failed")
	}
}

func TestImportReplaceAndDryRun(t *testing.T) {
	dir := copyPack(t)
	src := writeFile(t, t.TempDir(), "new.csv", []byte("id,title,answer\ncard-lost,遺失卡,打去熱線報失。\nnew-one,新文章,新內容。\n"))
	before := snapshot(t, dir)
	rep, err := Import(dir, []string{src}, Options{Replace: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(rep.Added), []string{"new-one"}) || !slices.Equal(ids(rep.Replaced), []string{"card-lost"}) {
		t.Fatalf("dry run report %+v", rep)
	}
	if !sameTree(before, snapshot(t, dir)) {
		t.Fatal("dry run wrote to the pack")
	}
	if _, err := Import(dir, []string{src}, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("without Replace: %v, want ErrInvalid", err)
	}
	if _, err := Import(dir, []string{src}, Options{Replace: true}); err != nil {
		t.Fatal(err)
	}
	a, _ := loadPack(t, dir).Article("card-lost")
	if a.Body != "打去熱線報失。" || a.Title != "遺失卡" {
		t.Errorf("card-lost after replace = %+v", a)
	}
}

// TestImportRollsBackWhenPackWouldNotLoad: an answer that passes the
// importer's checks but renders to nothing (only a heading) is caught by
// loading the staged pack.
func TestImportRollsBackWhenPackWouldNotLoad(t *testing.T) {
	dir := copyPack(t)
	before := snapshot(t, dir)
	src := writeFile(t, t.TempDir(), "heading.csv", []byte("id,title,answer\nonly-heading,標題,\"# 淨係標題\"\n"))
	_, err := Import(dir, []string{src}, Options{})
	if !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), "only-heading") {
		t.Fatalf("err = %v, want ErrPack naming the article", err)
	}
	if !sameTree(before, snapshot(t, dir)) {
		t.Error("the pack changed although the import failed")
	}
}

func TestImportBadPack(t *testing.T) {
	if _, err := Import(t.TempDir(), []string{"testdata/good.csv"}, Options{}); !errors.Is(err, ErrPack) {
		t.Fatalf("err = %v, want ErrPack", err)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"分行營業時間": "fan-hong-jing-jip-si-gaan", "ATM 提款": "atm-tai-fun", "": "", "！！": ""} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImportLocked(t *testing.T) {
	dir := copyPack(t)
	if err := os.WriteFile(filepath.Join(dir, lockName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := Import(dir, []string{"testdata/one.md"}, Options{})
	if !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), "another import") {
		t.Fatalf("err = %v, want another import running", err)
	}
	if !sameTree(before, snapshot(t, dir)) {
		t.Error("the pack changed")
	}
	os.Remove(filepath.Join(dir, lockName))
	if _, err := Import(dir, []string{"testdata/one.md"}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, lockName)); err == nil {
		t.Error("lock left behind")
	}
}
