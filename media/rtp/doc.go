// Package rtp owns the RTP leg of one SIP call (RFC 3550, RFC 3551): UDP port
// allocation, the receive loop (parse, symmetric-RTP latching, reorder
// buffer with loss concealment, G.711 decoding, RFC 4733 and in-band DTMF)
// and the paced sender (a bounded queue of audio, G.711-encoded at Enqueue
// into pooled 1 KiB blocks that go back to the pool once sent or flushed,
// so an idle call holds none; Flush for barge-in drops it all at once),
// sent by a Pacer that many Sessions, and the browser calls of
// media/webrtc, share.
//
// Goroutines: a started Session owns one, the socket reader; Close cancels
// it and waits. Its frames are sent by a Pacer (DefaultPacer unless
// Config.Pacer is set): one goroutine per shard ticks every Session of the
// shard once per 20 ms, and runs only while the shard has Sessions; the
// reader polls the Pacer after each packet and ticks a due group itself
// when it gets there first (rtpio.Pacer.Poll). Close
// takes the Session out of its Pacer before it returns. Decoded audio is
// written synchronously from the reader to the current sink (SetSink);
// digits go out on a bounded channel (DTMF) whose overflow is dropped and
// counted. The per-packet paths (tick and receive) do not allocate.
//
// Imports: the standard library, github.com/pion/rtp, the audio package and
// media/sdp (for sdp.Codec and sdp.Negotiated). media/sdp never imports
// this package.
package rtp
