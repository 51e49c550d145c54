// Package funasr is the asr provider for the FunASR runtime websocket server,
// self-hosted (funasr-wss-server-2pass, run_server_2pass.sh; default
// wss://host:10095/ with a self-signed certificate). It owns the wire
// protocol: the JSON config message that must precede any audio (mode,
// chunk_size, audio_fs, hotwords as a JSON object serialised into a string,
// itn, svs_lang/svs_itn for a SenseVoice offline pass), headerless PCM16
// binary frames, the {"is_speaking":false} end message, and the results:
// "2pass-online" texts are deltas to append, "2pass-offline" texts replace
// them as the sentence final, is_final marks only the end of the stream, and
// errors arrive as "ERROR. ..." result texts. SenseVoice <|…|> tags are
// stripped.
//
// Goroutines: each Stream runs one writer (audio out) and one reader (results
// in, the only sender on Results; it ends the stream), plus a context.AfterFunc
// that closes the connection when the stream's context ends. Close cancels
// and waits for all three.
//
// It imports asr, audio (audio.go types only) and gorilla/websocket; never
// media, tts, dialog, ivr or call.
package funasr
