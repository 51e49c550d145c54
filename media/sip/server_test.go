package sip

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// uac is a minimal hand-written SIP caller over UDP for driving the server.
type uac struct {
	t    *testing.T
	conn *net.UDPConn
	dst  *net.UDPAddr
}

func newUAC(t *testing.T, addr string) *uac {
	t.Helper()
	dst, _ := net.ResolveUDPAddr("udp", addr)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &uac{t: t, conn: c, dst: dst}
}

func (u *uac) port() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

func (u *uac) send(msg string) {
	u.t.Helper()
	msg = strings.ReplaceAll(msg, "\n", "\r\n")
	if _, err := u.conn.WriteToUDP([]byte(msg), u.dst); err != nil {
		u.t.Fatal(err)
	}
}

// expect reads responses until one with the given status arrives.
func (u *uac) expect(status int) string {
	u.t.Helper()
	buf := make([]byte, 8192)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		u.conn.SetReadDeadline(deadline)
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			break
		}
		msg := string(buf[:n])
		if strings.HasPrefix(msg, "SIP/2.0 "+strconv.Itoa(status)) {
			return msg
		}
	}
	u.t.Fatalf("no %d response", status)
	return ""
}

func headers(u *uac, method, callID string, cseq int, toTag string) string {
	to := "<sip:hotline@127.0.0.1>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	return fmt.Sprintf("%s sip:hotline@%s SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d-%s\n"+
		"From: <sip:91234567@127.0.0.1>;tag=caller1\nTo: %s\nCall-ID: %s\nCSeq: %d %s\n"+
		"Contact: <sip:91234567@127.0.0.1:%d>\nMax-Forwards: 70\n",
		method, u.dst, u.port(), callID, cseq, method, to, callID, cseq, method, u.port())
}

func invite(u *uac, callID, sdpBody string) string {
	sdpBody = strings.ReplaceAll(sdpBody, "\n", "\r\n")
	return headers(u, "INVITE", callID, 1, "") +
		fmt.Sprintf("Content-Type: application/sdp\nContent-Length: %d\n\n", len(sdpBody)) + strings.ReplaceAll(sdpBody, "\r\n", "\n")
}

const pcmuOffer = `v=0
o=t 1 1 IN IP4 127.0.0.1
s=t
c=IN IP4 127.0.0.1
t=0 0
m=audio 40000 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`

const g729Offer = `v=0
o=t 1 1 IN IP4 127.0.0.1
s=t
c=IN IP4 127.0.0.1
t=0 0
m=audio 40000 RTP/AVP 18
a=rtpmap:18 G729/8000
`

func startServer(t *testing.T, h Handler) *Server {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Transports = []string{"udp"}
	cfg.RTPPortMin, cfg.RTPPortMax = 42000, 42100
	s, err := NewServer(cfg, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-errc
		s.Close()
	})
	time.Sleep(50 * time.Millisecond)
	return s
}

func TestOptions(t *testing.T) {
	s := startServer(t, HandlerFunc(func(context.Context, *Call) {}))
	u := newUAC(t, s.cfg.Addr)
	u.send(headers(u, "OPTIONS", "opt1", 1, "") + "Content-Length: 0\n\n")
	res := u.expect(200)
	if !strings.Contains(res, "INVITE") || !strings.Contains(res, "application/sdp") {
		t.Errorf("OPTIONS 200 lacks Allow/Accept:\n%s", res)
	}
}

func TestInviteUnsupportedCodec488(t *testing.T) {
	s := startServer(t, HandlerFunc(func(context.Context, *Call) { t.Error("handler must not run") }))
	u := newUAC(t, s.cfg.Addr)
	u.send(invite(u, "g729", g729Offer))
	u.expect(488)
	if s.Stats().Rejected488 != 1 {
		t.Errorf("stats %+v", s.Stats())
	}
}

