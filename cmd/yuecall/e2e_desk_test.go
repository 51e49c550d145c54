package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/desk"
	"github.com/yuecall/yuecall/events"
)

// phasedScript gives the ASR test server's transcripts by when an
// utterance ends: the test knows when the sipp caller says each segment.
type phasedScript struct {
	mu    sync.Mutex
	start time.Time
	segs  []scriptSeg
}

type scriptSeg struct {
	at   time.Duration // from start, before the segment's speech begins
	text string        // what the recogniser "heard" (Simplified, no punctuation, as models write)
}

func (p *phasedScript) set(start time.Time, segs ...scriptSeg) {
	p.mu.Lock()
	p.start, p.segs = start, segs
	p.mu.Unlock()
}

func (p *phasedScript) script(int, []float32) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	el, text := time.Since(p.start), ""
	for _, s := range p.segs {
		if el >= s.at {
			text = s.text
		}
	}
	return text
}

// callerAudio writes a µ-law file of espeak-ng segments, each followed by
// its gap of silence, and returns it with each segment's start offset.
func callerAudio(t *testing.T, dir string, segs []string, gaps []time.Duration) (string, []time.Duration) {
	t.Helper()
	var pcm audio.PCM16
	var starts []time.Duration
	for i, text := range segs {
		wav := filepath.Join(dir, fmt.Sprintf("seg%d.wav", i))
		runCmd(t, "espeak-ng", "-v", "yue", "-s", "150", "-a", "150", "-w", wav, text)
		b, err := os.ReadFile(wav)
		if err != nil {
			t.Fatal(err)
		}
		s, rate, err := audio.ReadWAV(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r, _ := audio.NewResampler(rate, audio.Rate8k)
		starts = append(starts, audio.Duration(len(pcm), audio.Rate8k))
		pcm = r.Resample(pcm, s)
		pcm = append(pcm, make(audio.PCM16, int(gaps[i].Seconds()*audio.Rate8k))...)
	}
	out := filepath.Join(dir, "caller.ulaw")
	if err := os.WriteFile(out, audio.EncodeULaw(nil, pcm), 0o644); err != nil {
		t.Fatal(err)
	}
	return out, starts
}

// browser is one signed-in desk user in their own browser context.
type browser struct {
	t    *testing.T
	ts   *testServer
	name string
	ctx  context.Context
	base string
	shot string // screenshot directory
}

func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.screenshot("failure")
		b.t.Fatalf("%s: %v", b.name, err)
	}
}

func (b *browser) waitJS(expr string, within time.Duration) {
	b.t.Helper()
	if ts := b.ts; ts != nil {
		defer func() {
			if b.t.Failed() {
				b.t.Logf("server log (desk, control, agent lines):\n%s", grepLines(ts.logs.String(), "desk", "control", "agent", "join", "human"))
			}
		}()
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(within))); err != nil {
		b.screenshot("failure")
		b.t.Fatalf("%s: never true within %v: %s: %v", b.name, within, expr, err)
	}
}

func (b *browser) screenshot(what string) {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("%s: screenshot %s: %v", b.name, what, err)
		return
	}
	for _, dir := range []string{b.shot, os.Getenv("YUECALL_SCREENSHOTS")} {
		if dir == "" {
			continue
		}
		_ = os.MkdirAll(dir, 0o755)
		p := filepath.Join(dir, "desk-e2e-"+b.name+"-"+what+".png")
		if err := os.WriteFile(p, png, 0o644); err == nil {
			b.t.Logf("screenshot: %s", p)
		}
	}
}

