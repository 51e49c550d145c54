// Package openai is the asr provider for OpenAI-compatible transcription:
// POST {base}/audio/transcriptions (multipart/form-data), as served by the
// OpenAI API (whisper-1, gpt-4o-transcribe) and by self-hosted Whisper
// large-v3 servers that copy that route. It owns the per-utterance recipe:
// buffer one caller utterance, send it as a WAV file when the send side is
// closed, turn the reply into one final asr.Result (verbose_json segments
// with a high no_speech_prob are dropped), and map OpenAI error bodies to
// StatusError without ever echoing the API key.
//
// Cantonese: whisper-1 (large-v2) has no <|yue|> token, so it is sent
// language "zh" plus a Traditional Cantonese prompt that steers the script;
// large-v3 servers take language "yue".
//
// Goroutines: each Stream runs one goroutine that waits for CloseSend, makes
// the request and is the only sender on Results. Close cancels the request
// and waits for it.
//
// It imports asr, audio and github.com/sashabaranov/go-openai; never media,
// tts, dialog, ivr or call.
package openai
