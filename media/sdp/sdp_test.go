package sdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// crlf turns a readable multi-line literal into an SDP body.
func crlf(s string) []byte {
	s = strings.TrimLeft(s, "\n")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// Offers as real clients send them.
var (
	// uac-audio-dtmf.xml after SIPp's keyword substitution.
	offerSIPp = crlf(`
		v=0
		o=sipp 4242 1 IN IP4 127.0.0.1
		s=sipp caller
		c=IN IP4 127.0.0.1
		t=0 0
		m=audio 6000 RTP/AVP 0 101
		a=rtpmap:0 PCMU/8000
		a=rtpmap:101 telephone-event/8000
		a=fmtp:101 0-15
		a=ptime:20
		a=sendrecv`)

	// baresip 1.x with opus, G722, PCMU, PCMA and telephone-event.
	offerBaresip = crlf(`
		v=0
		o=- 1975181172 1106161735 IN IP4 127.0.0.1
		s=-
		c=IN IP4 127.0.0.1
		t=0 0
		a=tool:baresip 1.0.0
		m=audio 10000 RTP/AVP 96 9 0 8 101
		b=AS:128
		a=rtpmap:96 opus/48000/2
		a=fmtp:96 stereo=1;sprop-stereo=1
		a=rtpmap:9 G722/8000
		a=rtpmap:0 PCMU/8000
		a=rtpmap:8 PCMA/8000
		a=rtpmap:101 telephone-event/8000
		a=fmtp:101 0-15
		a=sendrecv
		a=label:1
		a=rtcp-rsize
		a=ssrc:2736692082 cname:sip:caller@127.0.0.1
		a=ptime:20`)

	// baresip 0.5 over IPv6 with speex and a video stream; DTMF on 102.
	offerBaresipV6Video = crlf(`
		v=0
		o=- 953559690 1743778263 IN IP6 fde1:c0fe::7
		s=-
		c=IN IP6 fde1:c0fe::7
		t=0 0
		a=tool:baresip 0.5.0
		m=audio 17882 RTP/AVP 0 8 96 97 101 102
		b=AS:128
		a=rtpmap:0 PCMU/8000
		a=rtpmap:8 PCMA/8000
		a=rtpmap:96 speex/32000/2
		a=rtpmap:97 speex/16000/2
		a=rtpmap:101 speex/8000
		a=rtpmap:102 telephone-event/8000
		a=fmtp:102 0-15
		a=sendrecv
		a=rtcp-mux
		a=ptime:20
		m=video 9010 RTP/AVP 96
		b=AS:384
		a=rtpmap:96 VP8/90000
		a=sendrecv`)

	// A carrier trunk that only does PCMA, media-level c=, no rtpmap for 8.
	offerTrunkPCMA = crlf(`
		v=0
		o=Sonus_UAC 12345 67890 IN IP4 203.0.113.10
		s=SIP Media Capabilities
		t=0 0
		m=audio 31000 RTP/AVP 8 100
		c=IN IP4 203.0.113.20
		a=rtpmap:100 telephone-event/8000
		a=fmtp:100 0-15
		a=maxptime:30
		a=ptime:30`)

	offerG729 = crlf(`
		v=0
		o=- 1 1 IN IP4 198.51.100.7
		s=-
		c=IN IP4 198.51.100.7
		t=0 0
		m=audio 4000 RTP/AVP 18 101
		a=rtpmap:18 G729/8000
		a=fmtp:18 annexb=no
		a=rtpmap:101 telephone-event/8000`)

	offerSAVP = crlf(`
		v=0
		o=- 1975181172 1106161735 IN IP4 192.168.1.1
		s=-
		c=IN IP4 192.168.1.1
		t=0 0
		m=audio 16796 RTP/SAVP 0 8 101
		a=rtpmap:0 PCMU/8000
		a=rtpmap:8 PCMA/8000
		a=rtpmap:101 telephone-event/8000
		a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:vXMep/SIW4iMD21StWgrmy024dJZfOAM7qFFJfsJ
		a=ptime:20`)

	offerVideoOnly = crlf(`
		v=0
		o=- 1 1 IN IP4 198.51.100.7
		s=-
		c=IN IP4 198.51.100.7
		t=0 0
		m=video 5000 RTP/AVP 96
		a=rtpmap:96 VP8/90000`)

	offerRejectedAudio = crlf(`
		v=0
		o=- 1 1 IN IP4 198.51.100.7
		s=-
		c=IN IP4 198.51.100.7
		t=0 0
		m=audio 0 RTP/AVP 0`)

	offerHold = crlf(`
		v=0
		o=- 1 2 IN IP4 198.51.100.7
		s=-
		c=IN IP4 0.0.0.0
		t=0 0
		m=audio 4000 RTP/AVP 0 8
		a=sendonly`)

	offerRecvOnly = crlf(`
		v=0
		o=- 1 2 IN IP4 198.51.100.7
		s=-
		c=IN IP4 198.51.100.7
		t=0 0
		m=audio 4000 RTP/AVP 8 0
		a=recvonly`)

	offerNoConn = crlf(`
		v=0
		o=- 1 1 IN IP4 198.51.100.7
		s=-
		t=0 0
		m=audio 4000 RTP/AVP 0`)

	offerGarbage = []byte("this is not sdp\r\nm=audio\r\n")
)

func testLocal() Local {
	return Local{
		Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000, DTMF: true,
		SessionID: 777, SessionVer: 1,
	}
}

func TestNegotiate(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		name    string
		offer   []byte
		want    Negotiated
		wantErr error
		status  int
	}{
		{"sipp", offerSIPp, Negotiated{Codec: PCMU, DTMFPayloadType: 101,
			Remote: netip.AddrPortFrom(lo, 6000), Ptime: 20, Direction: SendRecv}, nil, 200},
		{"baresip opus first", offerBaresip, Negotiated{Codec: PCMU, DTMFPayloadType: 101,
			Remote: netip.AddrPortFrom(lo, 10000), Ptime: 20, Direction: SendRecv}, nil, 200},
		{"baresip ipv6 + video, dtmf 102", offerBaresipV6Video, Negotiated{Codec: PCMU, DTMFPayloadType: 102,
			Remote: netip.MustParseAddrPort("[fde1:c0fe::7]:17882"), Ptime: 20, Direction: SendRecv}, nil, 200},
		{"pcma trunk, media-level c=", offerTrunkPCMA, Negotiated{Codec: PCMA, DTMFPayloadType: 100,
			Remote: netip.MustParseAddrPort("203.0.113.20:31000"), Ptime: 30, Direction: SendRecv}, nil, 200},
		{"hold c=0.0.0.0 sendonly", offerHold, Negotiated{Codec: PCMU,
			Remote: netip.MustParseAddrPort("0.0.0.0:4000"), Ptime: 20, Direction: RecvOnly, Hold: true}, nil, 200},
		{"recvonly, offerer prefers PCMA", offerRecvOnly, Negotiated{Codec: PCMA,
			Remote: netip.MustParseAddrPort("198.51.100.7:4000"), Ptime: 20, Direction: SendOnly}, nil, 200},
		{"g729 only", offerG729, Negotiated{}, ErrNoCommonCodec, 488},
		{"srtp", offerSAVP, Negotiated{}, ErrUnsupportedTransport, 488},
		{"no audio m-line", offerVideoOnly, Negotiated{}, ErrNoAudio, 488},
		{"audio port 0", offerRejectedAudio, Negotiated{}, ErrUnsupportedTransport, 488},
		{"no c= line", offerNoConn, Negotiated{}, ErrMalformed, 400},
		{"malformed", offerGarbage, Negotiated{}, ErrMalformed, 400},
		{"empty", nil, Negotiated{}, ErrMalformed, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, n, err := Negotiate(tt.offer, testLocal())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := StatusCode(err); got != tt.status {
				t.Errorf("StatusCode = %d, want %d", got, tt.status)
			}
			if n != tt.want {
				t.Errorf("negotiated = %+v\nwant         %+v", n, tt.want)
			}
			if err != nil {
				if answer != nil {
					t.Errorf("answer on error: %q", answer)
				}
				return
			}
			checkAnswer(t, answer, n)
		})
	}
}

