package redact

import "testing"

func TestValidHKID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A123456(3)", true},
		{"A1234563", true},
		{"a123456(3)", true},
		{"AB123456(9)", true},
		{"AB9876543", true},
		{"AB987654(3)", true},
		{"Z683365(A)", true},
		{"Z683365A", true},
		{"Z683365a", true},
		{"C123456（9）", true},
		{"Ｃ１２３４５６（９）", true},
		{"G123456[A]", true},
		{"K123456(0)", true},
		{"XA000000(8)", true},
		{"Y一二三四五六(七)", false},
		{"Y六五四三二一(七)", true},
		{"  W000000(3)  ", true},
		// Wrong check digits.
		{"A123456(7)", false},
		{"A1234567", false},
		{"AB1234567", false},
		{"Z683365(0)", false},
		{"K123456(A)", false},
		// Malformed.
		{"", false},
		{"A123456", false},
		{"123456(3)", false},
		{"ABC123456(3)", false},
		{"A12345(3)", false},
		{"A1234563(3)", false},
		{"A123456(3", false},
		{"A123456(33)", false},
		{"A123456 (3)", false},
		{"A123456(B)", false},
		{"A123456(3)x", false},
		{"\xff123456(3)", false},
	}
	for _, tc := range tests {
		if got := ValidHKID(tc.in); got != tc.want {
			t.Errorf("ValidHKID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTextHKID(t *testing.T) {
	runText(t, []textCase{
		// Valid check digit: always masked.
		{"bracketed", "我身份證係A123456(3)", "我身份證係A******(*)"},
		{"bare", "A1234563", "A*******"},
		{"two letters", "AB9876543", "AB*******"},
		{"check A bare", "Z683365A唔該", "Z*******唔該"},
		{"check A spaced", "Z683365 A", "Z****** *"},
		{"check A bracketed", "G123456(A)", "G******(*)"},
		{"full-width brackets", "C123456（9）", "C******（*）"},
		{"square brackets", "C123456[9]", "C******[*]"},
		{"spaced groups", "A 123 456 (3)", "A *** *** (*)"},
		{"lowercase", "a123456(3)", "a******(*)"},
		{"in english", "my number is K1234560 thanks", "my number is K******* thanks"},
		// Wrong check digit, bracketed: masked anyway.
		{"wrong bracketed", "A123456(7)", "A******(*)"},
		{"wrong bracketed A", "K123456(A)", "K******(*)"},
		// Wrong check digit after an ID cue: masked.
		{"cue 身份證", "身份證號碼 A1234567", "身份證號碼 A*******"},
		{"cue 身分證", "身分證A1234567", "身分證A*******"},
		{"cue ID", "ID: AB1234567", "ID: AB*******"},
		{"cue id lower", "my id is a1234567", "my id is a*******"},
		{"cue HKID", "HKID R1234567 thanks", "HKID R******* thanks"},
		{"cue no check", "身份證G123456", "身份證G******"},
		{"cue far", "身份證號碼我要搵下先，係A1234567", "身份證號碼我要搵下先，係A*******"},
		// Wrong check digit, no cue: a product code, digit rules keep it.
		{"product code", "型號A1234567", "型號A1234567"},
		{"cue inside word", "valid A1234567", "valid A1234567"},
		{"cue too far", "身份證我已經俾咗你，你而家再問型號A1234567", "身份證我已經俾咗你，你而家再問型號A1234567"},
		{"three letters", "ABC1234563", "ABC1234563"},
		{"letter after", "A1234563B", "A1234563B"},
	})
}

func TestTextSpokenHKID(t *testing.T) {
	runText(t, []textCase{
		{"chinese digits 括號", "我嘅身份證係A一二三四五六括號三", "我嘅身份證係A******括號*"},
		{"no cue, valid", "A一二三四五六括號三", "A******括號*"},
		{"ascii 括號", "a 123456 括號 3", "a ****** 括號 *"},
		{"wrong check spoken A", "身份證號碼係 Y 六五四三二一 括號 A", "身份證號碼係 Y ****** 括號 *"},
		{"開括號 閂括號", "Y六五四三二一開括號七閂括號", "Y******開括號*閂括號"},
		{"括弧", "C 一二三四五六 括弧 九", "C ****** 括弧 *"},
		{"大階", "大階A一二三四五六括號三", "大階A******括號*"},
		{"bracket word only, wrong check", "A一二三四五六括號七", "A******括號*"},
		{"parenthesised chinese", "K一二三四五六(七)", "K******(*)"},
		{"bare chinese check valid", "Y六五四三二一七", "Y*******"},
		{"bare chinese check wrong", "Y六五四三二一八", "Y六五四三二一八"},
	})
}
