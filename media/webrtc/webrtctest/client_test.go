package webrtctest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/webrtc"
)

// TestCall is a whole call per codec against media/webrtc's Server: audio
// both ways (found as a tone on the far side), paced sending, RFC 4733 and
// signalled digits, an application message, stats, and the caller's
// hang-up.
func TestCall(t *testing.T) {
	for _, codec := range []webrtc.Codec{webrtc.CodecOpus, webrtc.CodecPCMU} {
		t.Run(string(codec), func(t *testing.T) {
			s := startServer(t, nil)
			cl := dial(t, s, Options{Codec: codec})
			call := s.nextCall(t)
			if call.Codec() != codec {
				t.Fatalf("server negotiated %q, want %q", call.Codec(), codec)
			}
			sink := &collector{}
			call.SetSink(sink)
			if err := call.Enqueue(tone(600*time.Millisecond, 440)); err != nil {
				t.Fatal(err)
			}
			if err := cl.Send(tone(time.Second, 660)); err != nil {
				t.Fatal(err)
			}
			checkAudio(t, cl, sink)
			checkDigits(t, cl, call)
			if err := call.Send(map[string]any{"type": "transcript", "speaker": "bot", "text": "你好"}); err != nil {
				t.Fatal(err)
			}
			ctx := ctxTimeout(t, 5*time.Second)
			m, err := cl.WaitMessage(ctx, func(m Message) bool { return m.Type == "transcript" })
			if err != nil || m.String("text") != "你好" || m.String("speaker") != "bot" {
				t.Errorf("transcript %+v, %v", m.Fields, err)
			}
			if _, err := cl.WaitMessage(ctx, func(m Message) bool { return m.Type == "stats" && m.Number("rx_packets") > 40 }); err != nil {
				t.Errorf("no stats counting our packets: %v", err)
			}
			if err := cl.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			if r := cl.EndReason(); r != "remote_hangup" {
				t.Errorf("client end reason %q", r)
			}
			waitFor(t, 5*time.Second, "server end", func() bool { return call.EndReason() == "remote_hangup" })
			if st := cl.Stats(); st.PacketsSent < 50 || st.PacketsReceived < 25 || st.ReceiveErrors != 0 || st.BadMessages != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// checkAudio: the bot's tone decoded by the client, the caller's tone
// decoded by the server, and the caller's frames sent 20 ms apart.
func checkAudio(t *testing.T, cl *Client, sink *collector) {
	t.Helper()
	ctx := ctxTimeout(t, 5*time.Second)
	if err := cl.WaitReceived(ctx, func(f []Frame) bool { return len(f) >= 30 }); err != nil {
		t.Fatalf("bot audio: %v (%d frames)", err, len(cl.Received()))
	}
	got := concat(cl.Received())
	if seg := got[len(got)/4 : len(got)*3/4]; !audio.FindTone(seg, Rate, 440) {
		t.Errorf("client: 440 Hz ratio %.3f at %.1f dBFS", audio.ToneRatio(seg, Rate, 440), audio.DBFS(seg))
	}
	waitFor(t, 5*time.Second, "caller audio sent", func() bool { return cl.Pending() == 0 && len(cl.Sent()) == 50 })
	sent := cl.Sent()
	if span := sent[len(sent)-1].At.Sub(sent[0].At); span < 900*time.Millisecond || span > 1100*time.Millisecond {
		t.Errorf("50 frames sent over %v, want 980 ms (paced)", span)
	}
	waitFor(t, 3*time.Second, "caller audio at the server", func() bool { return len(sink.samples()) >= Rate*9/10 })
	if seg := sink.samples()[Rate/5 : Rate*4/5]; !audio.FindTone(seg, Rate, 660) {
		t.Errorf("server: 660 Hz ratio %.3f", audio.ToneRatio(seg, Rate, 660))
	}
}

func checkDigits(t *testing.T, cl *Client, call *webrtc.Call) {
	t.Helper()
	for _, d := range "1#" {
		if err := cl.SendDTMF(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.SendDTMFMessage('5'); err != nil {
		t.Fatal(err)
	}
	for _, want := range "1#5" {
		select {
		case d := <-call.DTMF():
			if d != want {
				t.Errorf("digit %q, want %q", d, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("digit %q not received", want)
		}
	}
	if err := cl.SendDTMF('x'); !errors.Is(err, ErrBadDigit) {
		t.Errorf("SendDTMF('x'): %v", err)
	}
}

// TestStopShowsInArrivals: when the bot's queue is flushed, the client's
// last loud frame arrives within a few frames of the flush.
func TestStopShowsInArrivals(t *testing.T) {
	s := startServer(t, nil)
	cl := dial(t, s, Options{})
	call := s.nextCall(t)
	if err := call.Enqueue(tone(3*time.Second, 440)); err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 5*time.Second)
	start := time.Now()
	if err := cl.WaitReceived(ctx, func(f []Frame) bool { return CountLoud(f, start, time.Now().Add(time.Hour), -30) >= 15 }); err != nil {
		t.Fatal(err)
	}
	flushed := time.Now()
	call.Flush()
	time.Sleep(300 * time.Millisecond) // nothing to wait for: the test is that nothing more arrives
	last, ok := LastLoud(cl.Received(), start, time.Time{}, -30)
	if !ok {
		t.Fatal("no loud frame")
	}
	if d := last.At.Sub(flushed); d > 100*time.Millisecond {
		t.Errorf("loud bot audio went on %v after the flush", d)
	}
	first, _ := FirstLoud(cl.Received(), start, -30)
	t.Logf("bot audio from %v to %v after Enqueue; stop %v after Flush",
		first.At.Sub(start), last.At.Sub(start), last.At.Sub(flushed))
}

// TestServerEndsCall: the bot's hang-up ends the client; sending fails.
func TestServerEndsCall(t *testing.T) {
	s := startServer(t, nil)
	cl := dial(t, s, Options{Codec: webrtc.CodecPCMU})
	call := s.nextCall(t)
	if err := call.Hangup(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cl.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client not done after the server hung up")
	}
	if r := cl.EndReason(); r != "hangup" {
		t.Errorf("end reason %q", r)
	}
	if err := cl.Send(tone(20*time.Millisecond, 440)); !errors.Is(err, ErrEnded) {
		t.Errorf("Send after end: %v", err)
	}
	if err := cl.SendDTMF('1'); !errors.Is(err, ErrEnded) {
		t.Errorf("SendDTMF after end: %v", err)
	}
	if err := cl.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	_ = cl.Close() // twice is fine
}

// TestDialFails: a refused call, bad options, a refused origin.
func TestDialFails(t *testing.T) {
	s := startServer(t, func(c *webrtc.Config) { c.AllowedOrigins = []string{"https://ok.example"} })
	ctx := ctxTimeout(t, 10*time.Second)
	tests := []struct {
		name string
		opts Options
		prep func()
		want error
	}{
		{"bad codec", Options{Codec: "g729"}, nil, ErrOptions},
		{"negative bound", Options{Keep: -1}, nil, ErrOptions},
		{"idle noise above full scale", Options{IdleNoiseDBFS: 3}, nil, ErrOptions},
		{"origin refused", Options{Origin: "https://evil.example"}, nil, nil},
		{"draining", Options{Origin: "https://ok.example"}, s.srv.Drain, ErrEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prep != nil {
				tt.prep()
			}
			c, err := Dial(ctx, s.url, tt.opts)
			if err == nil {
				_ = c.Close()
				t.Fatal("Dial succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			t.Logf("%v", err)
		})
	}
}

// TestDialCancelled: a server that never answers media leaves Dial to ctx.
func TestDialCancelled(t *testing.T) {
	s := startServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if c, err := Dial(ctx, s.url, Options{}); err == nil {
		_ = c.Close()
		t.Fatal("Dial succeeded within 1 ms")
	}
}

// TestIdleMicrophone: with nothing queued the client sends digital
// silence, or noise at IdleNoiseDBFS, every 20 ms.
func TestIdleMicrophone(t *testing.T) {
	tests := []struct {
		name     string
		noise    float64
		min, max float64 // dBFS at the server
	}{
		{"silence", 0, -200, -80},
		{"noise", -40, -46, -34},
	}
	s := startServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := dial(t, s, Options{IdleNoiseDBFS: tt.noise})
			call := s.nextCall(t)
			sink := &collector{}
			call.SetSink(sink)
			waitFor(t, 3*time.Second, "half a second of idle audio", func() bool { return len(sink.samples()) >= Rate/2 })
			seg := sink.samples()[Rate/10 : Rate/2] // after the decoders settle
			if l := audio.DBFS(seg); l < tt.min || l > tt.max {
				t.Errorf("idle level %.1f dBFS, want %g..%g", l, tt.min, tt.max)
			}
			if n := len(cl.Sent()); n != 0 {
				t.Errorf("%d idle frames logged as sent", n)
			}
			_ = cl.Close()
		})
	}
}
