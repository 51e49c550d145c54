package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzText(f *testing.F) {
	seeds := []string{
		"A123456(3)", "A123456(7)", "AB9876543", "A1234567", "身份證A1234567",
		"我嘅身份證係A一二三四五六括號三", "a 123456 括號 3", "身份證號碼係 Y 六五四三二一 括號 A",
		"4111 1111 1111 1111", "4111 1111 1111 1234", "012-345678-001", "004-123-456789-001",
		"+852 9123 4567", "(852) 2123-4567", "00852 6123 4567", "九一二三，四五六七", "幺幺零八五六七八",
		"chan.tm@example.com", "HK$1,234,567.89", "HK$12,345,678", "2026年3月5號", "下晝3點半",
		"尾號1234", "2026-03-05", "A123456A 1234567", "1234567 8@x.com", "u@a.bc12345678",
		"A一二三四五六七abc@x.com", "9123 45678901@x.com", "K一二三四五六(七)", "85221234567",
		"id@x.com A1234567", "身份證 abcdefghijklmnop@x.com A1234567", "八六,八二,八三,八四", "9123\xff4567", "",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(checkText)
}

// FuzzTextAlphabet builds inputs from the pieces that matter to the masker
// (digits in three scripts, HKID letters, cues and brackets, separators,
// e-mail punctuation, masks), which random bytes rarely hit together.
func FuzzTextAlphabet(f *testing.F) {
	alphabet := []string{"1", "8", "5", "2", "0", "九", "兩", "９", "A", "B", "c", "o", "m",
		" ", "-", "(", ")", "（", "）", "@", ".", "*", "+", "號", "\u3000", "年",
		",", "，", "括號", "閂括號", "身份證", "ID", "幺", "3", "a", "\xff",
		"abcdefghijklmnop", "x@y.hk", "七"}
	for _, seed := range [][]byte{
		{0, 1, 2, 3, 0, 1, 2, 3}, {8, 0, 1, 2, 3, 4, 5, 6, 15, 0, 16},
		{3, 2, 3, 4, 0, 1, 2, 3, 4, 19, 10, 11, 20, 12}, {30, 8, 0, 3, 33, 0, 3, 33, 28, 3},
		{31, 13, 8, 0, 1, 2, 3, 4, 5, 28, 6, 29}, {0, 0, 0, 26, 0, 0, 0, 26, 0, 0, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, picks []byte) {
		var b strings.Builder
		for _, p := range picks {
			b.WriteString(alphabet[int(p)%len(alphabet)])
		}
		checkText(t, b.String())
	})
}

// FuzzValidHKID checks that ValidHKID never panics and that Text masks
// every digit of a number it accepts.
func FuzzValidHKID(f *testing.F) {
	for _, s := range []string{"A123456(3)", "Z683365A", "AB9876543", "Ｃ１２３４５６（９）", "A123456(7)", "", "A1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidHKID(s) {
			return
		}
		if out := Text(s); longestDigitRun(out) > 0 {
			t.Fatalf("ValidHKID(%q) but Text left digits: %q", s, out)
		}
	})
}

// checkText asserts the properties Text promises for any input.
func checkText(t *testing.T, s string) {
	out := Text(s)
	if !utf8.ValidString(out) {
		t.Fatalf("Text(%q) produced invalid UTF-8 %q", s, out)
	}
	if again := Text(out); again != out {
		t.Fatalf("not idempotent:\n in  %q\n out %q\n out2 %q", s, out, again)
	}
	if n := longestDigitRun(out); n >= minRun {
		t.Fatalf("Text(%q) = %q keeps %d consecutive digits", s, out, n)
	}
	if strings.Count(out, "@") != strings.Count(s, "@") {
		t.Fatalf("Text(%q) = %q changed the number of @", s, out)
	}
}
