// Package azure synthesises speech with the Azure Speech text-to-speech REST
// API (POST https://{region}.tts.speech.microsoft.com/cognitiveservices/v1):
// SSML in, raw audio out, streamed as it arrives. For a phone leg it asks
// for raw-8khz-8bit-mono-mulaw and only expands µ-law to PCM16, so no
// resampling happens; 16 and 24 kHz are raw PCM16.
//
// Text is XML-escaped into the SSML body; only the <break time="…"/> tags
// our text-for-speech step writes survive as markup.
//
// It imports audio and tts only.
package azure
