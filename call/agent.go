package call

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/events"
)

// Control carries humans' commands to a call: the desk publishes them on
// NATS (yuecall.ctl.<id> and yuecall.call.<id>.review); cmd adapts a connection.
type Control interface {
	// Listen delivers each message on subject to fn until stop is called.
	// reply answers a request; it is nil for a plain publish. fn runs on
	// the transport's goroutine and must not block.
	Listen(subject string, fn func(data []byte, reply func([]byte))) (stop func(), err error)
}

// Errors of Registry.Join.
var (
	ErrNoSuchCall  = errors.New("call: no such call on this node")
	ErrJoinRefused = errors.New("call: join refused")
)

// grantTTL is how long an accepted agent has to connect their browser.
const grantTTL = 30 * time.Second

// Texts the caller hears when humans come and go.
const (
	textHandBack  = "多謝你等候。而家由智能助理繼續幫你，請問仲有咩可以幫到你？"
	textAgentLeft = "同事嘅線路斷咗，我哋而家幫你再轉接，請稍候。"
)

// grant lets one signed-in user join the call with a one-time token.
type grant struct {
	user    string
	mode    party
	barge   bool // a supervisor the caller hears too
	expires time.Time
}

// human is a person on the call besides the caller.
type human struct {
	user string
	leg  Leg
}

type ctrlMsg struct {
	review bool
	data   []byte
	reply  func([]byte)
}

type joinReq struct {
	token, user string
	leg         Leg
	res         chan error
}

// Registry finds this node's live calls so an agent's browser leg can join
// one. One Registry serves every call of a node; it is safe for concurrent use.
type Registry struct {
	mu    sync.Mutex
	calls map[string]*Session
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{calls: map[string]*Session{}} }

func (r *Registry) add(s *Session) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.calls[s.info.ID] = s
	r.mu.Unlock()
}

func (r *Registry) remove(s *Session) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.calls[s.info.ID] == s {
		delete(r.calls, s.info.ID)
	}
	r.mu.Unlock()
}

// Join hands leg (a human's browser) to the call callID, if token is the
// grant that call gave user when they accepted. On success the call owns
// leg's audio until the leg ends, the human hands back, or the call ends.
func (r *Registry) Join(ctx context.Context, callID, token, user string, leg Leg) error {
	r.mu.Lock()
	s := r.calls[callID]
	r.mu.Unlock()
	if s == nil {
		return ErrNoSuchCall
	}
	req := joinReq{token: token, user: user, leg: leg, res: make(chan error, 1)}
	select {
	case s.joinEv <- req:
	case <-s.done:
		return ErrNoSuchCall
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.res:
		return err
	case <-s.done:
		return ErrNoSuchCall
	case <-ctx.Done():
		return ctx.Err()
	}
}

// listenControl subscribes to the call's control and review subjects.
// Messages go to the loop through ctrlEv; when it is full the request is
// answered "busy" and counted, never waited for.
func (s *Session) listenControl() {
	if s.d.Control == nil {
		return
	}
	for _, review := range []bool{false, true} {
		subject := s.d.Subjects.Control(s.info.ID)
		if review {
			subject = s.d.Subjects.Call(s.info.ID, "review")
		}
		stop, err := s.d.Control.Listen(subject, func(data []byte, reply func([]byte)) {
			select {
			case s.ctrlEv <- ctrlMsg{review: review, data: data, reply: reply}:
			default:
				s.evDropped.Add(1)
				answer(reply, events.ControlReply{CallID: s.info.ID, Error: "busy", Message: "系統繁忙，請再試。"})
			}
		})
		if err != nil {
			s.log.Error("control: subscribe failed; humans cannot reach this call", "err", err)
			continue
		}
		s.ctrlStops = append(s.ctrlStops, stop)
	}
}

// answer replies to a request with r in the event envelope.
func answer(reply func([]byte), r events.ControlReply) {
	if reply == nil {
		return
	}
	env, err := events.NewEnvelope(r.CallID, r, time.Now())
	if err != nil {
		return
	}
	if b, err := json.Marshal(env); err == nil {
		reply(b)
	}
}

// decodePayload reads a message in the event envelope (the contract) or,
// from simple tools, the bare payload.
func decodePayload(data []byte, v any) error {
	var env events.Envelope
	if err := json.Unmarshal(data, &env); err == nil && env.Type != "" && len(env.Data) > 0 {
		return json.Unmarshal(env.Data, v)
	}
	return json.Unmarshal(data, v)
}

