// Package audio is the vocabulary every other yuecall package shares for sound:
// 16-bit mono PCM frames, the Writer chain that moves them, G.711 codecs, a
// resampler between 8, 16 and 48 kHz, a voice-activity detector, and a tone
// generator and detector (DTMF by Goertzel) used by the media layer and by tests.
//
// It imports only the standard library; everything else may import it.
package audio
