package sdp

import (
	"fmt"
	"strconv"

	psdp "github.com/pion/sdp/v3"
)

// Offer builds our SDP offer (RFC 3264 §5) for outbound or simulated calls:
// one m=audio with local.Codecs in preference order, telephone-event/8000
// on local.DTMFPayloadType when local.DTMF is set, a=ptime:20, a=sendrecv.
// Zero fields take their defaults; call local.Validate first, because an
// invalid Local yields an offer the peer will refuse.
func Offer(local Local) []byte {
	local = local.withDefaults()
	d := baseDescription(local)
	var dtmf uint8
	if local.DTMF {
		dtmf = local.DTMFPayloadType
	}
	d.MediaDescriptions = []*psdp.MediaDescription{
		audioMedia(local.Port, []string{"RTP", "AVP"}, local.Codecs, dtmf, SendRecv),
	}
	return marshal(d)
}

// ParseAnswer reads the answer to an Offer(local) (RFC 3264 §7). The codec is
// the first answered format that we offered; Direction is ours (the mirror
// of the answer's). A rejected audio stream (port 0) yields ErrNoCommonCodec.
func ParseAnswer(answer []byte, local Local) (Negotiated, error) {
	local = local.withDefaults()
	d, err := Parse(answer)
	if err != nil {
		return Negotiated{}, err
	}
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		if m.MediaName.Port.Value == 0 {
			return Negotiated{}, fmt.Errorf("%w: audio stream rejected by peer", ErrNoCommonCodec)
		}
		// The peer sends telephone-event with the number it answered,
		// which RFC 3264 §6.1 says should be ours; either way we take its.
		return negotiateMedia(d, m, local)
	}
	return Negotiated{}, ErrNoAudio
}

// baseDescription returns the session-level lines of our SDP.
func baseDescription(local Local) *psdp.SessionDescription {
	addrType := "IP4"
	if local.Addr.Is6() && !local.Addr.Is4In6() {
		addrType = "IP6"
	}
	addr := local.Addr.Unmap().String()
	return &psdp.SessionDescription{
		Origin: psdp.Origin{
			Username:       "-",
			SessionID:      local.SessionID,
			SessionVersion: local.SessionVer,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: addr,
		},
		SessionName: psdp.SessionName(local.SessionName),
		ConnectionInformation: &psdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &psdp.Address{Address: addr},
		},
		TimeDescriptions: []psdp.TimeDescription{{}},
	}
}

// audioMedia returns an m=audio section with the given codecs and optional
// telephone-event payload type (0 = none).
func audioMedia(port int, protos []string, codecs []Codec, dtmf uint8, dir string) *psdp.MediaDescription {
	m := &psdp.MediaDescription{
		MediaName: psdp.MediaName{Media: "audio", Port: psdp.RangedPort{Value: port}, Protos: protos},
	}
	for _, c := range codecs {
		pt := strconv.Itoa(int(c.PayloadType))
		m.MediaName.Formats = append(m.MediaName.Formats, pt)
		m.Attributes = append(m.Attributes,
			psdp.NewAttribute("rtpmap", pt+" "+c.Name+"/"+strconv.Itoa(c.ClockRate)))
	}
	if dtmf != 0 {
		pt := strconv.Itoa(int(dtmf))
		m.MediaName.Formats = append(m.MediaName.Formats, pt)
		m.Attributes = append(m.Attributes,
			psdp.NewAttribute("rtpmap", pt+" telephone-event/8000"),
			psdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	m.Attributes = append(m.Attributes,
		psdp.NewAttribute("ptime", strconv.Itoa(DefaultPtime)),
		psdp.NewPropertyAttribute(dir))
	return m
}

// marshal serialises d; pion's Marshal cannot fail for descriptions built here.
func marshal(d *psdp.SessionDescription) []byte {
	b, err := d.Marshal()
	if err != nil {
		return nil
	}
	return b
}
