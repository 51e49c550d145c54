// Package simtest is a scripted SIP answering machine for testing the
// simulated caller (package sim) and the load harness without yuecall's
// call stack: a media/sip server whose calls greet with a tone, answer each
// caller utterance (found by audio.VAD) with another tone after a fixed
// delay, stop playing when the caller talks over them, count keypad digits
// and hang up on a chosen digit. Its timing is exact by construction, so
// tests can check what the caller measures.
//
// Imports: the standard library, audio, media/sip and media/rtp.
package simtest
