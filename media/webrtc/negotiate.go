package webrtc

import (
	"context"
	"errors"
	"fmt"

	pion "github.com/pion/webrtc/v4"
)

// Offer/answer (RFC 8829 JSEP §5.3, answerer side) with trickle ICE
// (RFC 8838). The browser always offers; the server answers at once and
// trickles its candidates after the answer.

// onOffer answers an offer; a non-empty result ends the call. A bad offer
// gets an error message and the browser may send another.
func (s *session) onOffer(offerSDP string) string {
	if s.pc != nil {
		if err := s.renegotiate(offerSDP); err != nil {
			s.reject(codeBadOffer, err.Error())
		}
		return ""
	}
	off, err := parseOffer(offerSDP, s.cfg.Codecs)
	if errors.Is(err, errIncompatible) {
		s.reject(codeIncompatible, fmt.Sprintf("%v: this server takes %v", err, s.cfg.Codecs))
		return codeIncompatible
	}
	if err == nil {
		err = s.startPeer(off.codec, offerSDP)
	}
	if err != nil {
		s.log.Info("webrtc: offer refused", "err", err)
		s.reject(codeBadOffer, err.Error())
		if s.pc != nil {
			s.srv.closePeer(s.pc, s.log)
			s.pc = nil
		}
		return ""
	}
	s.sendState("connecting", "")
	return ""
}

// startPeer builds the peer connection for codec, applies the offer,
// queues the answer and then any local candidates made meanwhile.
func (s *session) startPeer(codec Codec, offerSDP string) error {
	pc, err := s.newPeer(codec)
	if err != nil {
		return err
	}
	if err := pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	track, err := pion.NewTrackLocalStaticRTP(codec.params().RTPCodecCapability, "audio", "yuecall-"+s.call.ID)
	if err != nil {
		return fmt.Errorf("track: %w", err)
	}
	rtpSender, err := pc.AddTrack(track)
	if err != nil {
		return fmt.Errorf("track: %w", err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if err := s.prepareMedia(codec, answer.SDP, track); err != nil {
		return err
	}
	if err := pc.SetLocalDescription(answer); err != nil { // starts ICE gathering
		return fmt.Errorf("answer: %w", err)
	}
	s.sendAnswer(answer.SDP)
	s.call.goTracked(func(context.Context) { drainRTCP(rtpSender) })
	for _, c := range s.pending {
		s.addCandidate(c)
	}
	s.pending = nil
	return nil
}

// newPeer makes the peer connection (s.pc) with its callbacks.
func (s *session) newPeer(codec Codec) (*pion.PeerConnection, error) {
	api, err := newAPI(s.cfg, codec, s.log)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(pion.Configuration{ICEServers: pionServers(s.cfg.ICE.Servers)})
	if err != nil {
		return nil, fmt.Errorf("peer: %w", err)
	}
	s.pc = pc
	pc.OnICECandidate(s.onLocalCandidate)
	pc.OnConnectionStateChange(func(pion.PeerConnectionState) {
		select {
		case s.stateCh <- struct{}{}:
		default: // a notification is pending; the loop reads the latest state
		}
	})
	pc.OnTrack(s.onTrack)
	return pc, nil
}

// drainRTCP reads the browser's RTCP, which drives the report
// interceptor, until the peer connection closes.
func drainRTCP(sender *pion.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := sender.Read(buf); err != nil {
			return
		}
	}
}

// prepareMedia makes the codec state both media directions need.
func (s *session) prepareMedia(codec Codec, answerSDP string, track *pion.TrackLocalStaticRTP) error {
	audioPT, dtmfPTs, err := negotiatedPTs(answerSDP, codec)
	if err != nil {
		return err
	}
	enc, err := newEncoder(codec, s.cfg)
	if err != nil {
		return err
	}
	dec, err := newDecoder(codec)
	if err != nil {
		return err
	}
	s.call.tx.w, s.call.tx.enc = track, enc // the pacer starts later, on this goroutine
	s.media.Store(&media{dec: dec, audioPT: audioPT, dtmfPTs: dtmfPTs})
	s.call.codec.Store(&codec)
	return nil
}

// renegotiate answers a later offer on the same peer connection.
func (s *session) renegotiate(offerSDP string) error {
	if err := s.pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	s.sendJSON(sdpOut{Type: msgAnswer, SDP: answer.SDP}, outControl)
	return nil
}

// sendAnswer queues the answer, then the candidates held until it went.
func (s *session) sendAnswer(sdp string) {
	s.sendJSON(sdpOut{Type: msgAnswer, SDP: sdp}, outControl)
	s.candMu.Lock()
	defer s.candMu.Unlock()
	s.answered = true
	for _, m := range s.held {
		s.call.conn.send(m, outControl)
	}
	s.held = nil
}

// onLocalCandidate trickles a gathered candidate (pion callback); nil is
// the end of gathering, sent as a null candidate.
func (s *session) onLocalCandidate(c *pion.ICECandidate) {
	out := candidateOut{Type: msgCandidate}
	if c != nil {
		init := c.ToJSON()
		out.Candidate = &init
	}
	msg := mustJSON(out)
	s.candMu.Lock()
	defer s.candMu.Unlock()
	if !s.answered {
		s.held = append(s.held, msg)
		return
	}
	s.call.conn.send(msg, outControl)
}

// onRemoteCandidate adds a browser candidate, or holds it until the offer.
func (s *session) onRemoteCandidate(c *pion.ICECandidateInit) {
	if s.pc == nil {
		if len(s.pending) >= maxPending {
			s.reject(codeBadCandidate, "too many candidates before the offer")
			return
		}
		s.pending = append(s.pending, c)
		return
	}
	s.addCandidate(c)
}

func (s *session) addCandidate(c *pion.ICECandidateInit) {
	init := pion.ICECandidateInit{} // empty: end of candidates
	if c != nil {
		init = *c
	}
	if err := s.pc.AddICECandidate(init); err != nil {
		s.reject(codeBadCandidate, err.Error())
	}
}

// onTrack reads the browser's audio track on pion's callback goroutine
// until the peer closes. Only the first audio track is read.
func (s *session) onTrack(track *pion.TrackRemote, _ *pion.RTPReceiver) {
	m := s.media.Load()
	if track.Kind() != pion.RTPCodecTypeAudio || m == nil || !s.gotTrack.CompareAndSwap(false, true) {
		return
	}
	c := s.call
	r := newReceiver(s.log, &c.c, &c.sink, c.deliver, m, s.cfg.JitterFrames)
	r.pacer = c.pacer // the one that sends this call's frames
	c.runTracked(func(ctx context.Context) { r.run(ctx, track) })
}
