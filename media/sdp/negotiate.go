package sdp

import (
	"errors"
	"fmt"
	"net/netip"

	psdp "github.com/pion/sdp/v3"
)

// Negotiate answers an SDP offer (RFC 3264 §6) for one audio stream.
//
// Codec choice: the answerer may choose (RFC 3264 §6.1); we honour the
// OFFERER's preference order and take the first offered codec that is in
// local.Codecs, matched by encoding name and clock rate (static payload
// types 0 and 8 need no a=rtpmap). The answer uses the offerer's payload
// type numbers, lists only the chosen codec plus telephone-event/8000 (with
// the offerer's dynamic payload type, a=fmtp:<pt> 0-16) when local.DTMF is
// set and the offerer has it, a=ptime:20, and the mirrored direction
// (offer sendonly -> recvonly and so on).
//
// Streams: the first m=audio that uses RTP/AVP(F), has a non-zero port and
// a common codec is accepted; every other m= line (video, further audio) is
// rejected in the answer with port 0, as RFC 3264 §6 requires the answer to
// keep the offer's m= lines in order.
//
// Hold: c=0.0.0.0 (or ::) and sendonly/inactive offers are answered
// normally with Negotiated.Hold set; with c=0.0.0.0 our direction never
// includes send.
//
// Errors wrap ErrMalformed, ErrNoAudio, ErrNoCommonCodec,
// ErrUnsupportedTransport or ErrInvalidLocal; StatusCode maps them to SIP.
func Negotiate(offer []byte, local Local) (answer []byte, n Negotiated, err error) {
	if err := local.Validate(); err != nil {
		return nil, Negotiated{}, err
	}
	local = local.withDefaults()
	d, err := Parse(offer)
	if err != nil {
		return nil, Negotiated{}, err
	}
	idx, n, err := pickAudio(d, local)
	if err != nil {
		return nil, Negotiated{}, err
	}
	return buildAnswer(d, idx, n, local), n, nil
}

// errRank orders stream-level errors: when no audio stream is usable the
// most telling one is reported.
func errRank(err error) int {
	switch {
	case errors.Is(err, ErrMalformed):
		return 3
	case errors.Is(err, ErrNoCommonCodec):
		return 2
	default:
		return 1
	}
}

// pickAudio returns the index of the accepted audio m= line and its result.
func pickAudio(d *psdp.SessionDescription, local Local) (int, Negotiated, error) {
	var best error
	for i, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		n, err := negotiateMedia(d, m, local)
		if err == nil {
			return i, n, nil
		}
		if best == nil || errRank(err) > errRank(best) {
			best = err
		}
	}
	if best == nil {
		return -1, Negotiated{}, ErrNoAudio
	}
	return -1, Negotiated{}, best
}

// negotiateMedia checks one offered audio stream against local.
func negotiateMedia(d *psdp.SessionDescription, m *psdp.MediaDescription, local Local) (Negotiated, error) {
	port := m.MediaName.Port.Value
	if port == 0 {
		return Negotiated{}, fmt.Errorf("%w: audio stream rejected (port 0)", ErrUnsupportedTransport)
	}
	if !transportOK(m) {
		return Negotiated{}, fmt.Errorf("%w: %s", ErrUnsupportedTransport, m.MediaName.Protos)
	}
	addr, err := connAddr(d, m)
	if err != nil {
		return Negotiated{}, err
	}
	fs := formats(m)
	codec, ok := pickCodec(fs, local.Codecs)
	if !ok {
		return Negotiated{}, fmt.Errorf("%w: offered %v", ErrNoCommonCodec, m.MediaName.Formats)
	}
	n := Negotiated{
		Codec:  codec,
		Remote: netip.AddrPortFrom(addr, uint16(port)),
		Ptime:  ptime(d, m),
	}
	if local.DTMF {
		n.DTMFPayloadType = pickDTMF(fs)
	}
	offered := direction(d, m)
	n.Direction = mirror(offered)
	n.Hold = offered == SendOnly || offered == Inactive
	if addr.IsUnspecified() {
		n.Direction = withoutSend(n.Direction)
		n.Hold = true
	}
	return n, nil
}

// buildAnswer writes the answer: our session lines, the accepted stream at
// index idx and every other offered m= line rejected with port 0.
func buildAnswer(offer *psdp.SessionDescription, idx int, n Negotiated, local Local) []byte {
	d := baseDescription(local)
	for i, m := range offer.MediaDescriptions {
		if i == idx {
			d.MediaDescriptions = append(d.MediaDescriptions, audioMedia(local.Port, m.MediaName.Protos,
				[]Codec{n.Codec}, n.DTMFPayloadType, n.Direction))
			continue
		}
		d.MediaDescriptions = append(d.MediaDescriptions, &psdp.MediaDescription{
			MediaName: psdp.MediaName{
				Media:   m.MediaName.Media,
				Port:    psdp.RangedPort{Value: 0},
				Protos:  m.MediaName.Protos,
				Formats: m.MediaName.Formats,
			},
		})
	}
	return marshal(d)
}
