package sim

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/sim/simtest"
)

// The UAS answers 100 ms (VAD end silence) + 200 ms (delay) after the
// caller's voice ends, plus up to one pacer tick; the caller measures to
// within a frame. Race-detector runs on two shared cores add scheduling
// delay, hence the upper margin.
const (
	wantLatency = 300 * time.Millisecond
	latencyLow  = wantLatency - 40*time.Millisecond
	latencyHigh = wantLatency + 120*time.Millisecond
)

func TestCallTurnDTMFRecordAndCallerBye(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{Greeting: 600 * time.Millisecond})
	rec := filepath.Join(t.TempDir(), "heard.wav")
	cfg := testConfig(u,
		Step{WaitBot: true},
		Step{DTMF: "12"},
		Step{Pause: 200 * time.Millisecond, PCM: speech(time.Second, 1)},
		Step{WaitBot: true},
	)
	cfg.Record, cfg.RTPPortMin, cfg.RTPPortMax = rec, 44000, 44999
	res, err := Call(callCtx(t), cfg)
	if err != nil {
		t.Fatalf("call: %v (%+v)", err, res)
	}
	if res.StepsDone != 4 || res.EndedBy != EndedByCaller || res.CallID == "" {
		t.Errorf("steps %d ended by %q call id %q", res.StepsDone, res.EndedBy, res.CallID)
	}
	if len(res.Turns) != 1 || !res.Turns[0].Answered || res.Turns[0].BargeIn {
		t.Fatalf("turns = %+v", res.Turns)
	}
	lat := res.Turns[0].ResponseLatency
	t.Logf("response latency %.1f ms, send jitter p99 %.2f ms, rx jitter %.2f ms, setup %v, packets out %d in %d",
		ms(lat), res.SendJitterP99Ms, res.RxJitterMs, res.SetupTime, res.PacketsSent, res.PacketsReceived)
	if lat < latencyLow || lat > latencyHigh {
		t.Errorf("response latency %v, want %v..%v", lat, latencyLow, latencyHigh)
	}
	if got := u.Digits(); got != "12" {
		t.Errorf("server got digits %q, want 12", got)
	}
	waitFor(t, func() bool { return u.Stats().CallerHangups == 1 }, "the server to see the caller's BYE")
	// 0.6 s greeting + 1 s reply = 80 frames; the caller sent all the time.
	if res.PacketsReceived < 75 || res.PacketsReceived > 85 || res.PacketsLost != 0 {
		t.Errorf("received %d packets, lost %d; want about 80, none lost", res.PacketsReceived, res.PacketsLost)
	}
	if want := uint64(res.Duration / audio.FrameDuration); res.PacketsSent < want*9/10 {
		t.Errorf("sent %d packets in %v: the line noise must keep the stream going", res.PacketsSent, res.Duration)
	}
	if res.SendJitter.Count() < 70 || res.SendJitterP99Ms > 40 {
		t.Errorf("send jitter: %d intervals, p99 %.2f ms", res.SendJitter.Count(), res.SendJitterP99Ms)
	}
	checkRecording(t, rec, res)
}

// checkRecording finds the greeting and the reply at their times in the
// recording of what the caller heard.
func checkRecording(t *testing.T, path string, res Result) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, rate, err := audio.ReadWAV(f)
	if err != nil || rate != rtp.Rate {
		t.Fatalf("recording: %v, rate %d", err, rate)
	}
	got := audio.Duration(len(pcm), rate)
	turn := res.Turns[0]
	replyAt := turn.SpeechEnd + turn.ResponseLatency
	if got < replyAt+900*time.Millisecond || got > res.Duration+100*time.Millisecond {
		t.Errorf("recording lasts %v; reply at %v, call %v", got, replyAt, res.Duration)
	}
	window := func(from, to time.Duration) audio.PCM16 {
		a, b := int(from*rtp.Rate/time.Second), int(to*rtp.Rate/time.Second)
		return pcm[min(a, len(pcm)):min(b, len(pcm))]
	}
	if g := window(100*time.Millisecond, 500*time.Millisecond); !audio.FindTone(g, rate, simtest.GreetingHz) {
		t.Errorf("no %v Hz greeting in the first 0.5 s of the recording", simtest.GreetingHz)
	}
	if r := window(replyAt+100*time.Millisecond, replyAt+800*time.Millisecond); !audio.FindTone(r, rate, simtest.ReplyHz) {
		t.Errorf("no %v Hz reply at %v in the recording", simtest.ReplyHz, replyAt)
	}
	if s := window(turn.SpeechStart, turn.SpeechEnd); audio.DBFS(s) > -60 {
		t.Errorf("the caller heard %.1f dBFS while talking: the UAS was silent", audio.DBFS(s))
	}
}

