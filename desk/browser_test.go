package desk

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/events"
)

const netnsEnv = "YUECALL_TEST_IN_NETNS"

// inLoopbackNetns runs the named test again in a fresh network namespace
// whose only interface is lo (Chromium gathers ICE candidates when the
// agent page joins a call; inside the namespace nothing leaves the
// machine). It returns true in the parent, which then has nothing to do.
func inLoopbackNetns(t *testing.T) bool {
	t.Helper()
	if os.Getenv(netnsEnv) == "1" {
		return false
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	args := []string{"--net"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	args = append(args, "--", "sh", "-c", `ip link set lo up && exec "$0" "$@"`,
		os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.timeout", "3m")
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		args = append(args, "-test.artifacts")
		if o := flag.Lookup("test.outputdir"); o != nil && o.Value.String() != "" {
			args = append(args, "-test.outputdir", o.Value.String())
		}
	}
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

// fakeJoin is the lead's /ws/agent as far as the page can tell: it sends
// config and records the agent's WebRTC offer.
type fakeJoin struct {
	offers chan string // "user call sdp"
}

func (f *fakeJoin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.WriteJSON(map[string]any{"type": "config", "call_id": r.URL.Query().Get("call"), "ice_servers": []any{}})
	for {
		var m map[string]any
		if conn.ReadJSON(&m) != nil {
			return
		}
		if m["type"] == "offer" {
			sdp, _ := m["sdp"].(string)
			f.offers <- u.Name + " " + r.URL.Query().Get("call") + " " + sdp
		}
	}
}

type shooter struct {
	t    *testing.T
	ctx  context.Context
	dirs []string
}

// shot saves a full-page PNG (quality 100 = PNG) in the artifact dir (and $YUECALL_SCREENSHOTS).
func (s *shooter) shot(name string) {
	s.t.Helper()
	buf, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, d := range s.dirs {
		p := filepath.Join(d, name+".png")
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			s.t.Errorf("screenshot %s: %v", p, err)
			continue
		}
		s.t.Logf("screenshot: %s", p)
	}
}

func (e *env) browserLogin(ctx context.Context, name, landing string) {
	e.t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-user]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-user]`), name),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state=open]`)))
	if err != nil {
		e.t.Fatalf("sign in as %s: %v", name, err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, landing) {
		e.t.Fatalf("%s landed on %s, want %s", name, loc, landing)
	}
}

func poll(t *testing.T, ctx context.Context, js string, within time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(10*time.Millisecond),
		chromedp.WithPollingTimeout(within))); err != nil {
		t.Fatalf("never true within %v: %s: %v", within, js, err)
	}
}

