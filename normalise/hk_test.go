package normalise

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

func TestToHK(t *testing.T) {
	tests := []struct{ in, want string }{
		// Simplified recogniser output.
		{"户口结余", "戶口結餘"},
		{"转人工", "轉人工"},
		{"信用卡唔见咗", "信用卡唔見咗"},
		{"我想查询余额", "我想查詢餘額"},
		{"我想查询户口余额", "我想查詢戶口餘額"},
		{"几多钱", "幾多錢"},
		{"点解张卡用唔到", "點解張卡用唔到"},
		{"我想转账俾我朋友", "我想轉賬俾我朋友"},
		{"头发", "頭髮"},
		{"干净", "乾淨"},
		{"后面", "後面"},
		{"这里", "這裏"},
		{"面包", "麵包"},
		{"台湾", "台灣"},
		{"说话", "說話"},
		{"为什么", "為什麼"},
		// Cantonese copula written 系 by the recogniser.
		{"系唔系", "係唔係"},
		{"我系李先生", "我係李先生"},
		{"唔系呀", "唔係呀"},
		{"关系", "關係"},
		{"系统", "系統"},
		// Cantonese characters Hong Kong writes as they are.
		{"唔该晒", "唔該晒"},
		{"等我睇吓", "等我睇吓"},
		{"喂你好", "喂你好"},
		{"唔好郁", "唔好郁"},
		{"恒生银行", "恒生銀行"},
		// Traditional text is unchanged.
		{"關係", "關係"},
		{"我係", "我係"},
		{"戶口結餘", "戶口結餘"},
		{"乾淨", "乾淨"},
		{"頭髮", "頭髮"},
		{"我想查詢戶口餘額", "我想查詢戶口餘額"},
		{"佢哋喺度排隊，我過去睇吓先", "佢哋喺度排隊，我過去睇吓先"},
		{"裏面", "裏面"},
		{"裡面", "裡面"},
		// Mixed text: only the Simplified-only characters change.
		{"戶口余额", "戶口餘額"},
		{"我哋嘅时候", "我哋嘅時候"},
		// Non-Han text passes through.
		{"", ""},
		{"OK", "OK"},
		{"HK$3,500", "HK$3,500"},
		{"A123456(3)", "A123456(3)"},
	}
	for _, tt := range tests {
		if got := ToHK(tt.in); got != tt.want {
			t.Errorf("ToHK(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestToHKTraditionalIdentity runs real Hong Kong text (Common Voice zh-HK and
// HKCanCor samples in testdata, plus the full shared corpora when the
// checkout has them) through ToHK and requires at least 99% to be unchanged.
func TestToHKTraditionalIdentity(t *testing.T) {
	files := []string{"testdata/cv-zh-HK-sample.txt", "testdata/hkcancor-sample.txt"}
	for _, f := range []string{
		"../../shared/data/cv-zh-HK-sentences.txt",
		"../../shared/data/hkcancor-utterances.txt",
		"../../shared/data/cv-yue-sentences.txt",
	} {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	for _, f := range files {
		lines := readLines(t, f)
		var changed int
		for _, l := range lines {
			if got := ToHK(l); got != l {
				changed++
				if changed <= 40 {
					t.Logf("%s: %q -> %q", f, l, got)
				}
			}
		}
		rate := 1 - float64(changed)/float64(len(lines))
		t.Logf("%s: %d lines, %d changed, %.2f%% unchanged", f, len(lines), changed, 100*rate)
		if len(lines) < 300 {
			t.Errorf("%s: only %d lines", f, len(lines))
		}
		if rate < 0.99 {
			t.Errorf("%s: %.2f%% unchanged, want >= 99%%", f, 100*rate)
		}
	}
}

// TestToHKIdempotentOnDictionary converts every dictionary key and value
// twice; the second conversion must not change anything.
func TestToHKIdempotentOnDictionary(t *testing.T) {
	d := dict()
	check := func(s string) {
		once := ToHK(s)
		if twice := ToHK(once); twice != once {
			t.Errorf("ToHK not idempotent: %q -> %q -> %q", s, once, twice)
		}
	}
	for k, v := range d.phrases {
		check(k)
		check(v)
	}
	for k, v := range d.chars {
		check(string(k))
		check(string(v))
		check("我" + string(k) + "呀")
	}
	for k, v := range d.hk {
		check(string(k))
		check(string(v))
	}
}

func TestLoadTime(t *testing.T) {
	Preload()
	Preload()
	if dict() == nil {
		t.Fatal("Preload left no tables")
	}
	start := time.Now()
	tb := buildTables()
	elapsed := time.Since(start)
	t.Logf("built s2hk tables in %v: %d phrases, %d chars, %d HK variants, %d classified chars",
		elapsed, len(tb.phrases), len(tb.chars), len(tb.hk), len(tb.class))
	if len(tb.phrases) < 49000 || len(tb.chars) < 3800 || len(tb.hk) < 40 {
		t.Errorf("tables too small: %d phrases, %d chars, %d hk", len(tb.phrases), len(tb.chars), len(tb.hk))
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return lines
}

func BenchmarkToHK(b *testing.B) {
	dict()
	b.ReportAllocs()
	for b.Loop() {
		ToHK("我想查询户口结余同埋信用卡还款")
	}
}

func BenchmarkBuildTables(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildTables()
	}
}
