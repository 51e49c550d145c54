// Package sip is yuecall's SIP user-agent server on top of github.com/emiago/sipgo:
// it answers INVITE (RFC 3261 §13.3) with an SDP answer (RFC 3264, package
// media/sdp) and an RTP session (package media/rtp), handles ACK, BYE, CANCEL
// (§9.2, in sipgo's transaction layer), OPTIONS (§11) and in-dialog re-INVITE,
// refuses calls with the right status when draining or full, and hands every
// answered call to a Handler for its whole life.
//
// It imports audio and the media sub-packages only.
package sip
