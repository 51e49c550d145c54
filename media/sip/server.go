package sip

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
	"github.com/nats-io/nuid"

	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
)

// Handler runs one answered call until it ends. It owns the Call: it must
// return only when the call is over (after Hangup or Done).
type Handler interface {
	HandleCall(ctx context.Context, c *Call)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, c *Call)

// HandleCall calls f.
func (f HandlerFunc) HandleCall(ctx context.Context, c *Call) { f(ctx, c) }

// Rejection counters, by reason, for metrics.
type Stats struct {
	Answered, Rejected488, Rejected503, Rejected400, Cancelled, Failed uint64
}

// Server is the SIP UAS.
type Server struct {
	cfg     Config
	handler Handler
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	dialogs *sipgo.DialogServerCache
	ports   *rtp.Allocator

	draining    atomic.Bool
	active      atomic.Int64
	calls       sync.WaitGroup
	callsCtx    context.Context // parent of every call
	cancelCalls context.CancelFunc

	answered, rej488, rej503, rej400, cancelled, failed atomic.Uint64
}

// NewServer prepares a server; Serve starts it.
func NewServer(cfg Config, h Handler, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ports, err := rtp.NewAllocator(cfg.rtpIP(), rtp.PortRange{Min: cfg.RTPPortMin, Max: cfg.RTPPortMax})
	if err != nil {
		return nil, err
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentHostname(cfg.publicIP().String()))
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log.With("component", "sipgo")))
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(cfg.publicIP().String()))
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	_, portStr, _ := net.SplitHostPort(cfg.Addr)
	port, _ := strconv.Atoi(portStr)
	contact := gosip.ContactHeader{Address: gosip.Uri{User: "yuecall",
		Host: cfg.publicIP().String(), Port: port}}
	s := &Server{cfg: cfg, handler: h, log: log, ua: ua, srv: srv, ports: ports,
		dialogs: sipgo.NewDialogServerCache(client, contact)}
	s.callsCtx, s.cancelCalls = context.WithCancel(context.Background())
	srv.OnInvite(s.onInvite)
	srv.OnAck(s.onAck)
	srv.OnBye(s.onBye)
	srv.OnOptions(s.onOptions)
	return s, nil
}

// Serve listens on the configured transports until ctx ends. Bind errors are
// returned at once.
// When it returns, its listeners are closed and their readers have ended
// (sipgo's Close does not close listeners it was handed).
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, len(s.cfg.Transports))
	var listeners []io.Closer
	running := 0 // readers that have not returned yet
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
		for ; running > 0; running-- {
			<-errc
		}
	}()
	for _, t := range s.cfg.Transports {
		switch t {
		case "udp":
			pc, err := net.ListenPacket("udp", s.cfg.Addr)
			if err != nil {
				return fmt.Errorf("sip: listen udp %s: %w", s.cfg.Addr, err)
			}
			listeners, running = append(listeners, pc), running+1
			go func() { errc <- s.srv.ServeUDP(pc) }()
		case "tcp":
			l, err := net.Listen("tcp", s.cfg.Addr)
			if err != nil {
				return fmt.Errorf("sip: listen tcp %s: %w", s.cfg.Addr, err)
			}
			listeners, running = append(listeners, l), running+1
			go func() { errc <- s.srv.ServeTCP(l) }()
		}
	}
	s.log.Info("SIP listening", "addr", s.cfg.Addr, "transports", s.cfg.Transports)
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		running--
		return fmt.Errorf("sip: serve: %w", err)
	}
}

// Drain stops answering new calls; they get 503 with Retry-After.
func (s *Server) Drain() { s.draining.Store(true) }

// Wait blocks until every call handler has returned or ctx ends.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.calls.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Abort cancels every call in progress (after a drain timeout).
func (s *Server) Abort() { s.cancelCalls() }

// Close stops the listeners and the SIP stack and cancels remaining calls.
func (s *Server) Close() error {
	s.cancelCalls()
	s.srv.Close()
	return s.ua.Close()
}

// Active returns the number of calls in progress.
func (s *Server) Active() int { return int(s.active.Load()) }

// Stats returns answer and rejection counters.
func (s *Server) Stats() Stats {
	return Stats{Answered: s.answered.Load(), Rejected488: s.rej488.Load(),
		Rejected503: s.rej503.Load(), Rejected400: s.rej400.Load(),
		Cancelled: s.cancelled.Load(), Failed: s.failed.Load()}
}

func (s *Server) onOptions(req *gosip.Request, tx gosip.ServerTransaction) {
	res := gosip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(gosip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
	res.AppendHeader(gosip.NewHeader("Accept", "application/sdp"))
	if err := tx.Respond(res); err != nil {
		s.log.Debug("sip: options respond", "err", err)
	}
}

func (s *Server) onAck(req *gosip.Request, tx gosip.ServerTransaction) {
	if err := s.dialogs.ReadAck(req, tx); err != nil {
		s.log.Debug("sip: ack outside a dialog", "err", err)
	}
}

func (s *Server) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	if err := s.dialogs.ReadBye(req, tx); err != nil {
		res := gosip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil)
		_ = tx.Respond(res)
	}
}

func (s *Server) reject(req *gosip.Request, tx gosip.ServerTransaction, code int, reason string, hdrs ...gosip.Header) {
	res := gosip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		s.log.Debug("sip: reject respond", "code", code, "err", err)
	}
}

func newCallID() string { return nuid.Next() }

func localSDP(ip netip.Addr, port int) sdp.Local {
	return sdp.Local{Addr: ip, Port: port, Codecs: sdp.DefaultCodecs(), DTMF: true,
		SessionID: uint64(time.Now().UnixNano()), SessionName: "yuecall"}
}
