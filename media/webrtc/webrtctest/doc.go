// Package webrtctest is a real WebRTC caller for tests: a pion peer that
// dials a media/webrtc Server over its signalling WebSocket exactly as the
// softphone page does (SIGNALLING.md), so that tests of the call stack
// (barge-in, captions, DTMF menus) run over real ICE, DTLS-SRTP, Opus or
// PCMU and RTP on loopback.
//
// Dial opens the socket, reads "config", offers one codec plus
// telephone-event, trickles its ICE candidates (127.0.0.1 host candidates
// only, and relays of the config's ice_servers) and returns once the server
// says "connected". From then on the client behaves like a phone with an
// open microphone: a pacer sends one 20 ms packet every 20 ms on the
// monotonic clock, the audio given to Send or, when nothing is queued,
// the idle microphone (digital silence, or noise at Options.IdleNoiseDBFS);
// SendDTMF replaces audio by an RFC 4733 event in the same stream.
// Bot audio is decoded packet by packet on arrival (no jitter buffer, no
// concealment: a gap in arrival times is a gap in sending) and kept as
// Frames with their arrival times, so a test can tell when the bot's voice
// stopped; sent audio is kept the same way with its send times. Every
// signalling message the server sends is kept as a Message.
//
// Goroutines: Dial starts the socket reader and, once connected, the
// pacer; pion runs the RTP reader on its OnTrack goroutine. Close (also
// after the call has ended) closes the peer and the socket and waits for
// all of them. Kept frames and messages are bounded (Options.Keep,
// MaxMessages): the oldest are dropped first and counted in Stats.
//
// Imports: the standard library, audio, media/opus, media/webrtc (Codec and
// Rate only), gorilla/websocket and pion. Only tests and load tools use it.
package webrtctest
