// Package tts defines the one stream shape every synthesiser in yuecall
// speaks: text in, PCM out as it is produced. Providers live in
// sub-packages (espeak, …).
//
// It imports audio only; it never imports media, asr, dialog, ivr or call.
package tts
