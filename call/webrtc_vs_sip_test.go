package call

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
	"github.com/yuecall/yuecall/media/webrtc/webrtctest"
)

// BenchmarkBargeInStop reports the barge-in stop latency (caller speech
// onset to the last loud bot frame at the caller) per leg, one call per
// iteration, as p50/p95/max in ms:
//
//	go test -run '^$' -bench BargeInStop -benchtime 8x ./call/
//
// Both legs run the same Session, deps and script; WebRTC through
// webrtctest (Opus, 16 kHz), SIP through a loopback RTP pair (PCMU, 8 kHz).
func BenchmarkBargeInStop(b *testing.B) {
	b.Run("webrtc", func(b *testing.B) {
		h := startWebHarness(b, "我张卡唔见咗")
		defer h.close()
		speech := callerSpeech(b, "我張卡唔見咗", speechLead, 1500*time.Millisecond)
		var stops []time.Duration
		for b.Loop() {
			stops = append(stops, bargeInOverWebRTC(b, h, speech, false).stop)
		}
		reportStops(b, stops)
	})
	// sip: the phone sends line noise all the time. sip-silent: it sends
	// nothing between the key and the speech (silence suppression), so the
	// VAD's noise floor still holds the key's tone when the caller speaks.
	for _, silent := range []bool{false, true} {
		name := map[bool]string{false: "sip", true: "sip-silent"}[silent]
		b.Run(name, func(b *testing.B) {
			d := newTestDeps(b, "我张卡唔见咗")
			defer d.close()
			speech := to8k(b, callerSpeech(b, "我張卡唔見咗", speechLead, 1500*time.Millisecond))
			var stops []time.Duration
			for b.Loop() {
				stops = append(stops, bargeInOverSIP(b, d, speech, silent))
			}
			reportStops(b, stops)
		})
	}
}

func reportStops(b *testing.B, stops []time.Duration) {
	p50, p95, worst := percentiles(stops)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p95), "p95-ms")
	b.ReportMetric(ms(worst), "max-ms")
	b.ReportMetric(0, "ns/op") // a call's wall time says nothing here
}

func to8k(tb testing.TB, pcm audio.PCM16) audio.PCM16 {
	tb.Helper()
	r, err := audio.NewResampler(webrtctest.Rate, audio.Rate8k)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Flush(r.Resample(nil, pcm))
}

// arrivals is the SIP caller's sink: every bot frame with its arrival.
type arrivals struct {
	mu     sync.Mutex
	frames []webrtctest.Frame
	seen   chan struct{} // closed and replaced on every frame
}

func (a *arrivals) SampleRate() int { return audio.Rate8k }

func (a *arrivals) WriteSample(f audio.PCM16) error {
	a.mu.Lock()
	a.frames = append(a.frames, webrtctest.Frame{At: time.Now(), PCM: append(audio.PCM16(nil), f...)})
	close(a.seen)
	a.seen = make(chan struct{})
	a.mu.Unlock()
	return nil
}

// wait returns once n frames have arrived in all.
func (a *arrivals) wait(ctx context.Context, tb testing.TB, n int) {
	tb.Helper()
	for {
		a.mu.Lock()
		got, ch := len(a.frames), a.seen
		a.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			tb.Fatalf("%d of %d bot frames: %v", got, n, ctx.Err())
		}
	}
}

func (a *arrivals) snapshot() []webrtctest.Frame {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]webrtctest.Frame(nil), a.frames...)
}