// onControl carries out one human command in the loop.
func (s *Session) onControl(m ctrlMsg) {
	if m.review {
		s.onReviewDecision(m.data)
		return
	}
	var c events.Control
	if err := decodePayload(m.data, &c); err != nil {
		answer(m.reply, events.ControlReply{CallID: s.info.ID, Error: "bad_request", Message: "指令格式唔啱。"})
		return
	}
	s.log.Info("control", "action", c.Action, "user", c.User, "role", c.Role)
	answer(m.reply, s.control(c))
}

func (s *Session) control(c events.Control) events.ControlReply {
	r := events.ControlReply{CallID: s.info.ID}
	fail := func(code, msg string) events.ControlReply { r.Error, r.Message = code, msg; return r }
	switch c.Action {
	case events.ControlAccept:
		if s.state != StateHandoff {
			return fail("not_in_handoff", "呢個來電唔喺轉接隊列。")
		}
		if s.humans[partyAgent] != nil || s.agentGranted() {
			return fail("taken", "已經有同事接咗呢個來電。")
		}
		return s.grantJoin(r, c.User, partyAgent, false)
	case events.ControlBarge, events.ControlWhisper:
		if c.Role != "supervisor" {
			return fail("forbidden", "只有主管可以插話或者耳語。")
		}
		if c.Action == events.ControlWhisper && s.humans[partyAgent] == nil {
			return fail("no_agent", "呢個來電未有同事接聽，冇得耳語。")
		}
		if s.humans[partySuper] != nil {
			return fail("taken", "已經有主管喺線上。")
		}
		return s.grantJoin(r, c.User, partySuper, c.Action == events.ControlBarge)
	case events.ControlHandBack:
		if s.humans[partyAgent] == nil {
			return fail("no_agent", "呢個來電冇同事喺線上。")
		}
		s.handBack(c.User)
		r.OK = true
		return r
	case events.ControlSummary:
		if s.conv == nil {
			return fail("no_dialog", "呢個來電冇智能助理摘要。")
		}
		sm := s.conv.Summary()
		r.OK, r.Summary = true, &events.Summary{Intent: sm.Intent, Slots: sm.Slots, Done: sm.Done, Pending: sm.Pending, Text: sm.Text}
		return r
	case events.ControlEnd:
		s.end("completed", "agent_hangup")
		s.hangup()
		r.OK = true
		return r
	}
	return fail("unknown_action", "唔識呢個指令："+c.Action)
}

func (s *Session) agentGranted() bool {
	for _, g := range s.grants {
		if g.mode == partyAgent && time.Now().Before(g.expires) {
			return true
		}
	}
	return false
}

// grantJoin answers an accepted request with a one-time join path.
func (s *Session) grantJoin(r events.ControlReply, user string, p party, barge bool) events.ControlReply {
	token := randomID(16)
	for t, g := range s.grants {
		if time.Now().After(g.expires) {
			delete(s.grants, t)
		}
	}
	s.grants[token] = &grant{user: user, mode: p, barge: barge, expires: time.Now().Add(grantTTL)}
	q := url.Values{"call": {s.info.ID}, "token": {token}}
	r.OK, r.JoinPath = true, "/ws/agent?"+q.Encode()
	return r
}

// onJoin attaches a human's leg if its token and user match a live grant.
func (s *Session) onJoin(j joinReq) {
	g := s.grants[j.token]
	switch {
	case g == nil || time.Now().After(g.expires):
		j.res <- fmt.Errorf("%w: no live grant for this token", ErrJoinRefused)
		return
	case g.user != j.user:
		j.res <- fmt.Errorf("%w: granted to another user", ErrJoinRefused)
		return
	case s.humans[g.mode] != nil:
		j.res <- fmt.Errorf("%w: %s already on the call", ErrJoinRefused, g.mode)
		return
	}
	delete(s.grants, j.token)
	if err := s.attachHuman(g, j.user, j.leg); err != nil {
		j.res <- fmt.Errorf("%w: %v", ErrJoinRefused, err)
		return
	}
	j.res <- nil
}

