package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/call"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/media/webrtc"
)

// natsControl delivers the desk's commands to this node's calls. It holds
// two wildcard subscriptions for the whole node (yuecall.ctl.* and
// yuecall.call.*.review) and dispatches by subject: a NATS subscription
// with a handler costs a goroutine, and two per call would be thousands.
// Messages for calls on other nodes are ignored; their node answers.
type natsControl struct {
	mu   sync.RWMutex
	fns  map[string]func([]byte, func([]byte))
	subs []*nats.Subscription
}

var _ call.Control = (*natsControl)(nil)

func newNATSControl(nc *nats.Conn, subj events.Subjects) (*natsControl, error) {
	c := &natsControl{fns: map[string]func([]byte, func([]byte)){}}
	p := strings.TrimSuffix(subj.All(), ">")
	for _, w := range []string{p + "ctl.*", p + "call.*.review"} {
		sub, err := nc.Subscribe(w, c.dispatch)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("control: subscribe %s: %w", w, err)
		}
		_ = sub.SetPendingLimits(1<<14, 16<<20)
		c.subs = append(c.subs, sub)
	}
	return c, nil
}

func (c *natsControl) dispatch(m *nats.Msg) {
	c.mu.RLock()
	fn := c.fns[m.Subject]
	c.mu.RUnlock()
	if fn == nil {
		return // a call of another node, or one that has ended
	}
	var reply func([]byte)
	if m.Reply != "" {
		reply = func(b []byte) { _ = m.Respond(b) }
	}
	fn(m.Data, reply)
}

// Listen routes subject's messages to fn until stop.
func (c *natsControl) Listen(subject string, fn func(data []byte, reply func([]byte))) (func(), error) {
	c.mu.Lock()
	c.fns[subject] = fn
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.fns, subject)
		c.mu.Unlock()
	}, nil
}

func (c *natsControl) close() {
	for _, s := range c.subs {
		_ = s.Unsubscribe()
	}
}

// newAgentJoin makes the WebRTC server that humans on the desk use to join
// a call they accepted: the socket's query names the call and the one-time
// token; the signed-in user is set by the desk's middleware (userParam),
// never by the browser. The leg lives until it ends or the call lets go.
func newAgentJoin(cfg webrtc.Config, reg *call.Registry, log *slog.Logger) (*webrtc.Server, error) {
	handler := webrtc.HandlerFunc(func(ctx context.Context, c *webrtc.Call) {
		q := c.Remote.Query
		err := reg.Join(ctx, q.Get("call"), q.Get("token"), q.Get(userParam), c)
		if err != nil {
			log.Warn("agent join refused", "call_id", q.Get("call"), "user", q.Get(userParam), "err", err)
			_ = c.Send(map[string]string{"type": "error", "code": "join_refused", "message": "加入通話失敗：呢個來電已經結束，或者已經有其他同事接咗。"})
			hctx, cancel := context.WithTimeout(context.Background(), 2e9)
			defer cancel()
			_ = c.Hangup(hctx)
			return
		}
		select {
		case <-c.Done():
		case <-ctx.Done():
		}
	})
	return webrtc.NewServer(cfg, handler, log.With("component", "agent-join"))
}

// userParam carries the signed-in user from the desk's middleware to the
// join handler.
const userParam = "yuecall_user"

// withUser overwrites userParam in the request's query with name.
func withUser(r *http.Request, name string) *http.Request {
	r2 := r.Clone(r.Context())
	q := r2.URL.Query()
	q.Set(userParam, name)
	r2.URL.RawQuery = q.Encode()
	return r2
}