func (b *browser) login(user, password, landing string) {
	b.run(chromedp.Navigate(b.base+"/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-user]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-user]`), user),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state=open]`)))
	b.waitJS(fmt.Sprintf(`location.pathname === %q`, landing), 10*time.Second)
}

// TestDeskEndToEnd: a signed-in agent, supervisor and compliance officer do
// their jobs on live SIP calls from sipp. Call 1 asks for investment advice:
// the AI's draft waits for compliance, who approves it in the browser, and
// the caller hears it. Call 2 is angry (the supervisor's console shows the
// alert within a second of the caller's turn), then asks for a human: the
// agent accepts in the browser, joins over WebRTC with a microphone, and
// each side hears the other. An agent gets 403 from the supervisor and
// compliance APIs. Screenshots of every page are kept.
func TestDeskEndToEnd(t *testing.T) {
	needTools(t, "chromium", "sipp", "espeak-ng", "sox", "tshark")
	if inLoopbackNetns(t) {
		return
	}
	phases := &phasedScript{}
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP, Script: phases.script})
	defer asrSrv.Close()
	users := map[string][2]string{"amy": {desk.RoleAgent, "agent-pass-1234"},
		"sam": {desk.RoleSupervisor, "super-pass-1234"}, "cora": {desk.RoleCompliance, "comply-pass-1234"}}
	ts := startServe(t, func(c *Config) {
		c.ASR.Provider, c.ASR.URL = "sherpa", asrSrv.URL()
		c.WebRTC.ICE.AllowLoopback = true
		c.WebRTC.ICE.PortMin, c.WebRTC.ICE.PortMax = 40100, 40199
		us, err := desk.OpenUsers(c.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		for name, u := range users {
			if err := us.Add(name, u[0], u[1]); err != nil {
				t.Fatal(err)
			}
		}
	})
	base := "http://" + ts.cfg.HTTP.Addr
	agentForbidden(t, base, "amy", users["amy"][1])

	dir := t.TempDir()
	agentMic := micWAV(t, "你好我係客戶服務主任陳小姐請問有咩可以幫到你", 0, 500*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, chromedp.ExecPath("chromium"), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", agentMic),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("allow-loopback-in-peer-connection", true), chromedp.WindowSize(1280, 900))
	defer cancelA()
	root, cancelR := chromedp.NewContext(actx)
	defer cancelR()
	if err := chromedp.Do(root); err != nil {
		t.Fatal(err)
	}
	open := func(name string) *browser {
		c, _ := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		return &browser{t: t, ts: ts, name: name, ctx: c, base: base, shot: filepath.Join(dir, "screenshots")}
	}
	agent, sup, comp := open("agent"), open("supervisor"), open("compliance")
	agent.login("amy", users["amy"][1], "/desk")
	sup.login("sam", users["sam"][1], "/supervisor")
	comp.login("cora", users["cora"][1], "/compliance")
	// The supervisor's page notes when each anger alert appears.
	if _, err := chromedp.Run(sup.ctx, chromedp.Evaluate[bool](`window.__alertAt = 0; new MutationObserver(() => {
		if (!window.__alertAt && document.querySelector('[data-testid=anger-alert]')) window.__alertAt = Date.now();
	}).observe(document.body, {childList: true, subtree: true}); true`)); err != nil {
		t.Fatal(err)
	}

	t.Run("compliance approves a draft and the caller hears it", func(t *testing.T) {
		reviewCall(t, ts, phases, comp, dir)
	})
	t.Run("anger alert, hand-off, agent joins and both sides hear each other", func(t *testing.T) {
		handoffCall(t, ts, phases, agent, sup, dir)
	})
	for _, b := range []*browser{agent, sup, comp} {
		b.screenshot("end")
	}
}

// agentForbidden signs in as an agent over HTTP and expects 403 from the
// supervisor and compliance APIs and sockets.
func agentForbidden(t *testing.T, base, user, password string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	body, _ := json.Marshal(map[string]string{"name": user, "password": password})
	req, _ := http.NewRequest("POST", base+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("agent login: %s", resp.Status)
	}
	for _, path := range []string{"/api/supervisor/board", "/api/supervisor/kpi", "/api/compliance/reviews",
		"/api/compliance/audit", "/api/compliance/audit.csv", "/supervisor", "/compliance", "/ws/desk/supervisor"} {
		resp, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %s, want 403 Forbidden", path, resp.Status)
		}
	}
	resp, err = hc.Get(base + "/api/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("agent GET /api/me: %s, want 200", resp.Status)
	}
}

// sippAsync runs one sipp call in the background; wait returns its error.
func sippAsync(t *testing.T, c sippCall) (started time.Time, wait func()) {
	done := make(chan struct{})
	st := time.Now()
	go func() {
		defer close(done)
		runSipp(t, c)
	}()
	return st, func() { <-done }
}

func reviewCall(t *testing.T, ts *testServer, phases *phasedScript, comp *browser, dir string) {
	d := filepath.Join(dir, "review")
	_ = os.MkdirAll(d, 0o755)
	speechFile, starts := callerAudio(t, d, []string{"我想買基金"}, []time.Duration{20 * time.Second})
	lead := 2500 + 400 + 7000
	c := sippCall{Target: ts.cfg.SIP.Addr, Speech: speechFile, Digits: []string{"1"}, BeforeDTMF: 2500,
		BeforeSpeech: 7000, AfterSpeech: 22000, LocalPort: freePort(t, "udp"), MediaPort: freePort(t, "udp")}
	start := time.Now()
	phases.set(start, scriptSeg{at: time.Duration(lead)*time.Millisecond + starts[0], text: "我想买基金"})
	_, wait := sippAsync(t, c)
	defer wait()

	comp.waitJS(`document.querySelectorAll('[data-testid=review-item]').length > 0`, 25*time.Second)
	comp.screenshot("review-queue")
	approvedAt := time.Now()
	comp.run(chromedp.Click(chromedp.CSS(`[data-testid=review-item] [data-testid=approve]`)))
	deadline := time.Now().Add(10 * time.Second)
	var decided bool
	for time.Now().Before(deadline) && !decided {
		for _, m := range ts.events() {
			if m.Envelope.Type == events.TypeReviewDecision && strings.Contains(string(m.Envelope.Data), `"approve"`) {
				decided = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !decided {
		t.Fatalf("no approve decision published:%s", describe(ts.events()))
	}
	var req events.ReviewRequested
	decode(t, find(ts.events(), events.TypeReviewRequested, nil), &req)
	if req.Draft == "" || req.Intent != "investment_advice" {
		t.Fatalf("review request %+v", req)
	}
	// The caller hears the approved draft: the bot's transcript carries it
	// (published when its first audio is queued for the caller).
	heard := false
	for time.Now().Before(deadline.Add(10*time.Second)) && !heard {
		for _, m := range ts.events() {
			var tr events.Transcript
			if m.Envelope.Type != events.TypeTranscript || json.Unmarshal(m.Envelope.Data, &tr) != nil {
				continue
			}
			if tr.Speaker == "bot" && tr.Text != "" && strings.HasPrefix(req.Draft, firstRunes(tr.Text, 8)) &&
				envTime(m).After(approvedAt.Add(-time.Second)) {
				heard = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !heard {
		t.Errorf("the caller did not hear the approved draft %q:%s", req.Draft, describe(ts.events()))
	}
	t.Logf("review: draft %q approved %v after the caller's turn", firstRunes(req.Draft, 30),
		approvedAt.Sub(start).Round(time.Millisecond))
}

// envTime is when an event was made (the envelope's RFC 3339 time).
func envTime(m events.Message) time.Time {
	at, _ := time.Parse(time.RFC3339Nano, m.Envelope.Time)
	return at
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func handoffCall(t *testing.T, ts *testServer, phases *phasedScript, agent, sup *browser, dir string) {
	d := filepath.Join(dir, "handoff")
	_ = os.MkdirAll(d, 0o755)
	speechFile, starts := callerAudio(t, d,
		[]string{"有冇搞錯呀等咗成個鐘垃圾", "我要轉人工", "喂你好我張信用卡有問題想你幫我睇下點解用唔到"},
		[]time.Duration{6 * time.Second, 14 * time.Second, 6 * time.Second})
	lead := time.Duration(2500+400+7000) * time.Millisecond
	mediaPort := freePort(t, "udp")
	c := sippCall{Target: ts.cfg.SIP.Addr, Speech: speechFile, Digits: []string{"1"}, BeforeDTMF: 2500,
		BeforeSpeech: 7000, AfterSpeech: int((starts[2] + 12*time.Second).Milliseconds()),
		LocalPort: freePort(t, "udp"), MediaPort: mediaPort}
	capt := startCapture(t, mediaPort)
	start := time.Now()
	phases.set(start, scriptSeg{at: lead + starts[0], text: "有冇搞错呀等咗成个钟垃圾"},
		scriptSeg{at: lead + starts[1], text: "我要转人工"},
		scriptSeg{at: lead + starts[2], text: "喂你好我张信用卡有问题想你帮我睇下点解用唔到"})
	_, wait := sippAsync(t, c)
	defer wait() // a failure below still lets sipp finish before the test ends

	// The anger alert reaches the supervisor's screen.
	sup.waitJS(`window.__alertAt > 0`, 30*time.Second)
	alertAt, err := chromedp.Run(sup.ctx, chromedp.Evaluate[int64](`window.__alertAt`))
	if err != nil {
		t.Fatal(err)
	}
	turn := find(ts.events(), events.TypeSentiment, func(m events.Message) bool {
		return strings.Contains(string(m.Envelope.Data), `"anger":true`)
	})
	if turn == nil {
		t.Fatalf("no angry sentiment event:%s", describe(ts.events()))
	}
	callerFinal := find(ts.events(), events.TypeTranscript, func(m events.Message) bool {
		return m.Envelope.CallID == turn.Envelope.CallID && strings.Contains(string(m.Envelope.Data), `"final":true`) &&
			strings.Contains(string(m.Envelope.Data), `"caller"`)
	})
	if callerFinal == nil {
		t.Fatalf("no final caller transcript on the angry call:%s", describe(ts.events()))
	}
	latency := time.UnixMilli(alertAt).Sub(envTime(*callerFinal))
	t.Logf("anger alert on the supervisor's screen %v after the caller's final transcript", latency.Round(time.Millisecond))
	if latency > time.Second {
		t.Errorf("anger alert took %v from the caller's turn to the screen; want <= 1 s", latency)
	}
	sup.screenshot("anger-alert")

	// The hand-off reaches the agent, who accepts and joins with a microphone.
	agent.waitJS(`document.querySelectorAll('[data-testid=handoff-item]').length > 0`, 30*time.Second)
	agent.screenshot("handoff-queue")
	agent.run(chromedp.Click(chromedp.CSS(`[data-testid=handoff-item] [data-testid=accept]`)))
	agent.waitJS(`window.deskRTC && document.querySelector('#call-state') && document.querySelector('#call-state').dataset.state === 'connected'`, 20*time.Second)
	joinedAt := time.Now()
	ts.waitEvent(t, events.TypeAgent, 10*time.Second)
	stats := func() (pk, energy float64) {
		s, err := chromedp.Run(agent.ctx, chromedp.Evaluate[struct{ Packets, Energy float64 }](`window.deskRTC.stats()`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s.Packets, s.Energy
	}
	_, e0 := stats()
	// The caller's third segment is the one the agent must hear.
	chatAt := start.Add(lead + starts[2])
	if d := time.Until(chatAt); d > 0 {
		quietSpan := min(d, 3*time.Second)
		time.Sleep(d - quietSpan)
		_, q0 := stats()
		time.Sleep(quietSpan)
		_, q1 := stats()
		e0 = q1
		t.Logf("agent received energy %.4f in %v of caller silence", q1-q0, quietSpan)
	}
	time.Sleep(5 * time.Second)
	pk, e1 := stats()
	t.Logf("agent received %v packets; energy %.4f while the caller spoke", pk, e1-e0)
	if e1-e0 < 0.01 {
		t.Errorf("the agent did not hear the caller: energy %.5f", e1-e0)
	}
	agent.screenshot("on-call")
	wait()

	// The caller heard the agent: loud frames after the join, when the bot
	// is silent and only the agent's microphone reaches the caller.
	frames := capt.rtpToCallerSince(t, joinedAt.Add(500*time.Millisecond))
	n := speechFrames(frames)
	t.Logf("caller got %d RTP packets after the agent joined, %d of them speech", len(frames), n)
	if n < 25 {
		t.Errorf("the caller heard %d speech frames from the agent; want >= 25 (0.5 s)", n)
	}
	msgs := ts.waitEvent(t, events.TypeCallEnded, 15*time.Second)
	var ho events.HandoffRequested
	decode(t, find(msgs, events.TypeHandoffRequested, nil), &ho)
	if ho.Reason == "" {
		t.Errorf("hand-off without reason: %+v", ho)
	}
}

// grepLines keeps the lines of s that contain any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
