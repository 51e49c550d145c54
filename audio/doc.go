// Package audio is the vocabulary every other yuecall package shares for sound:
// 16-bit mono PCM frames, the Writer chain that moves them, G.711 codecs
// (µ-law and A-law), a streaming resampler between any two rates (8, 16,
// 22.05, 24, 44.1 and 48 kHz in practice), a voice-activity detector, and a
// tone generator and detector (DTMF by Goertzel) used by the media layer and
// by tests. It also reads and writes WAV files (espeak-ng output included)
// and generates deterministic noise and speech-like test signals.
//
// Everything on the per-frame path (codecs, Resampler, VAD, DTMFDetector) is
// allocation-free once its buffers are sized. The stateful types are not safe
// for concurrent use: each belongs to one call's writer chain.
//
// It imports only the standard library; everything else may import it.
package audio
