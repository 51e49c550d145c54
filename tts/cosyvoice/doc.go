// Package cosyvoice synthesises speech with Alibaba Cloud DashScope
// CosyVoice over its websocket protocol (the "inference" endpoint shared with
// DashScope ASR): run-task → task-started → continue-task (the text, split
// at 20,000 weighted characters) → finish-task, while binary PCM16 frames
// stream back interleaved with result-generated events until task-finished
// (or task-failed). Audio is handed to the caller as it arrives, so playback
// starts before the whole reply is synthesised. Connections that ended with
// task-finished are kept for reuse, which saves the TLS handshake on the
// next sentence.
//
// Goroutines: each Stream runs one reader (the only sender of audio to
// Read) and a context.AfterFunc that closes the connection when the stream
// is abandoned; Close cancels and waits for both.
//
// It imports audio, tts, gorilla/websocket and google/uuid; never media,
// asr, dialog, ivr or call.
package cosyvoice
