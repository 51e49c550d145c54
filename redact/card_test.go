package redact

import "testing"

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},
		{"4111 1111 1111 1111", true},
		{"4111-1111-1111-1111", true},
		{"5500000000000004", true},
		{"378282246310005", true},
		{"6212345678901234569", true},
		{"4222222222222", true},
		{"４０１２８８８８８８８８１８８１", true},
		{"四零零零一二三四五六七八九零一七", true},
		{"79927398713", true},
		{"00", true},
		{"4111111111111112", false},
		{"4111111111111234", false},
		{"6212345678901234567", false},
		{"79927398710", false},
		{"", false},
		{"0", false},
		{"4111 1111 1111 111x", false},
		{"4111.1111.1111.1111", false},
	}
	for _, tc := range tests {
		if got := Luhn(tc.in); got != tc.want {
			t.Errorf("Luhn(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
