package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yuecall/yuecall/call"
	"github.com/yuecall/yuecall/desk"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/media/webrtc"
)

// newWebRTC makes the browser-call server: each call on /ws/call becomes a
// call.Session exactly as a SIP call does (same IVR, agent and events),
// and the call's transcript is also sent to the page as captions.
func newWebRTC(cfg webrtc.Config, deps call.Deps, reg prometheus.Registerer, log *slog.Logger) (*webrtc.Server, error) {
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_webrtc_calls_total",
		Help: "Browser calls answered, by codec."}, []string{"codec"})
	reg.MustRegister(calls)
	handler := webrtc.HandlerFunc(func(ctx context.Context, c *webrtc.Call) {
		calls.WithLabelValues(string(c.Codec())).Inc()
		d := deps
		d.Events = captions{next: deps.Events, c: c}
		info := call.Info{ID: c.ID, Channel: "webrtc", From: "web", To: "softphone", Codec: string(c.Codec())}
		call.NewSession(info, c, d).Run(ctx)
	})
	return webrtc.NewServer(cfg, handler, log.With("component", "webrtc"))
}

// captions passes every event on and sends transcripts (already masked by
// the session) to the caller's page. Send never blocks: a slow page loses
// captions, never audio.
type captions struct {
	next events.Emitter
	c    *webrtc.Call
}

func (e captions) Emit(callID string, p events.Payload) {
	if e.next != nil {
		e.next.Emit(callID, p)
	}
	if t, ok := p.(events.Transcript); ok && t.Speaker != "agent" && t.Text != "" {
		_ = e.c.Send(captionMsg{Type: "transcript", Speaker: t.Speaker, Text: t.Text, Final: t.Final,
			Interrupted: t.Interrupted})
	}
}

type captionMsg struct {
	Type        string `json:"type"`
	Speaker     string `json:"speaker"`
	Text        string `json:"text"`
	Final       bool   `json:"final"`
	Interrupted bool   `json:"interrupted,omitempty"`
}

// webRoutes mounts the softphone and its signalling socket.
func webRoutes(mux *http.ServeMux, web *webrtc.Server) {
	mux.Handle("GET /ws/call", web)
	mux.Handle("GET /", desk.Softphone())
}

var _ call.Leg = (*webrtc.Call)(nil)
