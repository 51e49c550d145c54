// Package sdp owns SDP offer/answer for the SIP audio leg (RFC 3264 on top of
// RFC 4566): it turns a caller's offer into our answer and a Negotiated
// result that configures media/rtp, builds our own offers, and reads answers
// to them. Everything here is a pure function of its inputs.
//
// Scope: one audio stream, plain RTP/AVP (or RTP/AVPF), G.711 (PCMU/PCMA)
// plus RFC 4733 telephone-event. SRTP (SDES/DTLS), ICE, video and T.38 are
// refused with 488 so the caller can retry with something we speak.
//
// Imports: the standard library and github.com/pion/sdp/v3 only.
// media/rtp may import this package; this package never imports media/rtp.
package sdp
