// Package asr defines the one stream shape every speech recogniser in yuecall
// speaks: push caller audio, close the send side at the end of an utterance,
// read partial and final results until the stream ends. Providers live in
// sub-packages (sherpa, …); asrtest holds protocol-faithful test servers.
//
// It imports audio only; it never imports media, tts, dialog, ivr or call.
package asr
