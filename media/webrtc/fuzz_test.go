package webrtc

import (
	"errors"
	"testing"
)

// FuzzParseMessage: any bytes from the browser parse to a message or to
// an error wrapping errMalformed or errUnknownType, never a panic, and a
// parsed message is internally consistent.
func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"offer","sdp":"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}`,
		`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}`,
		`{"type":"candidate","candidate":null}`,
		`{"type":"dtmf","digit":"*"}`,
		`{"type":"hangup"}`,
		`{"type":"x"}`, `{"type":null}`, `{"type":"dtmf","digit":"\u0000"}`, `[1,2]`, `"str"`, ``,
		`{"type":"candidate","candidate":{"sdpMLineIndex":70000}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errUnknownType) {
				t.Fatalf("error %v is neither malformed nor unknown type", err)
			}
			return
		}
		switch m.Type {
		case msgOffer:
			if len(m.SDP) < 3 {
				t.Fatalf("offer without SDP: %+v", m)
			}
		case msgDTMF:
			if _, ok := dtmfDigit(string(m.Digit)); !ok {
				t.Fatalf("bad digit %q accepted", m.Digit)
			}
		case msgCandidate:
			if m.Candidate != nil && m.Candidate.Candidate == "" {
				t.Fatalf("empty candidate not turned into end-of-candidates")
			}
		case msgHangup:
		default:
			t.Fatalf("type %q accepted", m.Type)
		}
	})
}

// FuzzParseOffer: offers (outside input) never panic the codec choice.
func FuzzParseOffer(f *testing.F) {
	f.Add("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n")
	f.Add("v=0\r\nm=audio 9 RTP/AVP 0\r\n")
	f.Add("v=0\r\nm=audio\r\na=rtpmap:\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseOffer(s, []Codec{CodecOpus, CodecPCMU})
		if err == nil && got.codec != CodecOpus && got.codec != CodecPCMU {
			t.Fatalf("codec %q", got.codec)
		}
		_, _, _ = negotiatedPTs(s, CodecOpus)
	})
}
