package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/call"
	"github.com/yuecall/yuecall/media/webrtc"
)

// natsControl delivers the desk's commands to calls over NATS.
type natsControl struct{ nc *nats.Conn }

var _ call.Control = natsControl{}

// Listen subscribes to subject; a request's reply goes to its reply inbox.
func (c natsControl) Listen(subject string, fn func(data []byte, reply func([]byte))) (func(), error) {
	sub, err := c.nc.Subscribe(subject, func(m *nats.Msg) {
		var reply func([]byte)
		if m.Reply != "" {
			reply = func(b []byte) { _ = m.Respond(b) }
		}
		fn(m.Data, reply)
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe() }, nil
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
