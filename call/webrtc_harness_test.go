package call

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/sherpa"
	"github.com/yuecall/yuecall/asr/turn"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/media/webrtc"
	"github.com/yuecall/yuecall/media/webrtc/webrtctest"
	"github.com/yuecall/yuecall/normalise"
	"github.com/yuecall/yuecall/tts/espeak"
)

// aiGreeting is what Session says when the caller reaches the AI agent.
const aiGreeting = "你好，我係粵通銀行嘅智能助理。請問有咩可以幫到你？"

// testDeps are a Session's real deps for the WebRTC and comparison tests:
// espeak-ng, the sherpa test server answering transcripts, the bank pack
// and the default menu, events recorded and the log kept.
type testDeps struct {
	Deps
	recorder  *events.Recorder
	pub       *events.Publisher
	log       *syncBuffer
	asrSrv    *asrtest.SherpaServer
	closeOnce sync.Once
	// confirmFrames is the length of the menu's answer to key 1,
	// greetFrames the greeting's, in 20 ms frames; the greeting is loud
	// for 200 ms from its frame loudFrom on.
	confirmFrames, greetFrames, loudFrom int
}

func newTestDeps(tb testing.TB, transcripts ...string) *testDeps {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		tb.Fatal("espeak-ng not installed: make deps-test")
	}
	normalise.Preload()
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP,
		Script: asrtest.Scripted(transcripts...)})
	rec, err := sherpa.New(sherpa.Config{URL: asrSrv.URL(), SampleRate: 16000}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ecfg := espeak.DefaultConfig()
	ecfg.Speed = botSpeed
	synth, err := espeak.New(ecfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	pack, err := dialog.BankPack()
	if err != nil {
		tb.Fatal(err)
	}
	frame := audio.SamplesPerFrame(webrtctest.Rate)
	greeting := spokenPCM(tb, synth, aiGreeting)
	d := &testDeps{recorder: events.NewRecorder(), log: &syncBuffer{}, asrSrv: asrSrv,
		confirmFrames: len(spokenPCM(tb, synth, ivr.DefaultMenu().Options["1"].Say)) / frame,
		greetFrames:   len(greeting) / frame, loudFrom: loudRun(tb, greeting, 20, 12)}
	d.pub = events.NewPublisher(d.recorder, events.PublisherOptions{})
	d.Deps = Deps{Events: d.pub, ASR: rec, TTS: synth, Dialog: dialog.NewEngine(pack, dialog.Options{}),
		Menu: ivr.DefaultMenu(), VAD: audio.DefaultVADConfig(), Turn: turn.DefaultPolicy(),
		Log: slog.New(slog.NewTextHandler(d.log, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("session log:\n%s", d.log.String())
		}
	})
	return d
}

func (d *testDeps) close() {
	d.closeOnce.Do(func() {
		_ = d.pub.Close(context.Background())
		d.asrSrv.Close()
	})
}

// webHarness is a webrtc.Server behind an httptest server whose handler
// runs every call as a Session with testDeps. Transcripts also go to the
// caller's page as captions, as yuecall serve sends them.
type webHarness struct {
	*testDeps
	tb       testing.TB
	url      string
	outcomes chan webOutcome
	close    func() // idempotent
}

type webOutcome struct{ id, outcome string }

func startWebHarness(tb testing.TB, transcripts ...string) *webHarness {
	tb.Helper()
	h := &webHarness{testDeps: newTestDeps(tb, transcripts...), tb: tb, outcomes: make(chan webOutcome, 16)}
	cfg := webrtc.DefaultConfig()
	cfg.ICE.AllowLoopback, cfg.ICE.IPs = true, []string{"127.0.0.1"}
	cfg.ICE.PortMin, cfg.ICE.PortMax = 0, 0
	// Sessions run on the harness's context, not the call's: that one is
	// cancelled together with Done when the caller hangs up, and a Session
	// seeing both may take the hang-up for a shutdown.
	runCtx, stop := context.WithCancel(context.Background())
	srv, err := webrtc.NewServer(cfg, webrtc.HandlerFunc(func(_ context.Context, c *webrtc.Call) {
		d := h.Deps
		d.Events = captions{next: h.pub, c: c}
		info := Info{ID: c.ID, Channel: "webrtc", From: "web", To: "softphone", Codec: string(c.Codec())}
		h.outcomes <- webOutcome{c.ID, NewSession(info, c, d).Run(runCtx)}
	}), nil)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	h.url = "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws/call"
	var once sync.Once
	h.close = func() {
		once.Do(func() {
			stop()
			_ = srv.Close()
			hs.Close()
			h.testDeps.close()
		})
	}
	tb.Cleanup(h.close) // after a failure; tests close earlier to check for leaks
	return h
}

// captions is yuecall serve's caption emitter: every event goes on, and
// bot and caller transcripts also go to the page.
type captions struct {
	next events.Emitter
	c    *webrtc.Call
}

func (e captions) Emit(callID string, p events.Payload) {
	e.next.Emit(callID, p)
	if t, ok := p.(events.Transcript); ok && t.Speaker != "agent" {
		_ = e.c.Send(map[string]any{"type": "transcript", "speaker": t.Speaker, "text": t.Text,
			"final": t.Final, "interrupted": t.Interrupted})
	}
}

// menuListen is how much of the menu the caller hears before pressing 1.
// By then espeak-ng has synthesised every menu prompt: a key pressed while
// one is still being synthesised trips the speaker race that
// TestWebRTCKeyDuringSynthesis shows.
const menuListen = 800 * time.Millisecond

// dial calls the harness and reaches the AI agent: after menuListen of the
// menu it presses 1 (RFC 4733); the menu answers "好，而家幫你接駁智能助理…",
// then the AI greeting follows. It returns once that answer's caption has
// arrived, with the index in cl.Received() where the greeting will begin.
func (h *webHarness) dial(ctx context.Context) (*webrtctest.Client, int) {
	h.tb.Helper()
	cl, err := webrtctest.Dial(ctx, h.url, webrtctest.Options{Codec: webrtc.CodecOpus, IdleNoiseDBFS: lineNoiseDBFS})
	if err != nil {
		h.tb.Fatal(err)
	}
	h.waitFrames(ctx, cl, int(menuListen/audio.FrameDuration), "the menu")
	if err := cl.SendDTMF('1'); err != nil {
		h.tb.Fatal(err)
	}
	confirm := ivr.DefaultMenu().Options["1"].Say
	m, err := cl.WaitMessage(ctx, func(m webrtctest.Message) bool {
		return m.Type == "transcript" && m.String("speaker") == "bot" && m.String("text") == confirm
	})
	if err != nil {
		h.tb.Fatalf("no caption %q after the key press: %v", confirm, err)
	}
	// The pacer sends a frame every 20 ms while audio is queued, so the
	// greeting begins confirmFrames after the answer's first frame.
	return cl, firstAt(cl.Received(), m.At) + h.confirmFrames
}

// speakOverGreeting sends pcm, whose first loud frame comes after lead,
// so that it starts while the greeting (from index greet of the received
// frames) is loud. It returns when pcm was handed to the client.
func (h *webHarness) speakOverGreeting(ctx context.Context, cl *webrtctest.Client, greet int, pcm audio.PCM16, lead time.Duration) time.Time {
	h.tb.Helper()
	h.waitFrames(ctx, cl, greet+h.loudFrom-int(lead/audio.FrameDuration), "the greeting")
	at := time.Now()
	if err := cl.Send(pcm); err != nil {
		h.tb.Fatal(err)
	}
	return at
}

// waitFrames waits until n bot frames have arrived in all.
func (h *webHarness) waitFrames(ctx context.Context, cl *webrtctest.Client, n int, what string) {
	h.tb.Helper()
	if err := cl.WaitReceived(ctx, func(f []webrtctest.Frame) bool { return len(f) >= n }); err != nil {
		h.tb.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitLoud waits until n loud bot frames have arrived since from.
func (h *webHarness) waitLoud(ctx context.Context, cl *webrtctest.Client, from time.Time, n int, what string) {
	h.tb.Helper()
	err := cl.WaitReceived(ctx, func(f []webrtctest.Frame) bool {
		return webrtctest.CountLoud(f, from, from.Add(time.Hour), botLoudDBFS) >= n
	})
	if err != nil {
		h.tb.Fatalf("waiting for %s: %v", what, err)
	}
}

// outcome waits for the Session of call id to return.
func (h *webHarness) outcome(id string) string {
	h.tb.Helper()
	for {
		select {
		case o := <-h.outcomes:
			if o.id == id {
				return o.outcome
			}
		case <-time.After(10 * time.Second):
			h.tb.Fatalf("session %s still running", id)
			return ""
		}
	}
}

// callEvents returns the events of call id of type typ, decoded.
func (h *testDeps) callEvents(id, typ string) []map[string]any {
	var out []map[string]any
	for _, m := range h.recorder.Messages() {
		if m.Envelope.CallID != id || m.Envelope.Type != typ {
			continue
		}
		var d map[string]any
		if json.Unmarshal(m.Envelope.Data, &d) == nil {
			out = append(out, d)
		}
	}
	return out
}

// botInterrupted returns the heard parts of call id's interrupted bot
// transcripts.
func (h *testDeps) botInterrupted(id string) []string {
	var out []string
	for _, d := range h.callEvents(id, events.TypeTranscript) {
		if d["speaker"] == "bot" && d["interrupted"] == true {
			s, _ := d["text"].(string)
			out = append(out, s)
		}
	}
	return out
}

// waitInterrupted waits until call id has more than n interrupted bot
// transcripts and returns those after the first n.
func (h *testDeps) waitInterrupted(ctx context.Context, tb testing.TB, id string, n int) []string {
	tb.Helper()
	for {
		if got := h.botInterrupted(id); len(got) > n {
			return got[n:]
		}
		select {
		case <-h.recorder.Changed():
		case <-ctx.Done():
			tb.Fatalf("no interrupted bot transcript: %v", ctx.Err())
			return nil
		}
	}
}

// callID reads the call id the server gave in "config".
func callID(tb testing.TB, cl *webrtctest.Client) string {
	tb.Helper()
	for _, m := range cl.Messages() {
		if m.Type == "config" {
			return m.String("call_id")
		}
	}
	tb.Fatal("no config message")
	return ""
}
