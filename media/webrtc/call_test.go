package webrtc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
)

// TestOpusCall is a whole browser-style call over loopback: bad messages
// first (answered, call goes on), offer and trickle ICE, audio both ways,
// DTMF both ways in, an extra message out, stats, and the browser's
// hang-up, after which every call goroutine is gone.
func TestOpusCall(t *testing.T) {
	h := startServer(t, nil, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cfgMsg := cl.expect("config", 2*time.Second)
	cl.send([]byte(`{"type":"offer",`))
	if m := cl.expect("error", 2*time.Second); m["code"] != codeBadMessage {
		t.Fatalf("malformed JSON: %v", m)
	}
	cl.send(map[string]any{"type": "bogus"})
	if m := cl.expect("error", 2*time.Second); m["code"] != codeUnknownType {
		t.Fatalf("unknown type: %v", m)
	}
	tone := opusTone(t, 50)
	cl.call(opusParams)
	st := cl.connected()
	c := h.nextCall(t)
	if !strings.HasPrefix(c.Remote.Addr, "127.0.0.1:") || c.Remote.UserAgent == "" {
		t.Errorf("remote %+v", c.Remote)
	}
	if st["call_id"] != c.ID || cfgMsg["call_id"] != c.ID || c.Codec() != CodecOpus || c.Rate() != 16000 {
		t.Fatalf("call %s codec %q; state %v config %v", c.ID, c.Codec(), st, cfgMsg)
	}
	sink := &collector{rate: Rate}
	c.SetSink(sink)

	// Browser → bot: 1 s of 440 Hz as Opus.
	if err := c.Enqueue(tone16k(600 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	cl.sendPackets(tone, 960)
	waitFor(t, 3*time.Second, "caller audio", func() bool { return len(sink.samples()) >= Rate*9/10 })
	got := sink.samples()
	if seg := got[Rate/5 : Rate*4/5]; !audio.FindTone(seg, Rate, 440) {
		t.Errorf("server sink: 440 Hz ratio %.3f at %.1f dBFS", audio.ToneRatio(seg, Rate, 440), audio.DBFS(seg))
	}

	// Bot → browser: the 600 ms queued above, decoded by the client.
	waitFor(t, 3*time.Second, "bot audio sent", func() bool { return c.Pending() == 0 && len(cl.received()) >= 30 })
	pcm := decodeOpus(t, cl.received())
	if seg := pcm[len(pcm)/4 : len(pcm)*3/4]; !audio.FindTone(seg, 48000, 440) {
		t.Errorf("client: 440 Hz ratio %.3f at %.1f dBFS", audio.ToneRatio(seg, 48000, 440), audio.DBFS(seg))
	}
	if s := c.Sent(); s != 600*time.Millisecond {
		t.Errorf("Sent %v, want 600ms", s)
	}

	// DTMF: RFC 4733 from the "RTCDTMFSender", then the signalling fallback.
	cl.sendDigit(1, 48000)
	cl.sendDigit(11, 48000)
	cl.send(map[string]any{"type": "dtmf", "digit": "5"})
	for _, want := range "1#5" {
		select {
		case d := <-c.DTMF():
			if d != want {
				t.Errorf("digit %q, want %q", d, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("digit %q not received", want)
		}
	}

	// Extra message to the browser, and the per-second stats.
	if err := c.Send(map[string]any{"type": "transcript", "speaker": "caller", "text": "你好"}); err != nil {
		t.Fatal(err)
	}
	if m := cl.expect("transcript", 2*time.Second); m["text"] != "你好" {
		t.Errorf("transcript %v", m)
	}
	for m := cl.expect("stats", 3*time.Second); m["rx_packets"].(float64) < 50 || m["tx_packets"].(float64) < 30; {
		m = cl.expect("stats", 3*time.Second) // counts from the server's view, every second
	}

	// The browser hangs up.
	cl.send(map[string]any{"type": "hangup"})
	waitDone(t, c, 3*time.Second)
	if r := c.EndReason(); r != "remote_hangup" {
		t.Errorf("reason %q", r)
	}
	if m := cl.expect("state", 2*time.Second); m["state"] != "ended" || m["reason"] != "remote_hangup" {
		t.Errorf("final state %v", m)
	}
	cl.waitClosed(3 * time.Second)
	waitFor(t, 5*time.Second, "call goroutines to end", func() bool { return callGoroutines() == 0 })
	if err := c.Enqueue(tone16k(20 * time.Millisecond)); err != ErrClosed {
		t.Errorf("Enqueue after end: %v", err)
	}
	if s := c.Stats(); s.BadMessages != 2 || s.Lost != 0 || s.DTMFDigits != 3 || s.DecodeErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

// decodeOpus decodes the client's received audio packets at 48 kHz.
func decodeOpus(t *testing.T, pkts []rxPacket) audio.PCM16 {
	t.Helper()
	dec, err := opus.NewDecoder(48000)
	if err != nil {
		t.Fatal(err)
	}
	var pcm audio.PCM16
	for _, p := range pkts {
		if pcm, err = dec.Decode(pcm, p.payload); err != nil {
			t.Fatalf("packet %d: %v", p.seq, err)
		}
	}
	if len(pcm) == 0 {
		t.Fatal("no audio received")
	}
	return pcm
}

// leg is the call package's Leg, copied here because media may not
// import call: *Call must satisfy it as is.
type leg interface {
	SetSink(w audio.Writer)
	Rate() int
	Enqueue(pcm audio.PCM16) error
	Flush() time.Duration
	Pause(on bool)
	Pending() time.Duration
	DTMF() <-chan rune
	Done() <-chan struct{}
	Hangup(ctx context.Context) error
}

var _ leg = (*Call)(nil)
