// Package azure is the asr provider for Azure Speech's REST API for short
// audio (zh-HK by default). It owns that wire recipe: one chunked POST per
// caller utterance to /speech/recognition/conversation/cognitiveservices/v1,
// opened as soon as the stream is, with Expect: 100-continue, a streaming
// RIFF/WAV header (16 kHz, 16-bit, mono, placeholder sizes) and then the PCM
// as it is written, so the service hears the caller while they speak; the
// JSON reply (simple or detailed) becomes at most one final asr.Result.
// Authentication is the resource key (Ocp-Apim-Subscription-Key) or a
// bearer token from the issueToken endpoint, cached for 9 minutes.
//
// Goroutines: each Stream runs one goroutine that owns the request and is
// the only sender on Results, and, while the request lives, one pump that
// feeds the request body from a bounded queue. Close cancels and waits for
// both.
//
// It imports asr and audio only (and the standard library); never media,
// tts, dialog, ivr or call.
package azure