// attachHuman bridges a human's leg into the call.
func (s *Session) attachHuman(g *grant, user string, leg Leg) error {
	if s.br == nil {
		br := newBridge()
		if err := br.attach(partyCaller, s.leg); err != nil {
			return err
		}
		s.leg.SetSink(teeWriter{a: s.lis, b: br.writer(partyCaller, s.leg.Rate())})
		ctx, cancel := context.WithCancel(s.ctx)
		s.br, s.brStop = br, cancel
		s.tr.Go(func() { br.run(ctx) })
	}
	if err := s.br.attach(g.mode, leg); err != nil {
		return err
	}
	leg.SetSink(s.br.writer(g.mode, leg.Rate()))
	s.humans[g.mode] = &human{user: user, leg: leg}
	state := events.AgentJoined
	if g.mode == partyAgent {
		s.stopSpeaking() // the AI stops; it keeps transcribing
		s.br.setHears(partyCaller, partyAgent, true)
		s.br.setHears(partyAgent, partyCaller, true)
		s.br.setHears(partyAgent, partySuper, s.humans[partySuper] != nil)
	} else {
		state = events.AgentBarged
		s.br.setHears(partySuper, partyCaller, true)
		s.br.setHears(partySuper, partyAgent, true)
		s.br.setHears(partyAgent, partySuper, true)
		s.br.setHears(partyCaller, partySuper, g.barge)
	}
	p := g.mode
	s.tr.Go(func() {
		select {
		case <-leg.Done():
			select {
			case s.humanGone <- p:
			case <-s.ctx.Done():
			}
		case <-s.ctx.Done():
		}
	})
	s.publish(events.Agent{CallID: s.info.ID, State: state, User: user})
	s.d.Metrics.humanJoined(p)
	s.log.Info("human joined", "party", p.String(), "user", user)
	return nil
}

// detachHuman takes a human's leg out of the call and hangs it up.
func (s *Session) detachHuman(p party) *human {
	h := s.humans[p]
	if h == nil {
		return nil
	}
	s.humans[p] = nil
	s.br.detach(p)
	h.leg.SetSink(nil)
	s.tr.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = h.leg.Hangup(ctx)
	})
	if s.humans[partyAgent] == nil && s.humans[partySuper] == nil {
		s.brStop()
		if d, f := s.br.stats(); d > 0 || f > 0 {
			s.log.Info("bridge closed", "samples_dropped", d, "backlogs_flushed", f)
		}
		s.br, s.brStop = nil, nil
		s.leg.SetSink(s.lis)
		s.leg.Flush()
	}
	s.publish(events.Agent{CallID: s.info.ID, State: events.AgentLeft, User: h.user})
	s.log.Info("human left", "party", p.String(), "user", h.user)
	return h
}

// onHumanGone handles a human's leg that ended by itself (browser closed).
func (s *Session) onHumanGone(p party) {
	if s.detachHuman(p) == nil || p != partyAgent || s.outcome != "" {
		return
	}
	s.detachHuman(partySuper)
	s.handedOff = false
	s.say(textAgentLeft, false, false, nil)
	s.handoff(s.handoffQueue, "agent_left")
}

// handBack gives the call back to the AI.
func (s *Session) handBack(user string) {
	s.detachHuman(partySuper)
	s.detachHuman(partyAgent)
	s.handedOff = false
	s.setState(StateAI)
	s.publish(events.Agent{CallID: s.info.ID, State: events.AgentHandBack, User: user})
	s.say(textHandBack, true, false, nil)
}

// releaseHumans ends every human leg when the call ends.
func (s *Session) releaseHumans() {
	s.detachHuman(partySuper)
	s.detachHuman(partyAgent)
	for _, stop := range s.ctrlStops {
		stop()
	}
	s.ctrlStops = nil
}

// randomID is n random bytes in hex: join tokens, review ids.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// teeWriter gives one caller frame to the listener and to the bridge.
type teeWriter struct{ a, b audio.Writer }

func (t teeWriter) SampleRate() int { return t.a.SampleRate() }

func (t teeWriter) WriteSample(f audio.PCM16) error {
	err := t.a.WriteSample(f)
	if err2 := t.b.WriteSample(f); err == nil {
		err = err2
	}
	return err
}

// onReviewDecision takes a compliance decision on the call's pending draft.
func (s *Session) onReviewDecision(data []byte) {
	var d events.ReviewDecision
	if err := decodePayload(data, &d); err != nil {
		s.log.Warn("review: bad decision message", "err", err)
		return
	}
	s.reviewed(d)
}
