package sip

import (
	"context"
	"errors"
	"log/slog"
	"net"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
)

// onInvite answers a new INVITE (RFC 3261 §13.3.1) or refreshes an existing
// dialog (re-INVITE, §14.2).
func (s *Server) onInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.onReinvite(req, tx)
		return
	}
	log := s.log.With("sip_call_id", callIDOf(req))
	if s.draining.Load() {
		s.rej503.Add(1)
		s.reject(req, tx, 503, "Service Unavailable", gosip.NewHeader("Retry-After", "30"))
		return
	}
	if s.active.Load() >= int64(s.cfg.MaxCalls) {
		s.rej503.Add(1)
		log.Warn("sip: at max calls, rejecting", "max_calls", s.cfg.MaxCalls)
		s.reject(req, tx, 503, "Service Unavailable", gosip.NewHeader("Retry-After", "5"))
		return
	}
	if ct := req.ContentType(); ct == nil || ct.Value() != "application/sdp" || len(req.Body()) == 0 {
		// Late offer (INVITE without SDP) is not supported yet: RFC 3261 §13.3.1 lets us refuse it.
		s.rej488.Add(1)
		s.reject(req, tx, 488, "Not Acceptable Here")
		return
	}
	conn, err := s.ports.Listen()
	if err != nil {
		s.rej503.Add(1)
		log.Error("sip: no RTP port", "err", err)
		s.reject(req, tx, 503, "Service Unavailable")
		return
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	answer, neg, err := sdp.Negotiate(req.Body(), localSDP(s.cfg.publicIP(), int(port)))
	if err != nil {
		conn.Close()
		code := sdp.StatusCode(err)
		if code == 400 {
			s.rej400.Add(1)
		} else {
			s.rej488.Add(1)
		}
		log.Info("sip: offer refused", "status", code, "err", err)
		s.reject(req, tx, code, statusText(code))
		return
	}
	s.answer(req, tx, conn, answer, neg, log)
}

func statusText(code int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 488:
		return "Not Acceptable Here"
	}
	return "Server Internal Error"
}

func callIDOf(req *gosip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

// answer sends 200 OK with the SDP answer, waits for the ACK and starts the
// call's handler in a goroutine tracked by the server.
func (s *Server) answer(req *gosip.Request, tx gosip.ServerTransaction, conn *net.UDPConn,
	answer []byte, neg sdp.Negotiated, log *slog.Logger) {
	dlg, err := s.dialogs.ReadInvite(req, tx)
	if err != nil {
		conn.Close()
		s.rej400.Add(1)
		s.reject(req, tx, 400, "Bad Request")
		return
	}
	c := &Call{ID: newCallID(), SIPCallID: callIDOf(req), Media: neg, dialog: dlg}
	if f := req.From(); f != nil {
		c.From = f.Address.User
	}
	if t := req.To(); t != nil {
		c.To = t.Address.User
	}
	log = log.With("call_id", c.ID)
	rcfg := rtp.NewConfig(neg)
	rcfg.Log = log
	sess, err := rtp.NewSession(conn, rcfg)
	if err != nil {
		conn.Close()
		s.failed.Add(1)
		_ = dlg.Respond(500, "Server Internal Error", nil)
		dlg.Close()
		return
	}
	c.RTP = sess
	s.active.Add(1)
	s.calls.Add(1)
	release := func() {
		sess.Close()
		dlg.Close()
		s.active.Add(-1)
		s.calls.Done()
	}
	if err := dlg.RespondSDP(answer); err != nil {
		if errors.Is(err, gosip.ErrTransactionCanceled) {
			s.cancelled.Add(1)
			log.Info("sip: caller cancelled before answer")
		} else {
			s.failed.Add(1)
			log.Warn("sip: answer failed (no ACK?)", "err", err)
			_ = c.Hangup(context.Background())
		}
		release()
		return
	}
	s.answered.Add(1)
	log.Info("sip: call answered", "codec", neg.Codec.Name, "remote_rtp", neg.Remote.String())
	go func() {
		defer release()
		sess.Start(s.callsCtx)
		s.handler.HandleCall(s.callsCtx, c)
		_ = c.Hangup(context.Background())
	}()
}

// onReinvite answers a re-INVITE in an existing dialog with the SDP already
// agreed: yuecall keeps its media as it is (session refresh, hold).
func (s *Server) onReinvite(req *gosip.Request, tx gosip.ServerTransaction) {
	dlg, err := s.dialogs.MatchDialogRequest(req)
	if err != nil || dlg.InviteResponse == nil {
		s.reject(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	res := gosip.NewSDPResponseFromRequest(req, dlg.InviteResponse.Body())
	if err := tx.Respond(res); err != nil {
		s.log.Debug("sip: re-invite respond", "err", err)
	}
}
