package search_test

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/yuecall/yuecall/dialog/search"
)

func TestBankRetrieval(t *testing.T) {
	ix := search.New(bankDocs(t))
	tests := []struct{ query, want string }{
		{"我張卡唔見咗點算", "card-lost"},
		{"我張咔唔見咗", "card-lost"},               // ASR homophone: 咔 for 卡 (kaa1)
		{"分行幾點開閂", "branch-hours"},            // 開閂: colloquial for opening hours
		{"我想茶戶口結餘", "account-verification"},   // ASR homophone: 茶 for 查 (caa4)
		{"點樣睇返我戶口結魚", "account-verification"}, // 魚 for 餘 (jyu4)
		{"分行幾點開門", "branch-hours"},
		{"星期六開唔開", "branch-hours"},
		{"點樣睇返我戶口結餘", "account-verification"},
		{"我想提高信用額", "card-limit"},
		{"我想問下按揭", "mortgage-repayment"},
		{"mortgage點樣提早還款", "mortgage-repayment"}, // code-mixed
		{"credit card 唔見咗", "card-lost"},
		{"我想睇下App嘅transaction record", "transaction-history"},
		{"branch幾點開", "branch-hours"},
		{"我张卡唔见咗", "card-lost"}, // Simplified
		{"张卡丢咗", "card-lost"},
		{"ＡＰＰ 點樣凍結張卡", "card-lost"}, // full-width
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, 3)
		if len(hits) == 0 || hits[0].ID != tt.want {
			t.Errorf("Search(%q) = %v, want %s first", tt.query, hits, tt.want)
			continue
		}
		if hits[0].Snippet == "" || hits[0].Score <= 0 {
			t.Errorf("Search(%q): empty snippet or score: %+v", tt.query, hits[0])
		}
	}
}

func TestHomophoneNeedsSyllables(t *testing.T) {
	// 咔 for 卡 (both kaa1) loses the character bigrams but keeps the
	// syllable bigrams: found, with a lower score.
	ix := search.New(bankDocs(t))
	right, homo := ix.Search("張卡唔見咗", 1), ix.Search("張咔唔見咗", 1)
	if len(right) == 0 || len(homo) == 0 || homo[0].Score >= right[0].Score {
		t.Fatalf("right %v, homophone %v: want both found, homophone lower", right, homo)
	}
}

func TestSnippet(t *testing.T) {
	ix := search.New(bankDocs(t))
	hits := ix.Search("星期日開唔開門", 1)
	if len(hits) == 0 || !strings.Contains(hits[0].Snippet, "星期日") || strings.Contains(hits[0].Snippet, "\n") {
		t.Fatalf("hits = %v, want the opening-hours sentence", hits)
	}
}

func TestUnrelatedReturnsNothing(t *testing.T) {
	ix := search.New(bankDocs(t))
	for _, q := range []string{"今日天氣好好", "你食咗飯未", "我想訂枱", "唔該", "你好", "", "，。？", "hello world", "噉你想點吖"} {
		if hits := ix.Search(q, 3); len(hits) != 0 {
			t.Errorf("Search(%q) = %v, want nothing", q, hits)
		}
	}
}

// TestCorpusFalsePositives runs everyday Cantonese sentences (HKCanCor)
// against the bank articles: almost none should retrieve an article.
func TestCorpusFalsePositives(t *testing.T) {
	f, err := os.Open("/work/shared/data/hkcancor-utterances.txt")
	if err != nil {
		t.Skip("corpus not available:", err)
	}
	defer f.Close()
	ix := search.New(bankDocs(t))
	n, fp := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() && n < 5000 {
		if len(sc.Text()) < 12 {
			continue
		}
		n++
		if len(ix.Search(sc.Text(), 1)) > 0 {
			fp++
		}
	}
	t.Logf("%d of %d HKCanCor utterances retrieved an article", fp, n)
	if float64(fp) > 0.01*float64(n) {
		t.Errorf("%d of %d everyday sentences retrieved an article, want under 1%%", fp, n)
	}
}

func TestEmptyIndexAndK(t *testing.T) {
	if hits := search.New(nil).Search("張卡唔見咗", 3); hits != nil {
		t.Errorf("empty index: %v", hits)
	}
	ix := search.New(bankDocs(t))
	if hits := ix.Search("張卡唔見咗", 0); hits != nil {
		t.Errorf("k=0: %v", hits)
	}
	if hits := ix.Search("信用卡", 2); len(hits) > 2 {
		t.Errorf("k=2: %d hits", len(hits))
	}
}

func TestConcurrent(t *testing.T) {
	ix := search.New(bankDocs(t))
	want := ix.Search("我張卡唔見咗", 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := ix.Search("我張卡唔見咗", 1); len(got) != 1 || got[0] != want[0] {
					t.Errorf("concurrent search: %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	ix := search.New(bankDocs(t))
	ix.Search("我張卡唔見咗點算", 3)
	if n := testing.AllocsPerRun(200, func() { ix.Search("信用卡", 3) }); n > 1 {
		t.Errorf("Search: %v allocs per query, want at most 1 (the result)", n)
	}
	if n := testing.AllocsPerRun(200, func() { ix.Search("今日天氣好好", 3) }); n > 0 {
		t.Errorf("Search without hits: %v allocs, want 0", n)
	}
}

func FuzzSearch(f *testing.F) {
	ix := search.New(bankDocs(f))
	for _, s := range []string{"我張卡唔見咗", "ＡＴＭ", "\xff\xfe", "credit card", "银行"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, h := range ix.Search(q, 3) {
			if h.ID == "" || h.Score <= 0 {
				t.Fatalf("bad hit %+v for %q", h, q)
			}
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	ix := search.New(bankDocs(b))
	queries := []string{"我張卡唔見咗點算", "分行星期六幾點開門", "我想check下我嘅transaction record", "今日天氣好好"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(queries[i%len(queries)], 3)
		i++
	}
}
