// Package rtpio holds the RTP media pieces the SIP leg (media/rtp) and the
// browser leg (media/webrtc) share: the receive reorder buffer, the send
// queue of samples, and RFC 4733 telephone-event de-duplication.
//
// It imports audio only.
package rtpio
