package webrtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/sdp/v3"
	pion "github.com/pion/webrtc/v4"
)

// errIncompatible means the offer has no audio codec we accept.
var errIncompatible = errors.New("no common audio codec")

// offered is what the server reads from an offer before building its peer.
type offered struct {
	codec Codec
}

// Codec parameters as browsers offer them (RFC 7587 §7, RFC 4733 §7).
var (
	opusParams = pion.RTPCodecParameters{PayloadType: 111, RTPCodecCapability: pion.RTPCodecCapability{
		MimeType: pion.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}}
	pcmuParams = pion.RTPCodecParameters{PayloadType: 0, RTPCodecCapability: pion.RTPCodecCapability{
		MimeType: pion.MimeTypePCMU, ClockRate: 8000}}
	dtmfParams = []pion.RTPCodecParameters{
		{PayloadType: 110, RTPCodecCapability: pion.RTPCodecCapability{
			MimeType: "audio/telephone-event", ClockRate: 48000, SDPFmtpLine: "0-15"}},
		{PayloadType: 101, RTPCodecCapability: pion.RTPCodecCapability{
			MimeType: "audio/telephone-event", ClockRate: 8000, SDPFmtpLine: "0-15"}},
	}
)

func (c Codec) params() pion.RTPCodecParameters {
	if c == CodecPCMU {
		return pcmuParams
	}
	return opusParams
}

// parseOffer picks the first codec of prefs that the offer's first audio
// section carries (RFC 3264 §6: the answer may only use offered formats).
func parseOffer(offerSDP string, prefs []Codec) (offered, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offerSDP); err != nil {
		return offered{}, fmt.Errorf("sdp: %w", err)
	}
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		have := map[Codec]bool{CodecPCMU: slices.Contains(m.MediaName.Formats, "0")}
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			_, enc, _ := strings.Cut(a.Value, " ")
			switch name := strings.ToLower(enc); {
			case strings.HasPrefix(name, "opus/48000"):
				have[CodecOpus] = true
			case name == "pcmu/8000" || name == "pcmu/8000/1":
				have[CodecPCMU] = true
			}
		}
		for _, c := range prefs {
			if have[c] {
				return offered{codec: c}, nil
			}
		}
		return offered{}, errIncompatible
	}
	return offered{}, fmt.Errorf("%w: no audio section", errIncompatible)
}

// newAPI builds the pion API for one call: only the chosen codec and
// telephone-event are registered, so the answer offers nothing else.
func newAPI(cfg Config, codec Codec, log *slog.Logger) (*pion.API, error) {
	m := &pion.MediaEngine{}
	for _, p := range append([]pion.RTPCodecParameters{codec.params()}, dtmfParams...) {
		if err := m.RegisterCodec(p, pion.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("webrtc: register %s: %w", p.MimeType, err)
		}
	}
	reg := &interceptor.Registry{}
	if err := pion.ConfigureRTCPReports(reg); err != nil {
		return nil, fmt.Errorf("webrtc: rtcp reports: %w", err)
	}
	se, err := settingEngine(cfg.ICE, log)
	if err != nil {
		return nil, err
	}
	return pion.NewAPI(pion.WithMediaEngine(m), pion.WithInterceptorRegistry(reg), pion.WithSettingEngine(se)), nil
}