// bargeInOverSIP makes one SIP call like bargeInOverWebRTC (menu, key 1
// in-band, speech over the greeting at the same point) and returns the
// stop latency.
func bargeInOverSIP(tb testing.TB, d *testDeps, speech audio.PCM16, silent bool) time.Duration {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caller, leg, heard := sipPair(ctx, tb)
	defer caller.Close()
	defer leg.Session.Close()
	id := "sip-" + time.Now().Format("150405.000000")
	outcome := make(chan string, 1)
	go func() { outcome <- NewSession(Info{ID: id, Channel: "sip", From: "91234567"}, leg, d.Deps).Run(ctx) }()
	heard.wait(ctx, tb, int(menuListen/audio.FrameDuration))
	// The key (100 ms in-band), then line noise until the caller speaks,
	// or (silent) 200 ms of it and nothing more.
	key, _ := audio.GenerateDTMF(make(audio.PCM16, 800), audio.Rate8k, '1', 0.3)
	after := lineNoise8k(10 * time.Second)
	if silent {
		after = after[:1600]
	}
	_ = caller.Enqueue(append(key, after...))
	confirmAt := d.waitBotSaid(ctx, tb, id, ivr.DefaultMenu().Options["1"].Say)
	greet := firstAt(heard.snapshot(), confirmAt) + d.confirmFrames
	heard.wait(ctx, tb, greet+d.loudFrom-int(speechLead/audio.FrameDuration))
	before := len(d.botInterrupted(id))
	caller.Flush() // the line noise: the speech (with its own) follows at once
	sendFrom, base := time.Now(), caller.Sent()
	_ = caller.Enqueue(speech)
	onset := sentAt(ctx, caller, base+onsetIn(speech)+audio.FrameDuration)
	d.waitInterrupted(ctx, tb, id, before)
	time.Sleep(100 * time.Millisecond) // the flushed greeting's last packet lands
	last, ok := webrtctest.LastLoud(heard.snapshot(), sendFrom, onset.Add(time.Second), botLoudDBFS)
	if !ok {
		tb.Fatal("no bot audio while the caller spoke")
	}
	_ = leg.Hangup(ctx) // as the caller's BYE would: the leg is done
	if o := <-outcome; o != "completed" {
		tb.Errorf("outcome %q", o)
	}
	return last.At.Sub(onset)
}

// sipPair is a loopback PCMU RTP pair: the caller's session (its sink
// records the bot's frames) and the bot's leg.
func sipPair(ctx context.Context, tb testing.TB) (*rtp.Session, *rtpLeg, *arrivals) {
	tb.Helper()
	var conns [2]*net.UDPConn
	for i := range conns {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			tb.Fatal(err)
		}
		conns[i] = c
	}
	cfg := rtp.DefaultConfig()
	cfg.Codec, cfg.DTMFPayloadType = sdp.PCMU, 101
	cfg.Remote = addrOf(conns[1])
	bot, err := rtp.NewSession(conns[0], cfg)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Remote = addrOf(conns[0])
	caller, err := rtp.NewSession(conns[1], cfg)
	if err != nil {
		tb.Fatal(err)
	}
	bot.Start(ctx)
	caller.Start(ctx)
	heard := &arrivals{seen: make(chan struct{})}
	_ = caller.SetSink(heard)
	return caller, &rtpLeg{Session: bot, done: make(chan struct{})}, heard
}

// lineNoise8k is d of a headset microphone's floor at 8 kHz.
func lineNoise8k(d time.Duration) audio.PCM16 {
	pcm := make(audio.PCM16, int(d.Seconds()*audio.Rate8k))
	audio.NewNoiseGenerator(lineNoiseDBFS, 7).Read(pcm)
	return pcm
}

// onsetIn is where the first loud frame of pcm (8 kHz) begins.
func onsetIn(pcm audio.PCM16) time.Duration {
	n := audio.SamplesPerFrame(audio.Rate8k)
	for i := 0; i+n <= len(pcm); i += n {
		if audio.DBFS(pcm[i:i+n]) > callerLoudDBFS {
			return audio.Duration(i, audio.Rate8k)
		}
	}
	return 0
}

// sentAt polls the caller's sent audio (rtp has no per-packet hook) until
// it reaches pos and returns when it did, to within 2 ms.
func sentAt(ctx context.Context, s *rtp.Session, pos time.Duration) time.Time {
	for s.Sent() < pos && ctx.Err() == nil {
		time.Sleep(2 * time.Millisecond)
	}
	return time.Now()
}

// waitBotSaid waits for call id's bot transcript text and returns when
// the recorder got it.
func (h *testDeps) waitBotSaid(ctx context.Context, tb testing.TB, id, text string) time.Time {
	tb.Helper()
	for {
		for _, e := range h.callEvents(id, events.TypeTranscript) {
			if e["speaker"] == "bot" && e["text"] == text {
				return time.Now()
			}
		}
		select {
		case <-h.recorder.Changed():
		case <-ctx.Done():
			tb.Fatalf("the bot never said %q", text)
		}
	}
}
