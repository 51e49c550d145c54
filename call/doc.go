// Package call owns one call from answer to hang-up: call.Session is the only
// place where media, asr, normalise, dialog, tts and ivr meet, and the only
// publisher of a call's events. A Session runs one supervising select loop; it
// starts every goroutine of its call through one tracker and waits for them
// all before Run returns.
//
// The caller's audio path is a synchronous writer chain run on the media
// receive goroutine (VAD → pre-roll → ASR stream); it never blocks and never
// waits for the loop. Bot audio is synthesised sentence by sentence on a
// speaker goroutine and queued on the leg, whose pacer sends it.
//
// It may import every leaf (audio, media, asr, tts, dialog, ivr, events,
// normalise, redact); nothing but cmd and desk imports call.
package call
