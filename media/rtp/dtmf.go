package rtp

// RFC 4733 telephone-event handling (the de-duplication itself is
// media/internal/rtpio's Events, shared with media/webrtc).
//
// What senders do (RFC 4733 §2.5): one event = one RTP timestamp (the
// event's start). The sender repeats the packet every 50 ms or so with a
// growing duration, then sends the final packet with the E bit three times.
// The marker bit is set on the first packet only, and that packet may be
// lost, so it is not required. Events may come with their own SSRC,
// sequence numbers and timestamps unrelated to the audio (SIPp replays
// recorded pcaps), so an event is keyed by (timestamp, event code) alone
// and nothing is checked against the audio stream.
//
// A digit is reported on the FIRST packet of a new key, which is the lowest
// latency and also covers events whose end packets never arrive (a new
// timestamp is simply a new event). Later packets of a known key update it
// silently, so the three end packets yield nothing more. Two cases need
// care:
//   - Long events (§2.5.1.3): past 0xFFFF duration the sender continues
//     with timestamp = old timestamp + old duration; that is the same key
//     press and is not reported again.
//   - Byte-identical replays: SIPp's dtmf_2833_N.pcap files all use the same
//     timestamp and sequence numbers, so "11" arrives as the same packets
//     twice. A non-end packet for an already ended key that comes more than
//     replayGap after that key's last packet starts a new event.

// In-band detection stops at the first RFC 4733 packet and stays off until
// the audio's SSRC changes: a peer that sends events also plays the tones
// in its audio (they would be read twice), and the Goertzel filters were a
// tenth of a node's CPU at 1,000 calls. A new audio source (a transfer, a
// re-INVITE to another media server) is listened to in-band again until it
// too proves it sends events.