// TestBrowserDesk signs in as each role in headless Chromium: a hand-off
// appears and Accept sends the control request and opens the agent's
// WebRTC peer; transcript and suggestions show; an anger alert appears
// within 1 s; a review approval sends the ReviewDecision. Screenshots of
// every page are saved.
func TestBrowserDesk(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test; run without -short")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed")
	}
	if inLoopbackNetns(t) {
		return
	}
	join := &fakeJoin{offers: make(chan string, 4)}
	e := newEnvMux(t, nil, func(d *Desk, mux *http.ServeMux) {
		mux.Handle("GET /ws/agent", d.Require(join, RoleAgent, RoleSupervisor))
	})
	shots := &shooter{t: t, dirs: []string{t.ArtifactDir()}}
	if d := os.Getenv("YUECALL_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			shots.dirs = append(shots.dirs, d)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, chromedp.ExecPath("chromium"), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"), chromedp.WindowSize(1400, 900))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	shots.ctx = bctx

	if err := chromedp.Do(bctx, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-submit]`))); err != nil {
		t.Fatal(err)
	}
	shots.shot("login")
	agentFlow(t, e, bctx, shots, join)
	supervisorFlow(t, e, bctx, shots)
	complianceFlow(t, e, bctx, shots)
}

func agentFlow(t *testing.T, e *env, ctx context.Context, shots *shooter, join *fakeJoin) {
	e.browserLogin(ctx, "amy", "/desk")
	resp := newResponder(t, e.nc, "c42")
	e.emit("c42", events.CallStarted{Channel: "sip", From: "+852 9123 ****"})
	e.emit("c42", events.HandoffRequested{CallID: "c42", Queue: "cards", Reason: "caller_asked", Summary: "來電者想取消信用卡，已核實身份。",
		From: "+852 9123 ****", Intent: "card_cancel",
		TranscriptTail: []events.TranscriptLine{{Speaker: "bot", Text: "請問有咩可以幫到你？"}, {Speaker: "caller", Text: "我想搵真人職員"}}})
	e.emit("c43", events.HandoffRequested{CallID: "c43", Queue: "general", Reason: "anger", Summary: "來電者投訴收費。", From: "+852 6543 ****", Urgent: true})
	poll(t, ctx, `document.querySelectorAll('[data-testid=handoff-item]').length === 2`, 5*time.Second)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=handoff-item][data-call=c42]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "+852 9123 ****") || !strings.Contains(text, "來電者要求真人") || !strings.Contains(text, "我想搵真人職員") {
		t.Errorf("hand-off item shows %q", text)
	}
	shots.shot("agent-queue")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=handoff-item][data-call=c42] [data-testid=accept]`))); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-resp.received:
		if c.Action != events.ControlAccept || c.User != "amy" {
			t.Errorf("control %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept sent no control request")
	}
	select {
	case o := <-join.offers:
		if !strings.HasPrefix(o, "amy c42 ") || !strings.Contains(o, "m=audio") {
			t.Errorf("WebRTC offer %.80q", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the page opened no WebRTC peer on the join path")
	}
	e.emit("c42", events.Transcript{Speaker: "caller", Text: "我張卡號係4111111111111111，想取消", Final: true})
	e.emit("c42", events.Transcript{Speaker: "agent", Text: "陳生你好，我幫你處理。", Final: true})
	e.emit("c42", events.Suggestion{Text: "取消信用卡前請確認未誌賬交易已經清還。", Sources: []string{"KB-CARD-017", "KB-CARD-020"}})
	e.emit("c42", events.Summary{Intent: "card_cancel", Text: "來電者想取消信用卡。", Pending: []string{"確認結餘"}})
	poll(t, ctx, `document.querySelectorAll('[data-testid=transcript-line]').length >= 4 && document.querySelectorAll('[data-testid=suggestion]').length === 1`, 5*time.Second)
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=transcript-line]')).map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(lines, "\n"); strings.Contains(all, "4111111111111111") || !strings.Contains(all, "************1111") {
		t.Errorf("transcript not masked: %q", lines)
	}
	poll(t, ctx, `document.querySelectorAll('[data-testid=handoff-item]').length === 1`, 5*time.Second)
	shots.shot("agent-call")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=hand-back]`))); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case c := <-resp.received:
			if c.Action == events.ControlHandBack && c.User == "amy" {
				return
			}
		case <-deadline:
			t.Fatal("hand back sent no control")
		}
	}
}

func supervisorFlow(t *testing.T, e *env, ctx context.Context, shots *shooter) {
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-user]`))); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"s1", "s2", "s3"} {
		e.emit(id, events.CallStarted{Channel: "sip", From: fmt.Sprintf("+852 5%d00 ****", i)})
		e.emit(id, events.Intent{Intent: []string{"balance", "card_lost", "complaint"}[i], Confidence: 0.9, Action: "answer"})
	}
	e.emit("s3", events.Sentiment{Score: -0.8, Anger: true})
	e.emit("s1", events.CallEnded{Outcome: "completed", DurationMs: 65000, LastIntent: "balance"})
	e.browserLogin(ctx, "sue", "/supervisor")
	poll(t, ctx, `/^[0-9]+$/.test(document.querySelector('[data-testid=kpi-calls]').textContent) && Number(document.querySelector('[data-testid=kpi-calls]').textContent) >= 4`, 5*time.Second)
	poll(t, ctx, `document.querySelector('[data-testid=kpi-containment]').textContent.endsWith('%')`, 5*time.Second)
	env, _ := events.NewEnvelope("s3", events.AlertAnger{CallID: "s3", Score: 0.93, Excerpt: "你哋搞乜鬼呀，我已經打咗三次！"}, time.Now())
	b, _ := json.Marshal(env)
	t0 := time.Now()
	if err := e.nc.Publish(events.Subjects{}.AlertAnger(), b); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, `document.querySelectorAll('[data-testid=anger-alert]').length === 1`, 2*time.Second)
	lat := time.Since(t0)
	t.Logf("anger alert on the supervisor's screen %v after publish (10 ms polling)", lat.Round(time.Millisecond))
	if lat > time.Second {
		t.Errorf("alert took %v, want < 1 s", lat)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=anger-alert] button`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return listeningAny(e.desk, "s3") })
	e.emit("s3", events.Transcript{Speaker: "caller", Text: "我要投訴你哋", Final: true})
	poll(t, ctx, `Array.from(document.querySelectorAll('#listen-transcript [data-testid=transcript-line]')).some(e => e.textContent.includes('我要投訴你哋'))`, 5*time.Second)
	shots.shot("supervisor")
}

func listeningAny(d *Desk, callID string) bool {
	d.hub.mu.RLock()
	defer d.hub.mu.RUnlock()
	for c := range d.hub.clients {
		if c.listening(callID) {
			return true
		}
	}
	return false
}

func complianceFlow(t *testing.T, e *env, ctx context.Context, shots *shooter) {
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-user]`))); err != nil {
		t.Fatal(err)
	}
	decisions := make(chan events.ReviewDecision, 2)
	sub, err := e.nc.Subscribe("yuecall.call.*.review", func(m *nats.Msg) {
		var env events.Envelope
		var d events.ReviewDecision
		if json.Unmarshal(m.Data, &env) == nil && json.Unmarshal(env.Data, &d) == nil {
			decisions <- d
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	e.browserLogin(ctx, "carl", "/compliance")
	e.emit("c9", events.ReviewRequested{CallID: "c9", ReviewID: "rv-1", Draft: "你嘅信用卡年費可以豁免一年，我幫你申請。",
		Intent: "fee_waiver", Question: "可唔可以免年費？", Sources: []string{"KB-FEE-003"}, TimeoutMs: 60000})
	e.emit("c10", events.ReviewRequested{CallID: "c10", ReviewID: "rv-2", Draft: "可以提早還款，唔使罰息。", Intent: "loan_prepay", TimeoutMs: 45000})
	poll(t, ctx, `document.querySelectorAll('[data-testid=review-item]').length === 2`, 5*time.Second)
	poll(t, ctx, `document.querySelectorAll('#audit tr').length >= 3`, 5*time.Second) // sign-ins so far
	shots.shot("compliance")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=review-item][data-review=rv-1] [data-testid=approve]`))); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-decisions:
		if d.ReviewID != "rv-1" || d.CallID != "c9" || d.Decision != events.DecisionApprove || d.Reviewer != "carl" || !strings.Contains(d.Text, "豁免") {
			t.Errorf("decision %+v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("approve sent no ReviewDecision")
	}
	poll(t, ctx, `document.querySelectorAll('[data-testid=review-item]').length === 1`, 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=review-item][data-review=rv-2] [data-testid=reject]`))); err != nil {
		t.Fatal(err)
	}
	if d := <-decisions; d.Decision != events.DecisionReject || d.Text != "" {
		t.Errorf("reject sent %+v", d)
	}
	poll(t, ctx, `Array.from(document.querySelectorAll('#audit td')).some(td => td.textContent === '批准')`, 5*time.Second)
	shots.shot("compliance-after")
}