// checkAnswer parses our own answer back and checks it says what n says.
func checkAnswer(t *testing.T, answer []byte, n Negotiated) {
	t.Helper()
	d, err := Parse(answer)
	if err != nil {
		t.Fatalf("our answer does not parse: %v\n%s", err, answer)
	}
	var audio int
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media == "audio" && m.MediaName.Port.Value != 0 {
			audio++
			if m.MediaName.Port.Value != 40000 {
				t.Errorf("answer port %d", m.MediaName.Port.Value)
			}
			if f := m.MediaName.Formats[0]; f != itoa(n.Codec.PayloadType) {
				t.Errorf("first format %s, want %d", f, n.Codec.PayloadType)
			}
		}
	}
	if audio != 1 {
		t.Errorf("answer has %d accepted audio streams:\n%s", audio, answer)
	}
	s := string(answer)
	for _, want := range []string{"c=IN IP4 127.0.0.1\r\n", "a=ptime:20\r\n", "a=" + n.Direction + "\r\n", "s=yuecall\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("answer lacks %q:\n%s", want, s)
		}
	}
	if n.DTMFPayloadType != 0 {
		pt := itoa(n.DTMFPayloadType)
		for _, want := range []string{"a=rtpmap:" + pt + " telephone-event/8000", "a=fmtp:" + pt + " 0-16"} {
			if !strings.Contains(s, want) {
				t.Errorf("answer lacks %q:\n%s", want, s)
			}
		}
	}
}

func itoa(v uint8) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{'0' + v%10}, b...)
	}
	return string(b)
}

