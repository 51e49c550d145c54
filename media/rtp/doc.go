// Package rtp owns the RTP leg of one SIP call (RFC 3550, RFC 3551): UDP port
// allocation, the receive loop (parse, symmetric-RTP latching, reorder
// buffer with loss concealment, G.711 decoding, RFC 4733 and in-band DTMF)
// and the paced sender (bounded queue of 20 ms frames with O(1) flush for
// barge-in).
//
// Goroutines: a started Session owns exactly two, the socket reader and the
// 20 ms pacer; Close cancels them and waits. Decoded audio is written
// synchronously from the reader to the current sink (SetSink); digits go
// out on a bounded channel (DTMF) whose overflow is dropped and counted.
//
// Imports: the standard library, github.com/pion/rtp, the audio package and
// media/sdp (for sdp.Codec and sdp.Negotiated). media/sdp never imports
// this package.
package rtp
