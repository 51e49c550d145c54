// Package openai synthesises speech through an OpenAI-compatible
// POST /v1/audio/speech endpoint (OpenAI itself or a self-hosted server),
// using github.com/sashabaranov/go-openai for the request. MP3 replies are
// decoded with github.com/hajimehoshi/go-mp3 while the body is still
// arriving, so the first audio plays before the last byte is sent; "pcm"
// replies are 24 kHz PCM16 without a header.
//
// OpenAI has no Cantonese voice: the per-language Instructions ask the
// model for Hong Kong Cantonese, and the SSML <break> tags our
// text-for-speech step writes are turned into pauses the model understands.
//
// It imports audio and tts only (plus go-openai and go-mp3).
package openai
