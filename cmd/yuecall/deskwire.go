package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/yuecall/yuecall/call"
	"github.com/yuecall/yuecall/desk"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/media/webrtc"
)

// deskParts are the desk (pages, APIs, bridge) and the WebRTC server its
// humans join calls through.
type deskParts struct {
	d     *desk.Desk
	agent *webrtc.Server
}

// newDesk builds the desk on the node's NATS connection. Humans join calls
// over /ws/agent, signed in as an agent or supervisor.
func newDesk(cfg Config, np *natsParts, reg *call.Registry, log *slog.Logger) (*deskParts, error) {
	d, err := desk.New(desk.Config{DataDir: cfg.DataDir, NATS: np.nc,
		Subjects: events.Subjects{Prefix: cfg.NATS.SubjectPrefix}, Log: log.With("component", "desk"),
		SecureCookies: cfg.Desk.SecureCookies, AllowedOrigins: cfg.WebRTC.AllowedOrigins})
	if err != nil {
		return nil, fmt.Errorf("desk: %w", err)
	}
	agent, err := newAgentJoin(cfg.WebRTC, reg, log)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	return &deskParts{d: d, agent: agent}, nil
}

// register mounts the desk and the join socket on mux.
func (p *deskParts) register(mux *http.ServeMux) {
	p.d.Register(mux)
	join := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := desk.UserFrom(r.Context())
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		p.agent.ServeHTTP(w, withUser(r, u.Name))
	})
	mux.Handle("GET /ws/agent", p.d.Require(join, desk.RoleAgent, desk.RoleSupervisor))
}

// DeskConfig configures the web desk.
type DeskConfig struct {
	// SecureCookies marks session cookies Secure even on plain HTTP (set it
	// behind a TLS-terminating proxy).
	SecureCookies bool `yaml:"secure_cookies"`
}
