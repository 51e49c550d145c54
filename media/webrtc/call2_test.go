package webrtc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/audio"
)

// TestPCMUCall: a browser offering only PCMU gets PCMU both ways, and the
// bot hangs up (Hangup returns after teardown; the browser is told).
func TestPCMUCall(t *testing.T) {
	h := startServer(t, nil, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cl.call(pcmuParams)
	cl.connected()
	c := h.nextCall(t)
	if c.Codec() != CodecPCMU {
		t.Fatalf("codec %q", c.Codec())
	}
	sink := &collector{rate: 8000} // a sink at another rate gets resampled audio
	c.SetSink(sink)
	if err := c.Enqueue(tone16k(500 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	cl.sendPackets(pcmuTone(40), 160)
	waitFor(t, 3*time.Second, "caller audio", func() bool { return len(sink.samples()) >= 8000*7/10 })
	if seg := sink.samples()[1600:6400]; !audio.FindTone(seg, 8000, 440) {
		t.Errorf("server sink: 440 Hz ratio %.3f", audio.ToneRatio(seg, 8000, 440))
	}
	waitFor(t, 3*time.Second, "bot audio", func() bool { return len(cl.received()) >= 25 })
	var pcm audio.PCM16
	for _, p := range cl.received() {
		if p.pt != 0 || len(p.payload) != 160 {
			t.Fatalf("packet pt %d, %d bytes; want PCMU 160", p.pt, len(p.payload))
		}
		pcm = audio.DecodeULaw(pcm, p.payload)
	}
	if seg := pcm[800 : len(pcm)-800]; !audio.FindTone(seg, 8000, 440) {
		t.Errorf("client: 440 Hz ratio %.3f", audio.ToneRatio(seg, 8000, 440))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done open after Hangup returned")
	}
	if _, ok := <-c.DTMF(); ok {
		t.Error("DTMF channel open after Hangup")
	}
	if m := cl.expect("state", 2*time.Second); m["state"] != "ended" || m["reason"] != "hangup" {
		t.Errorf("final state %v", m)
	}
	var ce *websocket.CloseError
	if err := cl.waitClosed(3 * time.Second); !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Errorf("close %v, want 1000", err)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Errorf("second Hangup: %v", err)
	}
	waitFor(t, 5*time.Second, "call goroutines to end", func() bool { return callGoroutines() == 0 })
}

// TestFlushAndPause: Flush drops queued audio within one frame; Pause
// holds it and lets it go on where it stopped.
func TestFlushAndPause(t *testing.T) {
	h := startServer(t, nil, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cl.call(opusParams)
	cl.connected()
	c := h.nextCall(t)

	if err := c.Enqueue(tone16k(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "some audio out", func() bool { return c.Sent() >= 200*time.Millisecond })
	sent := c.Sent()
	dropped := c.Flush()
	if c.Pending() != 0 || dropped < 1500*time.Millisecond || dropped > 1800*time.Millisecond+20*time.Millisecond {
		t.Fatalf("Flush dropped %v after %v sent; pending %v", dropped, sent, c.Pending())
	}
	time.Sleep(100 * time.Millisecond)
	if after := c.Sent(); after-sent > 20*time.Millisecond || after+dropped > 2*time.Second+20*time.Millisecond {
		t.Errorf("after Flush: sent %v -> %v (dropped %v); want at most one more frame", sent, after, dropped)
	}

	base := c.Sent()
	if err := c.Enqueue(tone16k(time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "audio resumes", func() bool { return c.Sent()-base >= 100*time.Millisecond })
	c.Pause(true)
	held := c.Sent()
	time.Sleep(200 * time.Millisecond)
	if d := c.Sent() - held; d > 20*time.Millisecond {
		t.Errorf("paused but %v more sent", d)
	}
	if p := c.Pending(); p+(c.Sent()-base) != time.Second {
		t.Errorf("pending %v + sent %v != 1s", p, c.Sent()-base)
	}
	c.Pause(false)
	waitFor(t, 3*time.Second, "queue to drain", func() bool { return c.Pending() == 0 })
	waitFor(t, time.Second, "last frame", func() bool { return c.Sent()-base == time.Second })
	// The RTP timestamp kept running while paused: a gap, then a new talkspurt.
	rx := cl.received()
	gaps := 0
	for i := 1; i < len(rx); i++ {
		if d := rx[i].ts - rx[i-1].ts; d > 960*5 && rx[i].marker {
			gaps++
		}
	}
	if gaps < 1 {
		t.Errorf("no timestamp gap with a marker after the pause")
	}
}

// TestHangups: the call ends and Done closes when the socket closes, when
// the peer connection dies, and when the handler returns.
func TestHangups(t *testing.T) {
	cases := []struct {
		name   string
		fn     func(ctx context.Context, c *Call) // handler body
		act    func(cl *testClient)
		reason string
	}{
		{"socket closed", nil, func(cl *testClient) { _ = cl.ws.Close() }, "socket_closed"},
		// DTLS close_notify ends it at once; if that alert is lost, ICE fails.
		{"peer closed", nil, func(cl *testClient) { _ = cl.peer().Close() }, "peer_closed|ice_failed"},
		{"handler returned", func(context.Context, *Call) {}, func(*testClient) {}, "hangup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startServer(t, func(c *Config) { c.ICE.DisconnectTimeout = 2 * time.Second }, tc.fn)
			cl, _, err := dial(t, h.url, "")
			if err != nil {
				t.Fatal(err)
			}
			cl.call(opusParams)
			cl.connected()
			c := h.nextCall(t)
			tc.act(cl)
			waitDone(t, c, 5*time.Second)
			if r := c.EndReason(); !slices.Contains(strings.Split(tc.reason, "|"), r) {
				t.Errorf("reason %q, want %q", r, tc.reason)
			}
			waitFor(t, 5*time.Second, "call goroutines to end", func() bool { return callGoroutines() == 0 })
			if h.srv.Active() != 0 {
				t.Errorf("active %d", h.srv.Active())
			}
		})
	}
}

// TestOrigin: browsers from other origins are refused with 403.
func TestOrigin(t *testing.T) {
	cases := []struct {
		name    string
		allowed []string
		origin  string // "self" = the server's own origin
		ok      bool
	}{
		{"no origin (not a browser)", nil, "", true},
		{"same host", nil, "self", true},
		{"other host", nil, "http://evil.example", false},
		{"listed", []string{"https://call.example.hk"}, "https://call.example.hk", true},
		{"listed, case", []string{"https://Call.Example.hk"}, "https://call.example.HK", true},
		{"not listed", []string{"https://call.example.hk"}, "https://evil.example", false},
		{"wrong scheme", []string{"https://call.example.hk"}, "http://call.example.hk", false},
		{"wildcard", []string{"*"}, "https://anything.example", true},
		{"garbage", nil, "::::", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startServer(t, func(c *Config) { c.AllowedOrigins = tc.allowed }, nil)
			origin := tc.origin
			if origin == "self" {
				origin = "http" + strings.TrimPrefix(h.url, "ws")
			}
			cl, resp, err := dial(t, h.url, origin)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				cl.expect("config", 2*time.Second)
				return
			}
			if err == nil || resp == nil || resp.StatusCode != 403 {
				t.Fatalf("err %v, resp %v; want 403", err, resp)
			}
		})
	}
}

// TestOversizeMessage: a message over MaxMessageBytes closes the socket
// with 1008 (policy violation) and ends the call.
func TestOversizeMessage(t *testing.T) {
	h := startServer(t, nil, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cl.expect("config", 2*time.Second)
	cl.send(map[string]any{"type": "offer", "sdp": "v=0\r\n" + strings.Repeat("a", 64<<10)})
	var ce *websocket.CloseError
	if err := cl.waitClosed(3 * time.Second); !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("close %v, want 1008", err)
	}
	waitFor(t, 3*time.Second, "call to end", func() bool { return h.srv.Active() == 0 })
}

// TestDrainAndBusy: while draining, and at MaxCalls, a new socket gets an
// error message and close status 1013; calls in progress go on.
func TestDrainAndBusy(t *testing.T) {
	h := startServer(t, func(c *Config) { c.MaxCalls = 1 }, nil)
	first, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	first.expect("config", 2*time.Second)
	waitFor(t, 2*time.Second, "first call active", func() bool { return h.srv.Active() == 1 })
	refused := func(code string) {
		t.Helper()
		cl, _, err := dial(t, h.url, "")
		if err != nil {
			t.Fatal(err)
		}
		if m := cl.expect("error", 2*time.Second); m["code"] != code || m["message"] == "" {
			t.Errorf("error %v, want code %s", m, code)
		}
		if m := cl.expect("state", 2*time.Second); m["state"] != "ended" || m["reason"] != code {
			t.Errorf("state %v", m)
		}
		var ce *websocket.CloseError
		if err := cl.waitClosed(3 * time.Second); !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
			t.Errorf("close %v, want 1013", err)
		}
	}
	refused(codeBusy)
	h.srv.Drain()
	refused(codeDraining)
	first.send(map[string]any{"type": "dtmf", "digit": "x"})
	if m := first.expect("error", 2*time.Second); m["code"] != codeBadMessage {
		t.Errorf("call in progress: %v", m)
	}
	if s := h.srv.Stats(); s.Busy != 1 || s.Draining != 1 || s.Active != 1 {
		t.Errorf("server stats %+v", s)
	}
}

// TestConnectTimeout: no offer within ConnectTimeout ends the call.
func TestConnectTimeout(t *testing.T) {
	h := startServer(t, func(c *Config) { c.ConnectTimeout = 300 * time.Millisecond }, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	if m := cl.expect("error", 2*time.Second); m["code"] != codeTimeout {
		t.Errorf("error %v", m)
	}
	if m := cl.expect("state", 2*time.Second); m["reason"] != "connect_timeout" {
		t.Errorf("state %v", m)
	}
	cl.waitClosed(2 * time.Second)
	waitFor(t, 2*time.Second, "failed count", func() bool { return h.srv.Stats().Failed == 1 })
}

// TestSendQueue: Call.Send refuses protocol types, and never blocks when
// the browser stops reading: messages beyond MessageQueue are dropped.
func TestSendQueue(t *testing.T) {
	h := startServer(t, func(c *Config) { c.MessageQueue = 8 }, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cl.call(opusParams)
	cl.connected()
	c := h.nextCall(t)
	for _, bad := range []any{"text", 42, map[string]any{"text": "no type"}, map[string]any{"type": "state"},
		map[string]any{"type": ""}, func() {}} {
		if err := c.Send(bad); !errors.Is(err, ErrBadMessage) {
			t.Errorf("Send(%T %v) = %v, want ErrBadMessage", bad, bad, err)
		}
	}
	cl.gate.Lock() // the browser stops reading
	big := map[string]any{"type": "transcript", "text": strings.Repeat("字", 20000)}
	full, slowest := 0, time.Duration(0)
	for range 400 { // 24 MB: more than the socket buffers hold
		start := time.Now()
		if err := c.Send(big); errors.Is(err, ErrMessageQueueFull) {
			full++
		} else if err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 200*time.Millisecond {
		t.Errorf("a Send took %v: Send blocks", slowest)
	}
	cl.gate.Unlock()
	if s := c.Stats(); full == 0 || s.ExtraDropped != uint64(full) {
		t.Errorf("%d refused, stats %+v", full, s)
	}
	cl.expect("transcript", 3*time.Second)
}
