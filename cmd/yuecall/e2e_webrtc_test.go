package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/events"
)

const netnsEnv = "YUECALL_TEST_IN_NETNS"

// inLoopbackNetns runs the named test again in a fresh network namespace
// whose only interface is lo (Chromium gathers ICE candidates on every
// interface; inside the namespace nothing can leave the machine). It
// returns true in the parent, which then has nothing more to do.
func inLoopbackNetns(t *testing.T) bool {
	t.Helper()
	if os.Getenv(netnsEnv) == "1" {
		return false
	}
	needTools(t, "unshare", "ip")
	args := []string{"--net"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	args = append(args, "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`,
		os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.timeout", "4m")
	cmd := exec.Command("unshare", args...)
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("in a loopback-only network namespace:\n%s", out)
	if err != nil {
		t.Fatalf("test in namespace failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatal("test in namespace did not pass")
	}
	return true
}

// micWAV is the fake microphone: silence while the menu plays and the key
// is pressed, then the question, then silence (played once).
func micWAV(t *testing.T, text string, before, after time.Duration) string {
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw.wav")
	out := filepath.Join(dir, "mic.wav")
	runCmd(t, "espeak-ng", "-v", "yue", "-s", "150", "-w", raw, text)
	runCmd(t, "sox", raw, "-r", "48000", out, "pad", fmt.Sprint(before.Seconds()), fmt.Sprint(after.Seconds()))
	return out
}

// TestWebRTCBrowserCall: headless Chromium opens the softphone, calls,
// presses 1, asks a question through its fake microphone and hangs up;
// the call gives the same events as a phone call, and the page plays the
// bot's audio.
func TestWebRTCBrowserCall(t *testing.T) {
	needTools(t, "chromium", "espeak-ng", "sox")
	if inLoopbackNetns(t) {
		return
	}
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP,
		Script: asrtest.Scripted("我想问下你哋分行几点开门")})
	defer asrSrv.Close()
	ts := startServe(t, func(c *Config) {
		c.ASR.Provider, c.ASR.URL = "sherpa", asrSrv.URL()
		c.WebRTC.ICE.AllowLoopback = true
		c.WebRTC.ICE.PortMin, c.WebRTC.ICE.PortMax = 40000, 40099
	})
	mic := micWAV(t, "我想問下你哋分行幾點開門", 9*time.Second, 8*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, chromedp.ExecPath("chromium"), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", mic+"%noloop"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("allow-loopback-in-peer-connection", true))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()

	page := "http://" + ts.cfg.HTTP.Addr + "/"
	waitStatus := func(want string, within time.Duration) {
		t.Helper()
		_, err := chromedp.Run(bctx, chromedp.Poll[bool](
			fmt.Sprintf(`document.querySelector('[data-testid=status]').textContent === %q`, want),
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(within)))
		if err != nil {
			t.Fatalf("status never became %q: %v%s", want, err, describe(ts.events()))
		}
	}
	rx := func() int {
		s, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(`[data-testid=rx-packets]`)))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(s))
		return n
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=call]`))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(`[data-testid=status]`)))
	if err != nil || status != "idle" {
		t.Fatalf("status before the call %q (%v), want idle", status, err)
	}
	t0 := time.Now()
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`[data-testid=call]`))); err != nil {
		t.Fatal(err)
	}
	waitStatus("connected", 15*time.Second)
	t.Logf("connected %v after the click", time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // the greeting plays
	rx1 := rx()
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`[data-testid=keypad-1]`))); err != nil {
		t.Fatal(err)
	}
	ts.waitEvent(t, events.TypeDTMF, 5*time.Second)
	// the question is on the fake mic 9 s after the call started
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !hasFinal(ts.events(), "caller") {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // the bot answers
	rx2 := rx()
	captions, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid=caption]')).map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`[data-testid=hangup]`))); err != nil {
		t.Fatal(err)
	}
	waitStatus("ended", 5*time.Second)
	msgs := ts.waitEvent(t, events.TypeCallEnded, 10*time.Second)

	t.Logf("rx-packets %d after the greeting, %d after the answer; captions %q", rx1, rx2, captions)
	if rx1 <= 0 || rx2 <= rx1 {
		t.Errorf("rx-packets did not grow (%d then %d): the page got no bot audio", rx1, rx2)
	}
	want := []string{events.TypeCallStarted, events.TypeDTMF, events.TypeTranscript, events.TypeCallEnded}
	if seq := typesInOrder(msgs); !subsequence(seq, want) {
		t.Fatalf("events out of order: want %v in %v%s", want, seq, describe(msgs))
	}
	var started events.CallStarted
	decode(t, find(msgs, events.TypeCallStarted, nil), &started)
	if started.Channel != "webrtc" {
		t.Errorf("started on channel %q, want webrtc", started.Channel)
	}
	var dtmf events.DTMF
	decode(t, find(msgs, events.TypeDTMF, nil), &dtmf)
	if dtmf.Digit != "1" {
		t.Errorf("dtmf %q, want 1", dtmf.Digit)
	}
	caller := transcript(t, msgs, "caller")
	if !strings.Contains(caller.Text, "我想問下你哋分行幾點開門") {
		t.Errorf("caller transcript %q", caller.Text)
	}
	bot := transcript(t, msgs, "bot")
	if bot.Text == "" {
		t.Error("no bot transcript")
	}
	joined := strings.Join(captions, "\n")
	if !strings.Contains(joined, "我想問下你哋分行幾點開門") {
		t.Errorf("the page's captions lack the caller's question: %q", captions)
	}
}

func hasFinal(msgs []events.Message, speaker string) bool {
	for _, m := range msgs {
		if m.Envelope.Type == events.TypeTranscript && strings.Contains(string(m.Envelope.Data), `"speaker":"`+speaker+`"`) &&
			strings.Contains(string(m.Envelope.Data), `"final":true`) {
			return true
		}
	}
	return false
}
