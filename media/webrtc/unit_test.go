package webrtc

import (
	"errors"
	"strings"
	"testing"
	"time"

	pion "github.com/pion/webrtc/v4"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"test", func(c *Config) { *c = testConfig() }, true},
		{"pcmu only", func(c *Config) { c.Codecs = []Codec{CodecPCMU} }, true},
		{"no codecs", func(c *Config) { c.Codecs = nil }, false},
		{"unknown codec", func(c *Config) { c.Codecs = []Codec{"g722"} }, false},
		{"codec twice", func(c *Config) { c.Codecs = []Codec{CodecOpus, CodecOpus} }, false},
		{"stun", func(c *Config) { c.ICE.Servers = []ICEServer{{URLs: []string{"stun:stun.example.hk:3478"}}} }, true},
		{"turn with credentials", func(c *Config) {
			c.ICE.Servers = []ICEServer{{URLs: []string{"turns:turn.example.hk:443"}, Username: "u", Credential: "p"}}
		}, true},
		{"turn without credentials", func(c *Config) { c.ICE.Servers = []ICEServer{{URLs: []string{"turn:turn.example.hk"}}} }, false},
		{"server without urls", func(c *Config) { c.ICE.Servers = []ICEServer{{}} }, false},
		{"http url", func(c *Config) { c.ICE.Servers = []ICEServer{{URLs: []string{"http://x"}}} }, false},
		{"bad ip", func(c *Config) { c.ICE.IPs = []string{"10.0.0"} }, false},
		{"bad nat ip", func(c *Config) { c.ICE.NAT1To1IPs = []string{"example.hk"} }, false},
		{"nat ip", func(c *Config) { c.ICE.NAT1To1IPs = []string{"203.0.113.7"} }, true},
		{"empty interface", func(c *Config) { c.ICE.Interfaces = []string{" "} }, false},
		{"ports any", func(c *Config) { c.ICE.PortMin, c.ICE.PortMax = 0, 0 }, true},
		{"ports reversed", func(c *Config) { c.ICE.PortMin, c.ICE.PortMax = 40000, 30000 }, false},
		{"ports low", func(c *Config) { c.ICE.PortMin = 80 }, false},
		{"disconnect 0", func(c *Config) { c.ICE.DisconnectTimeout = 0 }, false},
		{"message 1k", func(c *Config) { c.MaxMessageBytes = 1024 }, false},
		{"message 2M", func(c *Config) { c.MaxMessageBytes = 2 << 20 }, false},
		{"origin", func(c *Config) { c.AllowedOrigins = []string{"https://call.example.hk:8443", "*"} }, true},
		{"origin with path", func(c *Config) { c.AllowedOrigins = []string{"https://call.example.hk/x"} }, false},
		{"origin bare host", func(c *Config) { c.AllowedOrigins = []string{"call.example.hk"} }, false},
		{"connect timeout 0", func(c *Config) { c.ConnectTimeout = 0 }, false},
		{"max calls 0", func(c *Config) { c.MaxCalls = 0 }, false},
		{"send queue 0", func(c *Config) { c.SendQueue = 0 }, false},
		{"jitter 0", func(c *Config) { c.JitterFrames = 0 }, false},
		{"message queue 0", func(c *Config) { c.MessageQueue = 0 }, false},
		{"opus bitrate", func(c *Config) { c.OpusBitrate = 1000 }, false},
		{"opus complexity", func(c *Config) { c.OpusComplexity = 11 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			err := c.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("%v does not wrap ErrInvalidConfig", err)
			}
			if err != nil && strings.Contains(err.Error(), "p\"") {
				t.Fatalf("error leaks a credential: %v", err)
			}
		})
	}
}

