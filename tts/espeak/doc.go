// Package espeak synthesises speech offline with the espeak-ng program: the
// `yue` voice for Cantonese, and per-language voices (en-us, cmn) chosen
// with tts.LanguageOf for English and Mandarin replies. It runs one
// espeak-ng process per sentence and streams the WAV it writes to stdout,
// read to EOF because espeak-ng's --stdout header sizes are placeholders.
// Text holding SSML break tags is sent in SSML mode (-m) with other markup
// escaped.
//
// It imports audio and tts only.
package espeak
