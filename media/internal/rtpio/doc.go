// Package rtpio holds the RTP media pieces the SIP leg (media/rtp) and the
// browser leg (media/webrtc) share: the receive reorder buffer, the send
// queue of samples (pooled blocks), the Pacer that ticks every leg's
// sender from one goroutine per shard, and RFC 4733 telephone-event
// de-duplication.
//
// Goroutines: a Pacer runs one per shard while the shard has members;
// Poll ticks due groups on the calling goroutine.
//
// It imports audio only.
package rtpio
