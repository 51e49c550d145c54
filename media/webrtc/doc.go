// Package webrtc answers browser calls: a WebSocket signalling server
// (Server, an http.Handler mounted by the embedding program, e.g. at
// /ws/call) and one pion/webrtc peer connection per call (Call), so that a
// browser caller gets exactly the phone caller's experience.
//
// A Call has the shape of the call package's Leg (SetSink, Rate, Enqueue,
// Flush, Pause, Pending, DTMF, Done, Hangup) at 16 kHz both ways: caller
// audio (Opus decoded at 48 kHz and resampled, or PCMU at 8 kHz
// resampled) goes through a reorder buffer with loss concealment to the
// sink in 20 ms frames; bot audio is queued, encoded (Opus with
// media/opus, or PCMU) and paced out every 20 ms by the Pacer the SIP
// leg's sessions share (media/internal/rtpio, one goroutine per core). Digits
// come from RFC 4733 telephone-events (the browser's RTCDTMFSender,
// telephone-event/48000 and /8000 are negotiated) and from "dtmf"
// signalling messages. Call.Send pushes extra JSON messages (transcripts
// …) to the browser without ever blocking.
//
// Signalling, one JSON object per WebSocket text message (SIGNALLING.md):
//
//	browser → server
//	  {"type":"offer","sdp":"v=0…"}
//	  {"type":"candidate","candidate":{"candidate","sdpMid","sdpMLineIndex","usernameFragment"}}
//	        (trickle ICE; a null or empty candidate ends the candidates)
//	  {"type":"dtmf","digit":"1"}      (when RTCDTMFSender is unavailable)
//	  {"type":"hangup"}
//	server → browser
//	  {"type":"config","call_id","ice_servers":[{"urls","username","credential"}]}  (first)
//	  {"type":"answer","sdp"}
//	  {"type":"candidate","candidate":{…}|null}
//	  {"type":"state","state":"connecting"|"connected"|"ended","call_id","reason"}
//	  {"type":"stats","rx_packets","tx_packets","jitter_ms","lost"}  (every second)
//	  {"type":"error","code","message"}
//
// Malformed JSON and unknown types get an "error" and the call goes on; a
// message over Config.MaxMessageBytes closes the socket with 1008; a
// refused socket (draining, busy) gets an "error" and closes with 1013.
//
// Goroutines: ServeHTTP's goroutine runs the call's supervising select
// until the call ends and its handler returns; each call also owns the
// socket reader and writer, the RTP reader (on pion's OnTrack goroutine)
// and an RTCP reader, all stopped and waited for at teardown. Its frames
// are sent by the shared Pacer (its goroutines, or an RTP reader polling it
// after a packet) from connection until the call ends (the sender stops
// under its own lock, so no packet goes out after). Channels are bounded with written overflow policies (conn.go,
// call.go) and counted overflow (Stats).
//
// Imports: the standard library, audio, media/opus, media/internal/rtpio,
// gorilla/websocket, nats-io/nuid and pion (webrtc/v4, ice, sdp, rtp, interceptor, logging).
// It never imports the call package or other top-level packages.
package webrtc
