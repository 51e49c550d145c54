package spoken

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzText(f *testing.F) {
	for _, tc := range textCases {
		f.Add(tc.in, false, false)
	}
	f.Add("你張卡尾號 **** 1234，利率2.5%，+852 9123 4567", true, true)
	f.Add("A123456(3) HK$3,500.50 下午2:30-5:45pm 2026-03-05", true, false)
	f.Fuzz(func(t *testing.T, s string, breaks, li bool) {
		if !utf8.ValidString(s) {
			return
		}
		opt := Options{Breaks: breaks}
		if li {
			opt.RateUnit = RateLi
		}
		got := Text(s, opt)
		if strings.ContainsAny(got, "*＊") {
			t.Fatalf("Text(%q) = %q keeps a mask", s, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q is not UTF-8", s, got)
		}
		if again := Text(got, opt); again != got {
			t.Fatalf("not idempotent: Text(%q) = %q, then %q", s, got, again)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("你好。我想查詢結餘！Hello. 3.5", 8)
	f.Add("一二"+BreakTag+"三四，五六、七八 九十", 3)
	f.Add("。。「」", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if !utf8.ValidString(s) {
			return
		}
		max %= 200
		chunks := Split(s, max)
		for _, c := range chunks {
			if strings.TrimSpace(c) == "" {
				t.Fatalf("Split(%q, %d) has an empty chunk: %q", s, max, chunks)
			}
		}
		if strip(strings.Join(chunks, "")) != strip(s) {
			t.Fatalf("Split(%q, %d) = %q loses text", s, max, chunks)
		}
	})
}
