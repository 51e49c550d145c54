package webrtc

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nuid"
	pion "github.com/pion/webrtc/v4"
)

// Handler runs one connected call until it ends. It owns the Call: it must
// return once the call is over (Done closed, or after Hangup). ctx is
// cancelled when the call ends.
type Handler interface {
	HandleCall(ctx context.Context, c *Call)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, c *Call)

// HandleCall calls f.
func (f HandlerFunc) HandleCall(ctx context.Context, c *Call) { f(ctx, c) }

// Server answers browser calls on a WebSocket. Mount it at any path
// (yuecall uses /ws/call); every socket is one call.
type Server struct {
	cfg      Config
	handler  Handler
	log      *slog.Logger
	upgrader websocket.Upgrader
	origins  []string // normalised AllowedOrigins

	ctx    context.Context // parent of every call
	cancel context.CancelFunc

	mu     sync.Mutex // guards closed and calls.Add
	closed bool
	calls  sync.WaitGroup // ServeHTTP calls in progress
	peers  sync.WaitGroup // peer connections still closing (closePeer)

	draining                                    atomic.Bool
	active                                      atomic.Int64
	answered, refusedDrain, refusedBusy, failed atomic.Uint64
}

var _ http.Handler = (*Server)(nil)

// NewServer returns a server that hands every connected call to h.
func NewServer(cfg Config, h Handler, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, handler: h, log: log}
	for _, o := range cfg.AllowedOrigins {
		n, _ := normalOrigin(o) // validated
		s.origins = append(s.origins, n)
	}
	s.upgrader = websocket.Upgrader{HandshakeTimeout: 10 * time.Second, CheckOrigin: s.checkOrigin}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// ServeHTTP upgrades the request to a WebSocket (403 for a refused
// origin) and serves the call on it until the call ends and its handler
// returns.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "webrtc: server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.calls.Done()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil { // the upgrader has answered
		s.log.Debug("webrtc: upgrade refused", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	id := nuid.Next()
	remote := Remote{Addr: r.RemoteAddr, Origin: r.Header.Get("Origin"), UserAgent: r.UserAgent(), Query: r.URL.Query()}
	call := newCall(s.ctx, id, remote, s.cfg, ws, s.log.With("call_id", id, "channel", "webrtc"))
	sess := newSession(s, call)
	if s.draining.Load() {
		s.refusedDrain.Add(1)
		sess.refuse(codeDraining, textDraining)
		return
	}
	if s.active.Add(1) > int64(s.cfg.MaxCalls) {
		s.active.Add(-1)
		s.refusedBusy.Add(1)
		sess.refuse(codeBusy, textBusy)
		return
	}
	defer s.active.Add(-1)
	sess.run(s.ctx)
}

func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.calls.Add(1)
	return true
}

// checkOrigin allows requests without an Origin header (not a browser),
// the configured origins, or by default the socket's own host.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := normalOrigin(origin)
	if err != nil {
		return false
	}
	if len(s.origins) == 0 {
		_, host, _ := strings.Cut(o, "://")
		return strings.EqualFold(host, r.Host)
	}
	return slices.Contains(s.origins, "*") || slices.Contains(s.origins, o)
}

// Drain stops taking new calls: new sockets get an "error" message with
// code "draining" and close with status 1013. Calls in progress go on.
func (s *Server) Drain() { s.draining.Store(true) }

// Wait blocks until every call's handler has returned or ctx ends.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.calls.Wait(); s.peers.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Abort ends every call in progress (reason "shutdown").
func (s *Server) Abort() { s.cancel() }

// Close refuses new sockets, ends every call and waits for their
// handlers to return.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.Drain()
	s.cancel()
	s.calls.Wait()
	s.peers.Wait()
	return nil
}

// closePeer closes pc on a goroutine the server waits for in Close and
// Wait, and returns a channel closed when it is done. pion's ICE agent
// holds Close until an outstanding TURN allocation times out, and a dead
// TURN server must not hold up a call's teardown; the media readers stop
// earlier, when Close stops the transceivers. Callers are inside
// ServeHTTP, so the Add cannot race with Close's Wait.
func (s *Server) closePeer(pc *pion.PeerConnection, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	s.peers.Add(1)
	go func() {
		defer s.peers.Done()
		defer close(done)
		if err := pc.Close(); err != nil {
			log.Debug("webrtc: peer close", "err", err)
		}
	}()
	return done
}

// Active returns the number of calls in progress.
func (s *Server) Active() int { return int(s.active.Load()) }

// Stats returns the call counters.
func (s *Server) Stats() ServerStats {
	return ServerStats{Answered: s.answered.Load(), Draining: s.refusedDrain.Load(),
		Busy: s.refusedBusy.Load(), Failed: s.failed.Load(), Active: s.Active()}
}
