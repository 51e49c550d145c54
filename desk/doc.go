// Package desk serves the web pages of yuecall, embedded in the binary so
// users need no build step: the softphone at / (a browser caller talks to
// the same IVR and AI agent as a phone caller, over WebRTC signalled on
// /ws/call), and later the agent desk, supervisor console and compliance
// review queue.
//
// It imports the standard library and events only; it never imports media,
// asr, tts, dialog, ivr or call (cmd joins them).
package desk
