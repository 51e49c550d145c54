package tts

import (
	"context"
	"testing"
)

func TestLanguageOf(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		ctx  context.Context
		text string
		want string
	}{
		{ctx, "你好，我想查詢戶口結餘。", Cantonese},
		{ctx, "我張credit card唔見咗", Cantonese},
		{ctx, "Thank you for calling.", English},
		{ctx, "1234", Cantonese},
		{WithLanguage(ctx, Mandarin), "你好", Mandarin},
		{WithLanguage(ctx, ""), "Hello", English},
	}
	for _, tt := range tests {
		if got := LanguageOf(tt.ctx, tt.text); got != tt.want {
			t.Errorf("LanguageOf(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	v := Voices{Cantonese: "a", English: "b"}
	if v.For(English) != "b" || v.For(Mandarin) != "a" || v.For(Cantonese) != "a" {
		t.Errorf("Voices.For fallbacks wrong: %+v", v)
	}
}
