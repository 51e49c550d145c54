// Package sherpa is the asr provider for the sherpa-onnx streaming websocket
// server, self-hosted (sherpa-onnx-online-websocket-server, or
// python-api-examples/streaming_server.py). It owns the wire protocol: float32
// audio frames, the "Done" text frame, and the two result formats (C++ JSON
// with is_final and a "Done!" sentinel; Python {text,segment}).
//
// Goroutines: each Stream runs one writer (audio out) and one reader (results
// in, the only sender on Results; it ends the stream), plus a context.AfterFunc
// that closes the connection when the stream's context ends. Close cancels
// and waits for all three.
//
// It imports asr, audio (audio.go types only) and gorilla/websocket; never
// media, tts, dialog, ivr or call.
package sherpa
