package sdp

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

// MaxSize is the largest SDP body accepted (bytes). SIP bodies are small;
// anything larger is refused as malformed before parsing.
const MaxSize = 64 << 10

// Parse parses an SDP body (RFC 4566) with pion/sdp. Errors wrap ErrMalformed
// and the parser's own error.
func Parse(b []byte) (*psdp.SessionDescription, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	if !bytes.HasPrefix(b, []byte("v=")) { // pion accepts an empty body
		return nil, fmt.Errorf("%w: does not start with v=", ErrMalformed)
	}
	d := new(psdp.SessionDescription)
	if err := d.UnmarshalString(string(b)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return d, nil
}

// rtpmap is one a=rtpmap:<pt> <name>/<rate>[/<channels>] line.
type rtpmap struct {
	name string
	rate int
}

// staticPT is the RFC 3551 §6 table for the static payload types we may meet
// without an a=rtpmap line.
var staticPT = map[uint8]rtpmap{
	0: {"PCMU", 8000}, 3: {"GSM", 8000}, 4: {"G723", 8000}, 8: {"PCMA", 8000},
	9: {"G722", 8000}, 13: {"CN", 8000}, 18: {"G729", 8000},
}

// parseRtpmap parses the value of an a=rtpmap attribute.
func parseRtpmap(v string) (uint8, rtpmap, bool) {
	ptStr, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return 0, rtpmap{}, false
	}
	pt, err := strconv.ParseUint(ptStr, 10, 7)
	if err != nil {
		return 0, rtpmap{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 {
		return 0, rtpmap{}, false
	}
	rate, err := strconv.Atoi(parts[1])
	if err != nil || rate <= 0 {
		return 0, rtpmap{}, false
	}
	return uint8(pt), rtpmap{name: parts[0], rate: rate}, true
}

// formats returns the payload types of m in offer order with their encoding
// (a=rtpmap, else the static table). Formats that are not numbers 0-127
// are skipped.
type format struct {
	pt  uint8
	enc rtpmap
}

func formats(m *psdp.MediaDescription) []format {
	maps := make(map[uint8]rtpmap)
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		if pt, rm, ok := parseRtpmap(a.Value); ok {
			maps[pt] = rm
		}
	}
	out := make([]format, 0, len(m.MediaName.Formats))
	for _, f := range m.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		enc, ok := maps[uint8(pt)]
		if !ok {
			enc = staticPT[uint8(pt)] // zero rtpmap if unknown dynamic PT
		}
		out = append(out, format{pt: uint8(pt), enc: enc})
	}
	return out
}

// pickCodec returns the first format, in the order of fs, that matches one
// of ours by encoding name (case-insensitive) and clock rate. The returned
// codec carries the peer's payload type.
func pickCodec(fs []format, ours []Codec) (Codec, bool) {
	for _, f := range fs {
		for _, c := range ours {
			if strings.EqualFold(f.enc.name, c.Name) && f.enc.rate == c.ClockRate {
				return Codec{Name: c.Name, PayloadType: f.pt, ClockRate: c.ClockRate}, true
			}
		}
	}
	return Codec{}, false
}

// pickDTMF returns the payload type of telephone-event/8000 in fs, or 0.
func pickDTMF(fs []format) uint8 {
	for _, f := range fs {
		if strings.EqualFold(f.enc.name, "telephone-event") && f.enc.rate == 8000 {
			return f.pt
		}
	}
	return 0
}

// direction returns the stream's direction attribute, media level first,
// then session level, default sendrecv (RFC 4566 §6).
func direction(d *psdp.SessionDescription, m *psdp.MediaDescription) string {
	for _, attrs := range [][]psdp.Attribute{m.Attributes, d.Attributes} {
		for _, a := range attrs {
			switch a.Key {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				return a.Key
			}
		}
	}
	return SendRecv
}

// ptime returns a=ptime (media level, then session level) or DefaultPtime.
func ptime(d *psdp.SessionDescription, m *psdp.MediaDescription) int {
	v, ok := m.Attribute("ptime")
	if !ok {
		v, ok = d.Attribute("ptime")
	}
	if !ok {
		return DefaultPtime
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64) // some UAs write "20.0"
	if err != nil || n < 1 || n > 1000 {
		return DefaultPtime
	}
	return int(n)
}

// transportOK reports whether m uses plain RTP (RTP/AVP or RTP/AVPF).
func transportOK(m *psdp.MediaDescription) bool {
	p := strings.Join(m.MediaName.Protos, "/")
	return p == "RTP/AVP" || p == "RTP/AVPF"
}

// connAddr returns the stream's connection address: media-level c= first,
// then session-level (RFC 4566 §5.7).
func connAddr(d *psdp.SessionDescription, m *psdp.MediaDescription) (netip.Addr, error) {
	ci := m.ConnectionInformation
	if ci == nil {
		ci = d.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: no c= line for audio", ErrMalformed)
	}
	if ci.NetworkType != "IN" {
		return netip.Addr{}, fmt.Errorf("%w: network type %q", ErrUnsupportedTransport, ci.NetworkType)
	}
	addr, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: connection address %q", ErrUnsupportedTransport, ci.Address.Address)
	}
	addr = addr.Unmap()
	if addr.IsMulticast() {
		return netip.Addr{}, fmt.Errorf("%w: multicast %s", ErrUnsupportedTransport, addr)
	}
	if (ci.AddressType == "IP4") != addr.Is4() {
		return netip.Addr{}, fmt.Errorf("%w: address type %s for %s", ErrMalformed, ci.AddressType, addr)
	}
	return addr, nil
}