func TestInviteWithoutSDP488(t *testing.T) {
	s := startServer(t, HandlerFunc(func(context.Context, *Call) {}))
	u := newUAC(t, s.cfg.Addr)
	u.send(headers(u, "INVITE", "nosdp", 1, "") + "Content-Length: 0\n\n")
	u.expect(488)
}

func TestMalformedIgnoredServerStaysUp(t *testing.T) {
	s := startServer(t, HandlerFunc(func(context.Context, *Call) {}))
	u := newUAC(t, s.cfg.Addr)
	for _, junk := range []string{"\x00\x01garbage", "INVITE\n\n", "SIP/2.0 200 OK\nVia: x\n\n",
		"INVITE sip:x SIP/2.0\nContent-Length: 99999\n\nabc", strings.Repeat("A", 4000)} {
		u.send(junk)
	}
	u.send(headers(u, "OPTIONS", "after-junk", 1, "") + "Content-Length: 0\n\n")
	u.expect(200)
}

func TestDrainRejects503(t *testing.T) {
	s := startServer(t, HandlerFunc(func(context.Context, *Call) {}))
	s.Drain()
	u := newUAC(t, s.cfg.Addr)
	u.send(invite(u, "drain", pcmuOffer))
	res := u.expect(503)
	if !strings.Contains(res, "Retry-After") {
		t.Errorf("503 without Retry-After:\n%s", res)
	}
}

func TestInviteAnswerAckBye(t *testing.T) {
	got := make(chan *Call, 1)
	ended := make(chan struct{})
	s := startServer(t, HandlerFunc(func(ctx context.Context, c *Call) {
		got <- c
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Error("BYE did not end the dialog")
		}
		close(ended)
	}))
	u := newUAC(t, s.cfg.Addr)
	u.send(invite(u, "call1", pcmuOffer))
	res := u.expect(200)
	if !strings.Contains(res, "m=audio ") || !strings.Contains(res, "PCMU/8000") || !strings.Contains(res, "telephone-event") {
		t.Fatalf("200 without a PCMU + telephone-event answer:\n%s", res)
	}
	toTag := between(res, ";tag=", "\r\n")
	u.send(headers(u, "ACK", "call1", 1, toTag) + "Content-Length: 0\n\n")
	var c *Call
	select {
	case c = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("handler not started after ACK")
	}
	if c.From != "91234567" || c.To != "hotline" || c.Media.Codec.Name != "PCMU" || c.Media.DTMFPayloadType != 101 {
		t.Errorf("call = %+v", c)
	}
	if s.Active() != 1 {
		t.Errorf("active = %d", s.Active())
	}
	u.send(headers(u, "BYE", "call1", 2, toTag) + "Content-Length: 0\n\n")
	u.expect(200)
	<-ended
	if !c.RemoteHungUp() {
		t.Error("RemoteHungUp = false after the caller's BYE")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil || s.Active() != 0 {
		t.Errorf("wait: %v, active %d", err, s.Active())
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, "\r\nTo:")
	if i < 0 {
		return ""
	}
	s = s[i:]
	j := strings.Index(s, a)
	if j < 0 {
		return ""
	}
	s = s[j+len(a):]
	if k := strings.Index(s, b); k >= 0 {
		s = s[:k]
	}
	if k := strings.IndexAny(s, ";>"); k >= 0 {
		s = s[:k]
	}
	return s
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Addr = "nohost" },
		func(c *Config) { c.Addr = "example.com:5060" },
		func(c *Config) { c.Transports = []string{"sctp"} },
		func(c *Config) { c.RTPPortMin, c.RTPPortMax = 30000, 30000 },
		func(c *Config) { c.PublicIP = "not-an-ip" },
		func(c *Config) { c.MaxCalls = 0 },
	}
	for i, mut := range bad {
		c := DefaultConfig()
		mut(&c)
		if c.Validate() == nil {
			t.Errorf("case %d: want an error", i)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Error(err)
	}
}