func TestNegotiateKeepsMLines(t *testing.T) {
	answer, _, err := Negotiate(offerBaresipV6Video, testLocal())
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(answer)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MediaDescriptions) != 2 {
		t.Fatalf("answer has %d m= lines, offer had 2", len(d.MediaDescriptions))
	}
	if v := d.MediaDescriptions[1]; v.MediaName.Media != "video" || v.MediaName.Port.Value != 0 {
		t.Errorf("video not rejected: %s", v.MediaName)
	}
}

func TestNegotiateLocalPreferences(t *testing.T) {
	tests := []struct {
		name  string
		local func(*Local)
		offer []byte
		codec Codec
		dtmf  uint8
	}{
		{"dtmf off", func(l *Local) { l.DTMF = false }, offerSIPp, PCMU, 0},
		{"pcma only local", func(l *Local) { l.Codecs = []Codec{PCMA} }, offerBaresip, PCMA, 101},
		{"offer order wins over ours", func(l *Local) { l.Codecs = []Codec{PCMA, PCMU} }, offerBaresip, PCMU, 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := testLocal()
			tt.local(&l)
			_, n, err := Negotiate(tt.offer, l)
			if err != nil {
				t.Fatal(err)
			}
			if n.Codec != tt.codec || n.DTMFPayloadType != tt.dtmf {
				t.Errorf("got %v dtmf %d, want %v dtmf %d", n.Codec, n.DTMFPayloadType, tt.codec, tt.dtmf)
			}
		})
	}
}

func TestInvalidLocal(t *testing.T) {
	for _, l := range []Local{{}, {Addr: netip.MustParseAddr("127.0.0.1")}, {Addr: netip.MustParseAddr("127.0.0.1"), Port: 70000}} {
		_, _, err := Negotiate(offerSIPp, l)
		if !errors.Is(err, ErrInvalidLocal) || StatusCode(err) != 500 {
			t.Errorf("%+v: err %v status %d", l, err, StatusCode(err))
		}
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	caller := Local{Addr: netip.MustParseAddr("127.0.0.1"), Port: 6000, DTMF: true, SessionID: 1}
	agent := testLocal()
	offer := Offer(caller)
	for _, want := range []string{"m=audio 6000 RTP/AVP 0 8 101\r\n", "a=rtpmap:8 PCMA/8000\r\n", "a=fmtp:101 0-16\r\n", "a=sendrecv\r\n"} {
		if !strings.Contains(string(offer), want) {
			t.Errorf("offer lacks %q:\n%s", want, offer)
		}
	}
	answer, agentSide, err := Negotiate(offer, agent)
	if err != nil {
		t.Fatal(err)
	}
	callerSide, err := ParseAnswer(answer, caller)
	if err != nil {
		t.Fatal(err)
	}
	if agentSide.Remote != netip.MustParseAddrPort("127.0.0.1:6000") || callerSide.Remote != netip.MustParseAddrPort("127.0.0.1:40000") {
		t.Errorf("remotes %v / %v", agentSide.Remote, callerSide.Remote)
	}
	if agentSide.Codec != PCMU || callerSide.Codec != PCMU || callerSide.DTMFPayloadType != 101 {
		t.Errorf("agent %+v caller %+v", agentSide, callerSide)
	}
}

func TestParseAnswer(t *testing.T) {
	l := testLocal()
	tests := []struct {
		name    string
		answer  []byte
		dir     string
		wantErr error
	}{
		{"sendrecv", offerSIPp, SendRecv, nil},
		{"peer recvonly -> we sendonly", offerRecvOnly, SendOnly, nil},
		{"peer rejected audio", offerRejectedAudio, "", ErrNoCommonCodec},
		{"peer answered g729", offerG729, "", ErrNoCommonCodec},
		{"no audio", offerVideoOnly, "", ErrNoAudio},
		{"garbage", offerGarbage, "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseAnswer(tt.answer, l)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if n.Direction != tt.dir {
				t.Errorf("direction %q, want %q", n.Direction, tt.dir)
			}
		})
	}
}

func TestStatusCodeOther(t *testing.T) {
	if got := StatusCode(errors.New("boom")); got != 500 {
		t.Errorf("StatusCode(other) = %d", got)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, seed := range [][]byte{offerSIPp, offerBaresip, offerBaresipV6Video, offerTrunkPCMA, offerG729,
		offerSAVP, offerVideoOnly, offerRejectedAudio, offerHold, offerNoConn, offerGarbage} {
		f.Add(seed)
	}
	local := testLocal()
	f.Fuzz(func(t *testing.T, offer []byte) {
		answer, n, err := Negotiate(offer, local)
		if code := StatusCode(err); code != 200 && code != 400 && code != 488 {
			t.Fatalf("unexpected status %d for %v", code, err)
		}
		if err != nil {
			return
		}
		if _, err := Parse(answer); err != nil {
			t.Fatalf("answer does not parse: %v\n%s", err, answer)
		}
		if !n.Remote.IsValid() || n.Codec.Name == "" {
			t.Fatalf("bad negotiated %+v", n)
		}
	})
}
