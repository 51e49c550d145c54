// Package synthetic is a built-in speech recogniser for load tests: it
// hears no words, but behaves like a real per-utterance provider in shape
// and timing, so that a load test of `yuecall serve` measures yuecall and
// not a remote ASR service. A stream counts voiced audio with a cheap
// per-frame energy check (no audio is buffered), emits a partial result
// every Config.PartialEvery of speech, and Config.Latency after CloseSend
// one final result whose text is the next of Config.Transcripts, or none
// when the utterance held less than Config.MinVoiced of speech. Frames
// whose power sits almost all on a DTMF row and column tone are not
// speech, so a key press alone gives no transcript.
//
// Goroutines: none per stream. The final result is sent from a
// time.AfterFunc callback and a cancelled context is watched with
// context.AfterFunc; both are stopped when the stream ends. Results is
// only sent on with the stream's mutex held and never blocks.
//
// It imports asr and audio only; never media, tts, dialog, ivr or call.
package synthetic
