package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/yuecall/yuecall/events"
)

// ErrNoNATS means Config.NATS is nil.
var ErrNoNATS = errors.New("desk: a NATS connection is required")

// Config configures the desk.
type Config struct {
	// DataDir holds users.json (the same directory `yuecall user` uses).
	DataDir string
	// NATS is the connection events come from and controls go to (required).
	NATS *nats.Conn
	// Subjects is the subject builder (its prefix), as the publisher uses.
	Subjects events.Subjects
	Log      *slog.Logger
	// SecureCookies forces the cookie's Secure flag (behind a TLS proxy);
	// it is set anyway on TLS requests.
	SecureCookies bool
	// AllowedOrigins are extra browser origins accepted on state-changing
	// requests and the WebSocket (the page's own host always is).
	AllowedOrigins []string
	// JoinPath is the WebRTC signalling path for barge/whisper when the
	// call does not reply with its own (default /ws/agent).
	JoinPath string
	// IdleTimeout and MaxAge end sessions (defaults 30 min and 12 h).
	IdleTimeout, MaxAge time.Duration
	// QueueLen bounds each browser socket's queue (default 256).
	QueueLen int
	// EventStream is the JetStream stream KPIs replay (default YUECALL,
	// the one events.EnsureStream makes).
	EventStream string
	// AuditStream is created over <prefix>.audit.> when no stream holds
	// those subjects yet (default YUECALL_AUDIT, file storage, AuditMaxAge).
	AuditStream string
	// AuditMaxAge is how long the audit stream keeps records (default 400 days).
	AuditMaxAge time.Duration
	// RequestTimeout bounds a control request to a call (default 5 s).
	RequestTimeout time.Duration
}

