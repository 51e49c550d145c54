// Package normalise turns recogniser output and generated replies into the
// written form Hong Kong callers and agents expect: Hong Kong Traditional
// Chinese (OpenCC s2hk with a Hong Kong calibration), full-width CJK
// punctuation, no spaces between CJK and other text, ASCII digits and letters.
//
// It owns the embedded OpenCC dictionaries in opencc/ (Apache-2.0, see
// opencc/ATTRIBUTION.md) and the small yuecall tables in hk_tables.go.
//
// It is a shared leaf: it imports the standard library only, and asr, dialog
// and call may import it.
package normalise