// settingEngine applies the ICE settings.
func settingEngine(c ICEConfig, log *slog.Logger) (pion.SettingEngine, error) {
	var se pion.SettingEngine
	se.LoggerFactory = slogFactory{log}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled) // no multicast from a server
	se.SetIncludeLoopbackCandidate(c.AllowLoopback)
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4, pion.NetworkTypeUDP6})
	se.SetICETimeouts(min(c.DisconnectTimeout/2, 5*time.Second), c.DisconnectTimeout, 2*time.Second)
	if len(c.Interfaces) > 0 {
		names := slices.Clone(c.Interfaces)
		se.SetInterfaceFilter(func(name string) bool { return slices.Contains(names, name) })
	}
	if len(c.IPs) > 0 {
		var ips []netip.Addr
		for _, s := range c.IPs {
			ips = append(ips, netip.MustParseAddr(s)) // validated
		}
		se.SetIPFilter(func(ip net.IP) bool {
			a, ok := netip.AddrFromSlice(ip)
			return ok && slices.Contains(ips, a.Unmap())
		})
	}
	if c.PortMin != 0 {
		if err := se.SetEphemeralUDPPortRange(uint16(c.PortMin), uint16(c.PortMax)); err != nil {
			return se, fmt.Errorf("webrtc: port range: %w", err)
		}
	}
	if len(c.NAT1To1IPs) > 0 {
		err := se.SetICEAddressRewriteRules(pion.ICEAddressRewriteRule{External: slices.Clone(c.NAT1To1IPs),
			AsCandidateType: pion.ICECandidateTypeHost, Mode: pion.ICEAddressRewriteReplace})
		if err != nil {
			return se, fmt.Errorf("webrtc: nat 1:1: %w", err)
		}
	}
	return se, nil
}

// pionServers converts the configured servers.
func pionServers(servers []ICEServer) []pion.ICEServer {
	out := make([]pion.ICEServer, 0, len(servers))
	for _, s := range servers {
		out = append(out, pion.ICEServer{URLs: slices.Clone(s.URLs), Username: s.Username, Credential: s.Credential})
	}
	return out
}

// negotiatedPTs returns the payload types of codec and of
// telephone-event in an answer.
func negotiatedPTs(answerSDP string, codec Codec) (audioPT uint8, dtmf []uint8, err error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(answerSDP); err != nil {
		return 0, nil, fmt.Errorf("answer: %w", err)
	}
	want := strings.ToLower(strings.TrimPrefix(codec.params().MimeType, "audio/")) + "/"
	found := false
	for _, m := range sd.MediaDescriptions {
		for _, a := range m.Attributes {
			ptStr, enc, _ := strings.Cut(a.Value, " ")
			pt, err := strconv.Atoi(ptStr)
			if a.Key != "rtpmap" || err != nil || pt < 0 || pt > 127 {
				continue
			}
			switch enc = strings.ToLower(enc); {
			case strings.HasPrefix(enc, "telephone-event/"):
				dtmf = append(dtmf, uint8(pt))
			case strings.HasPrefix(enc, want) && !found:
				audioPT, found = uint8(pt), true
			}
		}
	}
	if !found {
		return 0, nil, fmt.Errorf("answer: no %s", codec)
	}
	return audioPT, dtmf, nil
}

// slogFactory sends pion's logs to slog: errors and warnings as Warn
// (they are about a peer, not about us), the rest as Debug.
type slogFactory struct{ log *slog.Logger }

func (f slogFactory) NewLogger(scope string) logging.LeveledLogger {
	return slogLogger{f.log.With("pion", scope)}
}

type slogLogger struct{ l *slog.Logger }

func (s slogLogger) logf(level slog.Level, format string, args ...any) {
	if s.l.Enabled(context.Background(), level) {
		s.l.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (s slogLogger) Trace(msg string)                  {}
func (s slogLogger) Tracef(format string, args ...any) {}
func (s slogLogger) Debug(msg string)                  { s.logf(slog.LevelDebug, "%s", msg) }
func (s slogLogger) Debugf(format string, args ...any) { s.logf(slog.LevelDebug, format, args...) }
func (s slogLogger) Info(msg string)                   { s.logf(slog.LevelDebug, "%s", msg) }
func (s slogLogger) Infof(format string, args ...any)  { s.logf(slog.LevelDebug, format, args...) }
func (s slogLogger) Warn(msg string)                   { s.logf(slog.LevelWarn, "%s", msg) }
func (s slogLogger) Warnf(format string, args ...any)  { s.logf(slog.LevelWarn, format, args...) }
func (s slogLogger) Error(msg string)                  { s.logf(slog.LevelWarn, "%s", msg) }
func (s slogLogger) Errorf(format string, args ...any) { s.logf(slog.LevelWarn, format, args...) }
