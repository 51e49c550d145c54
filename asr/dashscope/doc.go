// Package dashscope is the asr provider for Alibaba Cloud DashScope realtime
// recognition over the "inference" websocket protocol (paraformer-realtime-v2,
// paraformer-realtime-8k-v2, fun-asr-realtime). It owns that wire protocol:
// the bearer-key handshake, run-task → task-started → binary PCM16 audio →
// finish-task → task-finished (or task-failed), result-generated sentences
// whose text replaces the previous partial, and the customization HTTP API
// that creates hotword vocabularies (CreateVocabulary).
//
// Goroutines: each Stream runs one writer (audio and finish-task out) and one
// reader (events in, the only sender on Results; it ends the stream), plus a
// context.AfterFunc that closes the connection when the stream's context
// ends. Close cancels and waits for all three.
//
// It imports asr, audio (audio.go types only), gorilla/websocket and
// google/uuid; never media, tts, dialog, ivr or call.
package dashscope
