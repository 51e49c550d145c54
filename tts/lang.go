package tts

import (
	"context"
	"unicode"
)

// Languages a reply may be spoken in. Providers map each to a voice.
const (
	Cantonese = "yue"
	English   = "en"
	Mandarin  = "cmn"
)

type langKey struct{}

// WithLanguage returns a context asking providers to speak in lang
// (Cantonese, English or Mandarin), for example when the caller speaks
// Mandarin. Without it, LanguageOf decides from the text.
func WithLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LanguageOf is the language to speak text in: the one set by WithLanguage,
// else English for text with no Han characters and Cantonese otherwise.
func LanguageOf(ctx context.Context, text string) string {
	if lang, ok := ctx.Value(langKey{}).(string); ok && lang != "" {
		return lang
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return Cantonese
		}
	}
	for _, r := range text {
		if unicode.IsLetter(r) {
			return English
		}
	}
	return Cantonese
}

// Voices names a provider's voice per language; an empty entry falls back
// to Cantonese.
type Voices struct {
	Cantonese string `yaml:"cantonese"`
	English   string `yaml:"english"`
	Mandarin  string `yaml:"mandarin"`
}

// For returns the voice for lang.
func (v Voices) For(lang string) string {
	switch {
	case lang == English && v.English != "":
		return v.English
	case lang == Mandarin && v.Mandarin != "":
		return v.Mandarin
	}
	return v.Cantonese
}

// RateSynthesizer is implemented by providers that can produce audio at a
// requested rate natively (for example 8 kHz µ-law for a phone leg), so the
// caller need not resample.
type RateSynthesizer interface {
	SynthesizeRate(ctx context.Context, text string, rate int) (Stream, error)
}
