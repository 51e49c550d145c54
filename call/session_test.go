package call

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/sherpa"
	"github.com/yuecall/yuecall/asr/turn"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
	"github.com/yuecall/yuecall/normalise"
	"github.com/yuecall/yuecall/tts/espeak"
)

// rtpLeg is the bot side of a real RTP pair on loopback.
type rtpLeg struct {
	*rtp.Session
	done   chan struct{}
	once   sync.Once
	hungUp atomic.Bool
}

func (l *rtpLeg) SetSink(w audio.Writer) { _ = l.Session.SetSink(w) }
func (l *rtpLeg) Rate() int              { return audio.Rate8k }
func (l *rtpLeg) Done() <-chan struct{}  { return l.done }
func (l *rtpLeg) Hangup(context.Context) error {
	l.hungUp.Store(true)
	l.once.Do(func() { close(l.done) })
	return nil
}

// callerSide records when bot audio arrives.
type callerSide struct {
	mu     sync.Mutex
	frames []time.Time // arrival of each loud frame
}

func (c *callerSide) SampleRate() int { return audio.Rate8k }
func (c *callerSide) WriteSample(f audio.PCM16) error {
	if audio.DBFS(f) > -40 {
		c.mu.Lock()
		c.frames = append(c.frames, time.Now())
		c.mu.Unlock()
	}
	return nil
}

func (c *callerSide) lastLoud() (time.Time, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.frames) == 0 {
		return time.Time{}, 0
	}
	return c.frames[len(c.frames)-1], len(c.frames)
}

// loudBetween counts loud frames that arrived between from and to.
func (c *callerSide) loudBetween(from, to time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, at := range c.frames {
		if at.After(from) && at.Before(to) {
			n++
		}
	}
	return n
}

func udpPair(t *testing.T) (*net.UDPConn, *net.UDPConn) {
	t.Helper()
	a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// espeakPCM synthesises text at 8 kHz for the simulated caller.
func espeakPCM(t *testing.T, text string) audio.PCM16 {
	t.Helper()
	out, err := exec.Command("espeak-ng", "-v", "yue", "-s", "150", "--stdout", text).Output()
	if err != nil {
		t.Fatalf("espeak-ng: %v (apt-get install espeak-ng)", err)
	}
	pcm, rate, err := audio.ReadWAV(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := audio.NewResampler(rate, audio.Rate8k)
	return r.Resample(nil, pcm)
}

// sendPaced sends pcm from the caller in real time, 20 ms a frame.
func sendPaced(s *rtp.Session, pcm audio.PCM16) {
	_ = s.Enqueue(pcm)
}

// testCall is a Session on a real loopback RTP pair with the sherpa test
// server, espeak-ng, the bank pack and the default menu.
type testCall struct {
	t        *testing.T
	caller   *rtp.Session
	heard    *callerSide
	recorder *events.Recorder
	leg      *rtpLeg
	outcome  chan string
	log      *syncBuffer
	asrSrv   *asrtest.SherpaServer
	teardown func()
}

func startTestCall(t *testing.T, transcripts ...string) *testCall {
	return startTestCallWith(t, nil, transcripts...)
}

// startTestCallWith lets the test change the Deps (another TTS, …).
func startTestCallWith(t *testing.T, mutate func(*Deps), transcripts ...string) *testCall {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Fatal("espeak-ng not installed: make deps-test")
	}
	normalise.Preload() // as serve does: no dictionary load inside a call
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP,
		Script: asrtest.Scripted(transcripts...)})
	rec, err := sherpa.New(sherpa.Config{URL: asrSrv.URL(), SampleRate: 16000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	synth, err := espeak.New(espeak.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := dialog.BankPack()
	if err != nil {
		t.Fatal(err)
	}
	recorder := events.NewRecorder()
	pub := events.NewPublisher(recorder, events.PublisherOptions{})

	botConn, callerConn := udpPair(t)
	cfg := rtp.DefaultConfig()
	cfg.Codec, cfg.DTMFPayloadType = sdp.PCMU, 101
	cfg.Remote = addrOf(callerConn)
	botRTP, _ := rtp.NewSession(botConn, cfg)
	cfg.Remote = addrOf(botConn)
	callerRTP, _ := rtp.NewSession(callerConn, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	botRTP.Start(ctx)
	callerRTP.Start(ctx)
	heard := &callerSide{}
	_ = callerRTP.SetSink(heard)

	leg := &rtpLeg{Session: botRTP, done: make(chan struct{})}
	logBuf := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("session log:\n%s", logBuf.String())
		}
	})
	deps := Deps{Events: pub, ASR: rec,
		Log: slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		TTS: synth, Dialog: dialog.NewEngine(pack, dialog.Options{}), Menu: ivr.DefaultMenu(), VAD: audio.DefaultVADConfig(), Turn: turn.DefaultPolicy()}
	if mutate != nil {
		mutate(&deps)
	}
	sess := NewSession(Info{ID: "t1", Channel: "sip", From: "91234567"}, leg, deps)
	tc := &testCall{t: t, caller: callerRTP, heard: heard, recorder: recorder, leg: leg,
		outcome: make(chan string, 1), log: logBuf, asrSrv: asrSrv}
	go func() { tc.outcome <- sess.Run(ctx) }()
	tc.teardown = func() {
		cancel()
		botRTP.Close()
		callerRTP.Close()
		_ = pub.Close(context.Background())
		asrSrv.Close()
	}
	return tc
}