func TestParseMessage(t *testing.T) {
	cases := []struct {
		in      string
		typ     string
		err     error
		digit   rune
		endCand bool
	}{
		{`{"type":"offer","sdp":"v=0\r\n"}`, msgOffer, nil, 0, false},
		{`{"type":"offer","sdp":""}`, "", errMalformed, 0, false},
		{`{"type":"offer"}`, "", errMalformed, 0, false},
		{`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}`, msgCandidate, nil, 0, false},
		{`{"type":"candidate","candidate":null}`, msgCandidate, nil, 0, true},
		{`{"type":"candidate"}`, msgCandidate, nil, 0, true},
		{`{"type":"candidate","candidate":{"candidate":""}}`, msgCandidate, nil, 0, true},
		{`{"type":"candidate","candidate":"x"}`, "", errMalformed, 0, false},
		{`{"type":"dtmf","digit":"#"}`, msgDTMF, nil, '#', false},
		{`{"type":"dtmf","digit":"d"}`, msgDTMF, nil, 'D', false},
		{`{"type":"dtmf","digit":"12"}`, "", errMalformed, 0, false},
		{`{"type":"dtmf","digit":"x"}`, "", errMalformed, 0, false},
		{`{"type":"hangup"}`, msgHangup, nil, 0, false},
		{`{"type":"answer","sdp":"v=0"}`, "", errUnknownType, 0, false},
		{`{"type":"transcript"}`, "", errUnknownType, 0, false},
		{`{"type":7}`, "", errMalformed, 0, false},
		{`{}`, "", errMalformed, 0, false},
		{`[]`, "", errMalformed, 0, false},
		{`null`, "", errMalformed, 0, false},
		{`{"type":"hangup"`, "", errMalformed, 0, false},
	}
	for _, tc := range cases {
		m, err := parseMessage([]byte(tc.in))
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: err %v, want %v", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || m.Type != tc.typ || m.Digit != tc.digit || (m.Type == msgCandidate && (m.Candidate == nil) != tc.endCand) {
			t.Errorf("%s: %+v, %v", tc.in, m, err)
		}
	}
}

func TestParseOffer(t *testing.T) {
	offer := func(formats string, maps ...string) string {
		s := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF " + formats + "\r\n"
		for _, m := range maps {
			s += "a=rtpmap:" + m + "\r\n"
		}
		return s
	}
	chrome := offer("111 9 0 8 110 126", "111 opus/48000/2", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000",
		"110 telephone-event/48000", "126 telephone-event/8000")
	cases := []struct {
		name  string
		sdp   string
		prefs []Codec
		want  Codec
		err   error
	}{
		{"chrome, opus first", chrome, []Codec{CodecOpus, CodecPCMU}, CodecOpus, nil},
		{"chrome, pcmu first", chrome, []Codec{CodecPCMU, CodecOpus}, CodecPCMU, nil},
		{"static pcmu without rtpmap", offer("0"), []Codec{CodecOpus, CodecPCMU}, CodecPCMU, nil},
		{"g722 only", offer("9", "9 G722/8000"), []Codec{CodecOpus, CodecPCMU}, "", errIncompatible},
		{"opus only, pcmu wanted", offer("111", "111 opus/48000/2"), []Codec{CodecPCMU}, "", errIncompatible},
		{"no audio", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n", []Codec{CodecOpus}, "", errIncompatible},
	}
	for _, tc := range cases {
		got, err := parseOffer(tc.sdp, tc.prefs)
		if !errors.Is(err, tc.err) || got.codec != tc.want {
			t.Errorf("%s: %q, %v; want %q, %v", tc.name, got.codec, err, tc.want, tc.err)
		}
	}
	if _, err := parseOffer("v=0\r\nbogus", []Codec{CodecOpus}); err == nil {
		t.Error("garbage SDP accepted")
	}
}

// TestBadOffers: an offer that cannot be applied is answered with an
// error and the browser may try again; an offer without a common codec
// ends the call.
func TestBadOffers(t *testing.T) {
	h := startServer(t, func(c *Config) { c.Codecs = []Codec{CodecPCMU} }, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cl.send(map[string]any{"type": "offer", "sdp": "v=0\r\nbogus\r\n"})
	if m := cl.expect("error", 2*time.Second); m["code"] != codeBadOffer {
		t.Errorf("garbage SDP: %v", m)
	}
	cl.call(opusParams) // PCMU is all this server takes
	if m := cl.expect("error", 2*time.Second); m["code"] != codeIncompatible {
		t.Errorf("opus-only offer: %v", m)
	}
	if m := cl.expect("state", 2*time.Second); m["state"] != "ended" || m["reason"] != codeIncompatible {
		t.Errorf("state %v", m)
	}
	cl.waitClosed(2 * time.Second)
}

var _ = pion.MimeTypeOpus