func TestBargeInStopsTheBot(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{Greeting: 4 * time.Second})
	d := newDialer(t)
	cfg := testConfig(u,
		Step{PCM: speech(time.Second, 2), BargeInAfter: 500 * time.Millisecond},
		Step{WaitBot: true},
	)
	res, err := d.Call(callCtx(t), cfg)
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	if len(res.Turns) != 1 {
		t.Fatalf("turns = %+v", res.Turns)
	}
	turn := res.Turns[0]
	t.Logf("barge-in stop %.1f ms, then response latency %.1f ms", ms(turn.BargeInStop), ms(turn.ResponseLatency))
	if !turn.BargeIn || !turn.BotStopped {
		t.Fatalf("turn = %+v, want a barge-in that stopped the bot", turn)
	}
	// The UAS's VAD needs 3 frames (60 ms) of speech before it flushes.
	if turn.BargeInStop < 20*time.Millisecond || turn.BargeInStop > 200*time.Millisecond {
		t.Errorf("barge-in stop %v, want 20..200 ms", turn.BargeInStop)
	}
	if turn.SpeechStart < 450*time.Millisecond || turn.SpeechStart > 700*time.Millisecond {
		t.Errorf("speech started %v after the answer, want about 0.5 s into the greeting", turn.SpeechStart)
	}
	if !turn.Answered || turn.ResponseLatency < latencyLow || turn.ResponseLatency > latencyHigh {
		t.Errorf("after the barge-in: answered %v in %v", turn.Answered, turn.ResponseLatency)
	}
	if st := u.Stats(); st.BargeIns != 1 {
		t.Errorf("uas stats %+v, want 1 barge-in", st)
	}
}

func TestServerHangup(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{HangupDigit: '#'})
	d := newDialer(t)
	cases := []struct {
		name   string
		script []Step
		want   error
		steps  int
	}{
		{"expected", []Step{{DTMF: "#", WaitHangup: true}}, nil, 1},
		{"unexpected", []Step{{DTMF: "#"}, {Pause: 5 * time.Second}}, ErrServerHangup, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res, err := d.Call(callCtx(t), testConfig(u, tc.script...))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if res.EndedBy != EndedByServer || res.StepsDone != tc.steps || !errors.Is(res.Err, tc.want) {
				t.Errorf("result %+v", res)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("call took %v: the hang-up was not noticed at once", el)
			}
		})
	}
	if st := u.Stats(); st.ServerHangups != 2 || st.CallerHangups != 0 {
		t.Errorf("uas stats %+v", st)
	}
}

func TestDialRefused(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{})
	d := newDialer(t)
	cfg := testConfig(u, Step{Pause: time.Second})
	cfg.Target = "sip:hotline@" + u.Addr()
	u.Drain() // 503
	res, err := d.Call(callCtx(t), cfg)
	if !errors.Is(err, ErrDial) || res.EndedBy != "" {
		t.Fatalf("err = %v, result %+v; want ErrDial", err, res)
	}
}

func TestBotSilent(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{})
	d := newDialer(t)
	cfg := testConfig(u, Step{WaitBot: true})
	cfg.BotTimeout = 300 * time.Millisecond
	res, err := d.Call(callCtx(t), cfg)
	if !errors.Is(err, ErrBotSilent) || res.EndedBy != EndedByCaller {
		t.Fatalf("err = %v ended by %q, want ErrBotSilent and our BYE", err, res.EndedBy)
	}
	waitFor(t, func() bool { return u.Stats().CallerHangups == 1 }, "the caller's BYE")
}

func TestTimeoutAndDialerClose(t *testing.T) {
	checkLeaks(t)
	u := startUAS(t, simtest.Options{})
	d := newDialer(t)
	cfg := testConfig(u, Step{Pause: 10 * time.Second})
	cfg.Timeout = 500 * time.Millisecond
	if _, err := d.Call(callCtx(t), cfg); !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	cfg.Timeout = 0
	done := make(chan error, 1)
	go func() {
		_, err := d.Call(callCtx(t), cfg)
		done <- err
	}()
	waitFor(t, func() bool { return u.Stats().Calls == 2 }, "the second call")
	d.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a call cut by Close returned no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the call")
	}
	if _, err := d.Call(callCtx(t), cfg); !errors.Is(err, ErrClosed) {
		t.Errorf("call after Close: %v, want ErrClosed", err)
	}
	waitFor(t, func() bool { return u.Stats().CallerHangups == 2 }, "BYE for both calls")
}

func TestSayWithEspeak(t *testing.T) {
	if _, err := exec.LookPath(DefaultEspeak); err != nil {
		t.Skip("espeak-ng not installed")
	}
	checkLeaks(t)
	// espeak pauses between words: the UAS waits 500 ms to end a turn.
	u := startUAS(t, simtest.Options{EndSilence: 500 * time.Millisecond})
	d := newDialer(t)
	script := []Step{{Say: "我想問下你哋分行幾點開門"}, {WaitBot: true}}
	if err := d.Prepare(callCtx(t), script); err != nil {
		t.Fatal(err)
	}
	res, err := d.Call(callCtx(t), testConfig(u, script...))
	if err != nil {
		t.Fatal(err)
	}
	turn := res.Turns[0]
	said := turn.SpeechEnd - turn.SpeechStart
	t.Logf("espeak utterance %v, response latency %.1f ms, call %s", said, ms(turn.ResponseLatency), res.CallID)
	if said < time.Second || said > 4*time.Second {
		t.Errorf("utterance lasted %v", said)
	}
	// 500 ms end silence + 200 ms delay. Early by up to 70 ms: the UAS's VAD
	// hears espeak's quiet last frames as silence up to two frames before
	// the caller's -50 dBFS trim ends its speech, and the two sessions'
	// pacers tick at independent phases of the 20 ms period (measured
	// 658-685 ms).
	want := 700 * time.Millisecond
	if lat := turn.ResponseLatency; !turn.Answered || lat < want-70*time.Millisecond || lat > want+120*time.Millisecond {
		t.Errorf("answered %v after %v", turn.Answered, turn.ResponseLatency)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
