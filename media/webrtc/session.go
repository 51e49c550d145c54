package webrtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// Session limits.
const (
	inQueue       = 16 // parsed messages waiting for the supervisor; the reader blocks beyond
	maxPending    = 64 // remote candidates held before the offer
	statsInterval = time.Second
	peerCloseWait = time.Second // see Server.closePeer
)

// Texts the browser may show to the caller (code and message of "error").
const (
	textDraining = "系統暫停接聽新來電，請稍後再試。"
	textBusy     = "線路繁忙，請稍後再試。"
	textTimeout  = "未能接通語音，請檢查網絡後再試。"
)

// media is what the RTP reader needs, fixed once the answer is made.
type media struct {
	dec     frameDecoder
	audioPT uint8
	dtmfPTs []uint8
}

// session runs one socket: the supervising loop on the ServeHTTP
// goroutine, the socket reader and writer, the peer connection's
// callbacks, and the handler once media connects.
type session struct {
	srv  *Server
	cfg  Config
	log  *slog.Logger
	call *Call

	in       chan inMessage
	readErr  chan error    // the reader's last error, cap 1
	stateCh  chan struct{} // pion connection-state changes, coalesced, cap 1
	pc       *pion.PeerConnection
	pending  []*pion.ICECandidateInit // remote candidates before the offer (nil: end)
	media    atomic.Pointer[media]
	gotTrack atomic.Bool

	candMu   sync.Mutex // guards answered and held
	answered bool
	held     [][]byte // local candidates made before the answer was queued

	connected   bool
	handlerDone chan struct{} // nil until the handler starts
}

func newSession(srv *Server, call *Call) *session {
	return &session{srv: srv, cfg: srv.cfg, log: call.log, call: call, in: make(chan inMessage, inQueue),
		readErr: make(chan error, 1), stateCh: make(chan struct{}, 1)}
}

// run serves the socket until the call ends and its handler returns.
func (s *session) run(ctx context.Context) {
	go s.call.conn.writeLoop()
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		s.readLoop()
	}()
	s.sendJSON(configOut{Type: msgConfig, CallID: s.call.ID, ICEServers: s.cfg.ICE.Servers}, outControl)
	reason := s.loop(ctx)
	s.teardown(reason, readerDone)
}

// refuse answers a socket the server will not serve, then closes it.
func (s *session) refuse(code, text string) {
	s.reject(code, text)
	s.sendJSON(stateOut{Type: msgState, State: "ended", CallID: s.call.ID, Reason: code}, outControl)
	s.call.end(code)
	s.call.conn.shutdown(closeTryLater, code)
	s.call.conn.writeLoop()
	close(s.call.dtmf)
	close(s.call.closed)
}

// loop is the supervising select; it returns the reason the call ends.
func (s *session) loop(ctx context.Context) string {
	connect := time.NewTimer(s.cfg.ConnectTimeout)
	defer connect.Stop()
	tick := time.NewTicker(statsInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return "shutdown"
		case <-s.call.hangup:
			return "hangup"
		case <-s.handlerDone: // nil channel until the handler starts
			return "hangup"
		case err := <-s.readErr:
			if errors.Is(err, errTooBig) {
				return codeTooBig
			}
			return "socket_closed"
		case m := <-s.in:
			if reason := s.handle(m); reason != "" {
				return reason
			}
		case <-s.stateCh:
			if reason := s.onState(); reason != "" {
				return reason
			}
		case <-connect.C:
			if !s.connected {
				s.reject(codeTimeout, textTimeout)
				return "connect_timeout"
			}
		case <-tick.C:
			if s.connected {
				st := s.call.Stats()
				s.sendJSON(statsOut{Type: msgStats, RxPackets: st.PacketsIn, TxPackets: st.PacketsOut,
					JitterMs: st.JitterMs, Lost: st.Lost}, outStats)
			}
		}
	}
}

// readLoop reads and parses messages; bad ones are answered here, good
// ones go to the supervisor. It returns when the socket fails or closes.
func (s *session) readLoop() {
	for {
		data, err := s.call.conn.readMessage()
		if errors.Is(err, errMalformed) {
			s.call.c.badMessages.Add(1)
			s.reject(codeBadMessage, "binary messages are not supported")
			continue
		}
		if err != nil {
			s.readErr <- err // cap 1, the only send
			return
		}
		m, err := parseMessage(data)
		if err != nil {
			s.call.c.badMessages.Add(1)
			code := codeBadMessage
			if errors.Is(err, errUnknownType) {
				code = codeUnknownType
			}
			s.reject(code, err.Error())
			continue
		}
		select {
		case s.in <- m:
		case <-s.call.ctx.Done():
			return
		}
	}
}

// handle applies one client message; a non-empty result ends the call.
func (s *session) handle(m inMessage) string {
	switch m.Type {
	case msgOffer:
		return s.onOffer(m.SDP)
	case msgCandidate:
		s.onRemoteCandidate(m.Candidate)
	case msgDTMF:
		s.call.deliver(m.Digit)
	case msgHangup:
		return "remote_hangup"
	}
	return ""
}

// onState follows the peer connection state (W3C webrtc-pc §4.3.3).
func (s *session) onState() string {
	if s.pc == nil {
		return ""
	}
	switch st := s.pc.ConnectionState(); st {
	case pion.PeerConnectionStateConnected:
		if !s.connected {
			s.connected = true
			s.call.startPacing()
			s.sendState("connected", "")
			s.srv.answered.Add(1)
			s.log.Info("webrtc: call connected", "codec", s.call.Codec(), "remote", s.call.Remote.Addr)
			s.handlerDone = make(chan struct{})
			go func() {
				defer close(s.handlerDone)
				s.srv.handler.HandleCall(s.call.ctx, s.call)
			}()
		}
	case pion.PeerConnectionStateFailed:
		return "ice_failed"
	case pion.PeerConnectionStateClosed: // the browser closed DTLS (RFC 6347 close_notify)
		return "peer_closed"
	}
	return ""
}

// teardown ends the call and waits for everything it started.
func (s *session) teardown(reason string, readerDone <-chan struct{}) {
	c := s.call
	c.end(reason)
	s.sendState("ended", reason)
	c.conn.shutdown(closeNormal, reason)
	if s.pc != nil {
		select {
		case <-s.srv.closePeer(s.pc, s.log):
		case <-time.After(peerCloseWait):
			s.log.Info("webrtc: peer connection still closing (STUN/TURN gathering); the server waits for it")
		}
	}
	c.wg.Wait()
	<-c.conn.wdone
	<-readerDone
	close(c.dtmf)
	close(c.closed)
	if !s.connected {
		s.srv.failed.Add(1)
	}
	s.log.Info("webrtc: call ended", "reason", reason, "stats", fmt.Sprintf("%+v", c.Stats()))
	if s.handlerDone != nil {
		<-s.handlerDone
	}
}

func (s *session) sendJSON(v any, kind outKind) { s.call.conn.send(mustJSON(v), kind) }

func (s *session) sendState(state, reason string) {
	s.sendJSON(stateOut{Type: msgState, State: state, CallID: s.call.ID, Reason: reason}, outControl)
}

// reject sends an "error" message; the call goes on.
func (s *session) reject(code, text string) {
	s.sendJSON(errorOut{Type: msgError, Code: code, Message: text}, outControl)
}
