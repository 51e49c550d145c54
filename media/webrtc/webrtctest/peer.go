package webrtctest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	pion "github.com/pion/webrtc/v4"

	"github.com/yuecall/yuecall/media/webrtc"
)

// Codec parameters as browsers offer them (RFC 7587 §7, RFC 3551, RFC 4733 §7).
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

func codecParams(c webrtc.Codec) pion.RTPCodecParameters {
	if c == webrtc.CodecPCMU {
		return pcmuParams
	}
	return opusParams
}

// newPeer builds a peer connection that offers only codec (and
// telephone-event) and gathers IPv4 loopback host candidates only.
func newPeer(codec webrtc.Codec, servers []pion.ICEServer, log *slog.Logger) (*pion.PeerConnection, *rawTrack, error) {
	m := &pion.MediaEngine{}
	params := codecParams(codec)
	for _, p := range append([]pion.RTPCodecParameters{params}, dtmfParams...) {
		if err := m.RegisterCodec(p, pion.RTPCodecTypeAudio); err != nil {
			return nil, nil, fmt.Errorf("webrtctest: register %s: %w", p.MimeType, err)
		}
	}
	var se pion.SettingEngine
	se.LoggerFactory = slogFactory{log}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	api := pion.NewAPI(pion.WithMediaEngine(m), pion.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(pion.Configuration{ICEServers: servers})
	if err != nil {
		return nil, nil, fmt.Errorf("webrtctest: peer: %w", err)
	}
	track := &rawTrack{codec: params.RTPCodecCapability, bound: make(chan struct{})}
	if _, err := pc.AddTrack(track); err != nil {
		_ = pc.Close()
		return nil, nil, fmt.Errorf("webrtctest: add track: %w", err)
	}
	return pc, track, nil
}

// rawTrack is a TrackLocal that writes RTP headers as given, so audio and
// telephone-event packets share one SSRC with their own payload types, as
// a browser's RTCDTMFSender does.
type rawTrack struct {
	codec pion.RTPCodecCapability
	once  sync.Once
	bound chan struct{} // closed by the first Bind

	// Set by Bind before bound is closed.
	w               pion.TrackLocalWriter
	ssrc            uint32
	audioPT, dtmfPT uint8
}

// Bind picks the negotiated payload types of the codec and of the
// telephone-event at the codec's clock rate.
func (t *rawTrack) Bind(ctx pion.TrackLocalContext) (pion.RTPCodecParameters, error) {
	var out pion.RTPCodecParameters
	var audioPT, dtmfPT uint8
	for _, p := range ctx.CodecParameters() {
		switch {
		case strings.EqualFold(p.MimeType, t.codec.MimeType):
			out, audioPT = p, uint8(p.PayloadType)
		case strings.EqualFold(p.MimeType, "audio/telephone-event") && p.ClockRate == t.codec.ClockRate:
			dtmfPT = uint8(p.PayloadType)
		}
	}
	if out.MimeType == "" {
		return out, pion.ErrUnsupportedCodec
	}
	t.once.Do(func() {
		t.w, t.ssrc, t.audioPT, t.dtmfPT = ctx.WriteStream(), uint32(ctx.SSRC()), audioPT, dtmfPT
		close(t.bound)
	})
	return out, nil
}

// Unbind does nothing: the track is bound once per call.
func (t *rawTrack) Unbind(pion.TrackLocalContext) error { return nil }

// ID names the track.
func (t *rawTrack) ID() string { return "audio" }

// RID is empty (no simulcast).
func (t *rawTrack) RID() string { return "" }

// StreamID names the media stream.
func (t *rawTrack) StreamID() string { return "webrtctest" }

// Kind is audio.
func (t *rawTrack) Kind() pion.RTPCodecType { return pion.RTPCodecTypeAudio }

// write sends one packet; the track must be bound.
func (t *rawTrack) write(pt uint8, marker bool, seq uint16, ts uint32, payload []byte) error {
	h := &rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: t.ssrc, Marker: marker}
	_, err := t.w.WriteRTP(h, payload)
	return err
}

// slogFactory sends pion's logs to slog at Debug (Warn for its warnings
// and errors).
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

func (s slogLogger) Trace(string)                      {}
func (s slogLogger) Tracef(string, ...any)             {}
func (s slogLogger) Debug(msg string)                  { s.logf(slog.LevelDebug, "%s", msg) }
func (s slogLogger) Debugf(format string, args ...any) { s.logf(slog.LevelDebug, format, args...) }
func (s slogLogger) Info(msg string)                   { s.logf(slog.LevelDebug, "%s", msg) }
func (s slogLogger) Infof(format string, args ...any)  { s.logf(slog.LevelDebug, format, args...) }
func (s slogLogger) Warn(msg string)                   { s.logf(slog.LevelWarn, "%s", msg) }
func (s slogLogger) Warnf(format string, args ...any)  { s.logf(slog.LevelWarn, format, args...) }
func (s slogLogger) Error(msg string)                  { s.logf(slog.LevelWarn, "%s", msg) }
func (s slogLogger) Errorf(format string, args ...any) { s.logf(slog.LevelWarn, format, args...) }
