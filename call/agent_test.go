package call

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
)

// memControl is an in-process Control: the test plays the desk.
type memControl struct {
	mu   sync.Mutex
	subs map[string]func([]byte, func([]byte))
}

func (m *memControl) Listen(subject string, fn func([]byte, func([]byte))) (func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.subs == nil {
		m.subs = map[string]func([]byte, func([]byte)){}
	}
	m.subs[subject] = fn
	return func() {
		m.mu.Lock()
		delete(m.subs, subject)
		m.mu.Unlock()
	}, nil
}

func (m *memControl) request(t *testing.T, subject string, v any) events.ControlReply {
	t.Helper()
	m.mu.Lock()
	fn := m.subs[subject]
	m.mu.Unlock()
	if fn == nil {
		t.Fatalf("nobody listens on %s", subject)
	}
	env, err := events.NewEnvelope("t1", v.(events.Payload), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	got := make(chan []byte, 1)
	fn(b, func(r []byte) { got <- r })
	select {
	case r := <-got:
		var env events.Envelope
		var cr events.ControlReply
		if err := json.Unmarshal(r, &env); err != nil || env.Type != events.TypeControlReply {
			t.Fatalf("reply %s is not a %s envelope (%v)", r, events.TypeControlReply, err)
		}
		if err := json.Unmarshal(env.Data, &cr); err != nil {
			t.Fatal(err)
		}
		return cr
	case <-time.After(3 * time.Second):
		t.Fatalf("no reply on %s", subject)
	}
	return events.ControlReply{}
}

// agentPhone is the agent's browser side, as an RTP pair on loopback.
type agentPhone struct {
	leg   *rtpLeg      // given to the call
	phone *rtp.Session // the agent's microphone and ear
	heard *callerSide
}

func newAgentPhone(t *testing.T, ctx context.Context) *agentPhone {
	a, b := udpPair(t)
	cfg := rtp.DefaultConfig()
	cfg.Codec = sdp.PCMU
	cfg.Remote = addrOf(b)
	legRTP, _ := rtp.NewSession(a, cfg)
	cfg.Remote = addrOf(a)
	phoneRTP, _ := rtp.NewSession(b, cfg)
	legRTP.Start(ctx)
	phoneRTP.Start(ctx)
	heard := &callerSide{}
	_ = phoneRTP.SetSink(heard)
	t.Cleanup(func() { legRTP.Close(); phoneRTP.Close() })
	return &agentPhone{leg: &rtpLeg{Session: legRTP, done: make(chan struct{})}, phone: phoneRTP, heard: heard}
}

// playTone sends a 1 s tone from src and returns how many loud frames each
// of ears heard while it played.
func playTone(src *rtp.Session, freq float64, ears ...*callerSide) []int {
	t0 := time.Now()
	sendPaced(src, tone(freq, time.Second))
	time.Sleep(1300 * time.Millisecond)
	t1 := time.Now()
	n := make([]int, len(ears))
	for i, e := range ears {
		n[i] = e.loudBetween(t0, t1)
	}
	return n
}

func tone(freq float64, d time.Duration) audio.PCM16 {
	pcm := make(audio.PCM16, int(d.Seconds()*audio.Rate8k))
	audio.NewToneGenerator(audio.Rate8k, 0.3, freq).Read(pcm)
	return pcm
}

func waitEvent(t *testing.T, r *events.Recorder, typ, contains string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range r.Messages() {
			if m.Envelope.Type == typ && strings.Contains(string(m.Envelope.Data), contains) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s event containing %q", typ, contains)
}

// deskCall is a test call that the desk can reach: an in-process Control
// and a Registry for joins.
type deskCall struct {
	*testCall
	mc  *memControl
	reg *Registry
	ctl string
}

func startDeskCall(t *testing.T) *deskCall {
	mc, reg := &memControl{}, NewRegistry()
	tc := startTestCallWith(t, func(d *Deps) { d.Control, d.Registry = mc, reg })
	return &deskCall{testCall: tc, mc: mc, reg: reg, ctl: events.Subjects{}.Control("t1")}
}

// pressForHuman presses 0 in-band once the menu has started and waits for
// the hand-off.
func (dc *deskCall) pressForHuman(t *testing.T, after time.Duration) {
	time.Sleep(after)
	zero, _ := audio.GenerateDTMF(make(audio.PCM16, 800), audio.Rate8k, '0', 0.3)
	sendPaced(dc.caller, append(zero, make(audio.PCM16, 1600)...))
	waitEvent(t, dc.recorder, events.TypeHandoffRequested, `"reason":"caller_request"`)
}

// join asks for a grant with action and joins a new phone with it.
func (dc *deskCall) join(t *testing.T, ctx context.Context, action, user, role string) *agentPhone {
	t.Helper()
	r := dc.mc.request(t, dc.ctl, events.Control{Action: action, User: user, Role: role})
	if !r.OK {
		t.Fatalf("%s by %s: %+v", action, user, r)
	}
	u, _ := url.Parse(r.JoinPath)
	p := newAgentPhone(t, ctx)
	if err := dc.reg.Join(ctx, "t1", u.Query().Get("token"), user, p.leg); err != nil {
		t.Fatalf("%s join: %v", action, err)
	}
	return p
}

func TestAgentAcceptJoinBridgeAndHandBack(t *testing.T) {
	tc := startDeskCall(t)
	defer tc.teardown()
	mc, reg, ctl := tc.mc, tc.reg, tc.ctl

	// Before a hand-off nobody can accept.
	time.Sleep(300 * time.Millisecond)
	if r := mc.request(t, ctl, events.Control{Action: events.ControlAccept, User: "amy", Role: "agent"}); r.OK || r.Error != "not_in_handoff" {
		t.Fatalf("accept before hand-off: %+v", r)
	}
	tc.pressForHuman(t, 1200*time.Millisecond)

	r := mc.request(t, ctl, events.Control{Action: events.ControlAccept, User: "amy", Role: "agent"})
	if !r.OK || !strings.HasPrefix(r.JoinPath, "/ws/agent?") {
		t.Fatalf("accept: %+v", r)
	}
	if r2 := mc.request(t, ctl, events.Control{Action: events.ControlAccept, User: "bob", Role: "agent"}); r2.OK || r2.Error != "taken" {
		t.Fatalf("second accept: %+v", r2)
	}
	u, _ := url.Parse(r.JoinPath)
	token := u.Query().Get("token")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ap := newAgentPhone(t, ctx)
	if err := reg.Join(ctx, "t1", token, "bob", ap.leg); !errors.Is(err, ErrJoinRefused) {
		t.Fatalf("join by another user: %v", err)
	}
	if err := reg.Join(ctx, "t1", "forged", "amy", ap.leg); !errors.Is(err, ErrJoinRefused) {
		t.Fatalf("join with a forged token: %v", err)
	}
	if err := reg.Join(ctx, "nope", token, "amy", ap.leg); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("join of an unknown call: %v", err)
	}
	if err := reg.Join(ctx, "t1", token, "amy", ap.leg); err != nil {
		t.Fatalf("join: %v", err)
	}
	waitEvent(t, tc.recorder, events.TypeAgent, `"state":"joined"`)
	if r := mc.request(t, ctl, events.Control{Action: events.ControlSummary, User: "amy", Role: "agent"}); !r.OK || r.Summary == nil {
		t.Errorf("summary: %+v", r)
	}
	time.Sleep(200 * time.Millisecond) // the bot's hand-off prompt is flushed

	// Caller → agent, then agent → caller: each hears the other.
	if n := playTone(tc.caller, 440, ap.heard)[0]; n < 30 {
		t.Errorf("agent heard %d loud frames of the caller's 1 s tone; want >= 30", n)
	}
	if n := playTone(ap.phone, 660, tc.heard)[0]; n < 30 {
		t.Errorf("caller heard %d loud frames of the agent's 1 s tone; want >= 30", n)
	}

	if r := mc.request(t, ctl, events.Control{Action: events.ControlHandBack, User: "amy", Role: "agent"}); !r.OK {
		t.Fatalf("hand back: %+v", r)
	}
	waitEvent(t, tc.recorder, events.TypeAgent, `"state":"hand_back"`)
	waitEvent(t, tc.recorder, events.TypeTranscript, "智能助理繼續")
	deadline := time.Now().Add(3 * time.Second)
	for !ap.leg.hungUp.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !ap.leg.hungUp.Load() {
		t.Error("the agent's leg was not hung up at hand-back")
	}
	if got := tc.hangUp(); got != "completed" {
		t.Errorf("outcome %q", got)
	}
}

func TestAgentLeavingRequeuesTheCaller(t *testing.T) {
	tc := startDeskCall(t)
	defer tc.teardown()
	tc.pressForHuman(t, 1500*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ap := tc.join(t, ctx, events.ControlAccept, "amy", "agent")
	waitEvent(t, tc.recorder, events.TypeAgent, `"state":"joined"`)
	ap.leg.once.Do(func() { close(ap.leg.done) }) // the agent's browser goes away
	waitEvent(t, tc.recorder, events.TypeAgent, `"state":"left"`)
	waitEvent(t, tc.recorder, events.TypeHandoffRequested, `"reason":"agent_left"`)
	if got := tc.hangUp(); got != "handoff" {
		t.Errorf("outcome %q, want handoff", got)
	}
}

func TestBridgeMixesWhoHearsWhom(t *testing.T) {
	b := newBridge()
	var legs [nParties]*fakeLeg
	for p := range nParties {
		legs[p] = &fakeLeg{rate: audio.Rate16k}
		if err := b.attach(p, legs[p]); err != nil {
			t.Fatal(err)
		}
	}
	b.setHears(partyCaller, partyAgent, true)
	b.setHears(partyAgent, partyCaller, true)
	b.setHears(partyAgent, partySuper, true) // whisper: the caller does not hear the supervisor
	b.setHears(partySuper, partyCaller, true)
	b.setHears(partySuper, partyAgent, true)
	frame := func(v int16) audio.PCM16 {
		f := make(audio.PCM16, bridgeFrame)
		for i := range f {
			f[i] = v
		}
		return f
	}
	for range 3 {
		b.push(partyCaller, frame(100))
		b.push(partyAgent, frame(20))
		b.push(partySuper, frame(3))
	}
	var out bridgeFrames
	b.mix(&out)
	want := map[party]int16{partyCaller: 20, partyAgent: 103, partySuper: 120}
	for p, w := range want {
		if out[p].leg == nil || out[p].pcm[0] != w || out[p].pcm[len(out[p].pcm)-1] != w {
			t.Errorf("%s hears %v, want %d", p, out[p].pcm[:1], w)
		}
	}
	// A FIFO never holds more than bridgeMax: old audio is dropped.
	for range 40 {
		b.push(partyCaller, frame(1))
	}
	if d, _ := b.stats(); d == 0 {
		t.Error("no samples dropped after 800 ms pushed without mixing")
	}
}

// fakeLeg is a Leg that only records the mix it is given.
type fakeLeg struct {
	Leg
	rate int
}

func (f *fakeLeg) Rate() int { return f.rate }

// TestSupervisorWhisperReachesOnlyTheAgent: a supervisor whispering is
// heard by the agent, not by the caller; an agent cannot whisper.
func TestSupervisorWhisperReachesOnlyTheAgent(t *testing.T) {
	tc := startDeskCall(t)
	defer tc.teardown()
	mc, ctl := tc.mc, tc.ctl
	tc.pressForHuman(t, 1500*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	join := func(action, user, role string) *agentPhone { return tc.join(t, ctx, action, user, role) }
	if r := mc.request(t, ctl, events.Control{Action: events.ControlWhisper, User: "sam", Role: "supervisor"}); r.OK || r.Error != "no_agent" {
		t.Fatalf("whisper with no agent: %+v", r)
	}
	agent := join(events.ControlAccept, "amy", "agent")
	if r := mc.request(t, ctl, events.Control{Action: events.ControlWhisper, User: "amy", Role: "agent"}); r.OK || r.Error != "forbidden" {
		t.Fatalf("whisper by an agent: %+v", r)
	}
	sup := join(events.ControlWhisper, "sam", "supervisor")
	waitEvent(t, tc.recorder, events.TypeAgent, `"state":"barged"`)
	time.Sleep(300 * time.Millisecond)
	heard := playTone(sup.phone, 550, agent.heard, tc.heard)
	if heard[0] < 30 {
		t.Errorf("the agent heard %d loud frames of the whisper; want >= 30", heard[0])
	}
	if heard[1] > 2 {
		t.Errorf("the caller heard %d loud frames of a whisper; want none", heard[1])
	}
	// The supervisor hears the caller too.
	if n := playTone(tc.caller, 440, sup.heard)[0]; n < 30 {
		t.Errorf("the supervisor heard %d loud frames of the caller; want >= 30", n)
	}
	tc.hangUp()
}
