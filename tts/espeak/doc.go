// Package espeak synthesises Cantonese offline with the espeak-ng program's
// `yue` voice. It runs one espeak-ng process per sentence and streams the WAV
// it writes to stdout, read to EOF because espeak-ng's --stdout header sizes
// are placeholders.
//
// It imports audio and tts only.
package espeak
