package redact

import (
	"testing"
	"unicode"
)

// TestIsDigitFastPath checks the CJK shortcut in isDigit against the
// Unicode tables for every rune it covers.
func TestIsDigitFastPath(t *testing.T) {
	for r := rune(noNdFrom); r < noNdTo; r++ {
		if want := unicode.IsDigit(r) || chineseDigit(r) >= 0; isDigit(r) != want {
			t.Fatalf("isDigit(%U) = %v, want %v", r, !want, want)
		}
	}
}