// reachAI presses 1 in-band while the menu plays and waits until the AI
// greeting is playing.
func (tc *testCall) reachAI() {
	time.Sleep(1500 * time.Millisecond)
	tone, _ := audio.GenerateDTMF(make(audio.PCM16, 800), audio.Rate8k, '1', 0.3) // 100 ms
	// then line noise, as a phone sends between words (2.2 s: done before the caller talks)
	line := make(audio.PCM16, 22*800)
	audio.NewNoiseGenerator(-65, 7).Read(line)
	sendPaced(tc.caller, append(tone, line...))
	time.Sleep(2500 * time.Millisecond)
	if _, n := tc.heard.lastLoud(); n == 0 {
		tc.t.Fatal("caller heard no bot audio")
	}
}

// hangUp ends the call from the caller's side and returns the outcome.
func (tc *testCall) hangUp() string {
	tc.leg.once.Do(func() { close(tc.leg.done) })
	return <-tc.outcome
}

func (tc *testCall) interruptedTranscripts() int {
	n := 0
	for _, m := range tc.recorder.Messages() {
		if m.Envelope.Type == events.TypeTranscript && bytes.Contains(m.Envelope.Data, []byte(`"interrupted":true`)) {
			n++
		}
	}
	return n
}

func TestBargeInStopsBotAndCallEndsClean(t *testing.T) {
	base := runtime.NumGoroutine()
	tc := startTestCall(t, "我张卡唔见咗")
	tc.reachAI()
	speech := espeakPCM(t, "我張卡唔見咗")
	onset := speechOnset(speech)
	speechStart := time.Now().Add(onset)
	sendPaced(tc.caller, append(speech, make(audio.PCM16, 12000)...))
	time.Sleep(600 * time.Millisecond)
	last, _ := tc.heard.lastLoud()
	stop := last.Sub(speechStart)
	t.Logf("bot audio stopped %v after the caller started speaking", stop)
	// A regression guard, not the latency figure (that comes from
	// `yuecall load`): the pause lands within a few frames of the VAD's
	// 60 ms start window, well before the 300 ms a barge-in needs.
	if stop > 300*time.Millisecond {
		t.Errorf("bot kept talking %v after caller speech began; want <= 300 ms", stop)
	}
	// the turn is answered: card_lost, then hang up
	deadline := time.Now().Add(15 * time.Second)
	for !hasIntent(tc.recorder, "card_lost") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !hasIntent(tc.recorder, "card_lost") {
		t.Fatalf("no card_lost intent; events: %+v", tc.recorder.Messages())
	}
	if got := tc.hangUp(); got != "completed" {
		t.Errorf("outcome %q", got)
	}
	if tc.interruptedTranscripts() == 0 {
		t.Error("no interrupted bot transcript after barge-in")
	}
	tc.teardown()
	checkGoroutines(t, base)
}

// A backchannel (嗯, under 300 ms) over the bot pauses it and lets it go on:
// no barge-in, no interrupted transcript, the greeting heard to its end.
func TestBackchannelPausesAndResumes(t *testing.T) {
	base := runtime.NumGoroutine()
	tc := startTestCall(t, "嗯")
	tc.reachAI()
	interruptedBefore := tc.interruptedTranscripts() // the menu prompt cut by the key press
	burst := make(audio.PCM16, 1600)                 // 200 ms of voice-band tone
	audio.NewToneGenerator(audio.Rate8k, 0.3, 220, 440).Read(burst)
	sentAt := time.Now()
	sendPaced(tc.caller, append(burst, make(audio.PCM16, 8000)...))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(tc.log.String(), "short speech over the bot") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Until(sentAt.Add(1500 * time.Millisecond)))
	if n := tc.heard.loudBetween(sentAt.Add(600*time.Millisecond), sentAt.Add(1500*time.Millisecond)); n < 10 {
		t.Errorf("bot did not go on after the backchannel: %d loud frames 0.6-1.5 s after it", n)
	}
	if n := tc.interruptedTranscripts() - interruptedBefore; n != 0 {
		t.Errorf("%d interrupted transcripts for a backchannel", n)
	}
	if !strings.Contains(tc.log.String(), "short speech over the bot") {
		t.Error("the backchannel did not pause the bot")
	}
	tc.hangUp()
	tc.teardown()
	checkGoroutines(t, base)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// speechOnset is where the first loud 20 ms frame of pcm begins.
func speechOnset(pcm audio.PCM16) time.Duration {
	n := audio.SamplesPerFrame(audio.Rate8k)
	for i := 0; i+n <= len(pcm); i += n {
		if audio.DBFS(pcm[i:i+n]) > -35 {
			return audio.Duration(i, audio.Rate8k)
		}
	}
	return 0
}

func hasIntent(r *events.Recorder, intent string) bool {
	for _, m := range r.Messages() {
		if m.Envelope.Type == events.TypeIntent && bytes.Contains(m.Envelope.Data, []byte(`"`+intent+`"`)) {
			return true
		}
	}
	return false
}

// checkGoroutines fails if goroutines started by the test outlive it.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base+1 {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutine leak: %d > %d\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
