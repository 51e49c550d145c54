// Package synthetic is a built-in speech synthesiser for load tests: it
// says nothing, but answers like a real streaming provider in shape and
// timing, so that a load test of `yuecall serve` measures yuecall and not
// a remote TTS service. A stream's first Read waits until Config.Latency
// after the request; then it yields, as fast as it is read, a speech-like
// signal whose length follows the text (Config.CharDuration per CJK
// character, Config.LetterDuration per Latin letter or digit, at most
// Config.MaxDuration): a few harmonics under a syllable envelope, voiced
// 150 ms out of every 200 ms, so a VAD and a level meter see talk with
// pauses between syllables rather than a flat tone. One second of that
// waveform is made once per sample rate and shared by every stream; Read
// copies from it and allocates nothing.
//
// Goroutines: none. Read blocks on the caller's goroutine; Close and a
// cancelled context wake it.
//
// It imports audio and tts only; never media, asr, dialog, ivr or call.
package synthetic