func (c *Config) defaults() {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.JoinPath == "" {
		c.JoinPath = "/ws/agent"
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 12 * time.Hour
	}
	if c.QueueLen <= 0 {
		c.QueueLen = 256
	}
	if c.EventStream == "" {
		c.EventStream = "YUECALL"
	}
	if c.AuditStream == "" {
		c.AuditStream = "YUECALL_AUDIT"
	}
	if c.AuditMaxAge <= 0 {
		c.AuditMaxAge = 400 * 24 * time.Hour
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
}

// Desk is the agent desk, supervisor console and compliance review queue:
// HTTP pages and APIs, and the NATS-to-browser bridge.
type Desk struct {
	cfg    Config
	log    *slog.Logger
	nc     *nats.Conn
	js     jetstream.JetStream
	prefix string // "yuecall."
	users  *Users
	sess   *sessions
	limit  *limiter
	hub    *hub
	st     *state
	now    func() time.Time

	subs        []*nats.Subscription
	auditStream string
	kpiCache    kpiCache

	badEvents atomic.Uint64
	closing   chan struct{}
	closeOnce sync.Once
	wsMu      sync.Mutex
	closed    bool // under wsMu: no new sockets
	wsWG      sync.WaitGroup
}

// Stats are the desk's counters.
type Stats struct {
	Sockets   int    // browser sockets open
	Queued    uint64 // messages queued to browsers
	Dropped   uint64 // non-critical messages dropped for slow browsers
	Closed    uint64 // sockets closed with 1013 because critical messages overflowed
	BadEvents uint64 // NATS messages that did not decode
}

// New opens the user store, makes sure the audit stream exists and
// subscribes to the events. Close undoes it.
func New(cfg Config) (*Desk, error) {
	cfg.defaults()
	if cfg.NATS == nil {
		return nil, ErrNoNATS
	}
	users, err := OpenUsers(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	d := &Desk{cfg: cfg, log: cfg.Log, nc: cfg.NATS, users: users, now: time.Now,
		prefix: strings.TrimSuffix(cfg.Subjects.All(), ">"), closing: make(chan struct{}),
		sess: newSessions(cfg.IdleTimeout, cfg.MaxAge), limit: newLimiter(5, 15*time.Minute), hub: newHub()}
	d.st = newState(d.now)
	if d.js, err = jetstream.New(cfg.NATS); err != nil {
		return nil, fmt.Errorf("desk: jetstream: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.ensureAuditStream(ctx); err != nil {
		return nil, err
	}
	if err := d.subscribe(); err != nil {
		return nil, err
	}
	return d, nil
}

// Users returns the user store.
func (d *Desk) Users() *Users { return d.users }

// Stats returns the counters.
func (d *Desk) Stats() Stats {
	return Stats{Sockets: d.hub.count(), Queued: d.hub.sent.Load(), Dropped: d.hub.dropped.Load(),
		Closed: d.hub.closed.Load(), BadEvents: d.badEvents.Load()}
}

// Close unsubscribes, closes every browser socket and waits for them.
func (d *Desk) Close() error {
	d.closeOnce.Do(func() {
		d.unsubscribe()
		d.wsMu.Lock()
		d.closed = true
		d.wsMu.Unlock()
		close(d.closing)
	})
	d.wsWG.Wait()
	return nil
}

// Register mounts the desk's pages, APIs and sockets on mux:
//
//	GET  /login, /desk, /supervisor, /compliance, /desk/assets/…
//	POST /api/login, /api/logout; GET /api/me
//	GET  /ws/desk/agent | /ws/desk/supervisor | /ws/desk/compliance
//	POST /api/agent/accept | hand_back | end; GET /api/agent/summary?call_id=…
//	GET  /api/supervisor/board | /api/supervisor/kpi; POST /api/supervisor/join
//	GET  /api/compliance/reviews | /api/compliance/audit | /api/compliance/audit.csv
//	POST /api/compliance/decision
func (d *Desk) Register(mux *http.ServeMux) {
	agent, sup, comp := []string{RoleAgent, RoleSupervisor}, []string{RoleSupervisor}, []string{RoleCompliance}
	mux.Handle("GET /login", page("login.html"))
	mux.Handle("GET /desk/assets/", assets())
	mux.Handle("GET /desk", d.Require(page("agent.html"), agent...))
	mux.Handle("GET /supervisor", d.Require(page("supervisor.html"), sup...))
	mux.Handle("GET /compliance", d.Require(page("compliance.html"), comp...))
	mux.HandleFunc("POST /api/login", d.login)
	mux.Handle("POST /api/logout", d.Require(http.HandlerFunc(d.logout)))
	mux.Handle("GET /api/me", d.Require(http.HandlerFunc(d.me)))
	mux.Handle("GET /ws/desk/agent", d.Require(d.trackWS(d.serveWS(viewAgent)), agent...))
	mux.Handle("GET /ws/desk/supervisor", d.Require(d.trackWS(d.serveWS(viewSupervisor)), sup...))
	mux.Handle("GET /ws/desk/compliance", d.Require(d.trackWS(d.serveWS(viewCompliance)), comp...))
	mux.Handle("POST /api/agent/accept", d.Require(http.HandlerFunc(d.accept), agent...))
	mux.Handle("POST /api/agent/hand_back", d.Require(d.controlHandler(events.ControlHandBack), agent...))
	mux.Handle("POST /api/agent/end", d.Require(d.controlHandler(events.ControlEnd), agent...))
	mux.Handle("GET /api/agent/summary", d.Require(http.HandlerFunc(d.summary), agent...))
	mux.Handle("GET /api/supervisor/board", d.Require(http.HandlerFunc(d.board), sup...))
	mux.Handle("GET /api/supervisor/kpi", d.Require(http.HandlerFunc(d.kpi), sup...))
	mux.Handle("POST /api/supervisor/join", d.Require(http.HandlerFunc(d.join), sup...))
	mux.Handle("GET /api/compliance/reviews", d.Require(http.HandlerFunc(d.reviews), comp...))
	mux.Handle("POST /api/compliance/decision", d.Require(http.HandlerFunc(d.decide), comp...))
	mux.Handle("GET /api/compliance/audit", d.Require(http.HandlerFunc(d.auditJSON), comp...))
	mux.Handle("GET /api/compliance/audit.csv", d.Require(http.HandlerFunc(d.auditCSV), comp...))
}

// Handler is Register on a fresh mux, for tests and simple servers.
func (d *Desk) Handler() http.Handler {
	mux := http.NewServeMux()
	d.Register(mux)
	return mux
}

func (d *Desk) trackWS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.wsMu.Lock()
		if d.closed {
			d.wsMu.Unlock()
			jsonError(w, http.StatusServiceUnavailable, "closing", "系統關閉緊")
			return
		}
		d.wsWG.Add(1)
		d.wsMu.Unlock()
		defer d.wsWG.Done()
		h.ServeHTTP(w, r)
	})
}
