// Package ttstest holds protocol-faithful test servers for the speech
// synthesisers yuecall talks to, for unit tests of the providers and for
// yuecall's end-to-end tests. Each server speaks its provider's documented
// wire protocol, rejects wrong clients with the error the real service
// gives, returns real audio in the requested format and records what it
// received so tests can assert on it. One file group per provider
// (openai*.go, azure*.go, cosyvoice*.go). The OpenAI server makes real MP3
// with the lame program, which tests need installed.
//
// It imports the standard library, audio, tts and gorilla/websocket only;
// it never imports media, asr, dialog, ivr or call.
package ttstest
