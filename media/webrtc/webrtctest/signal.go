package webrtctest

import (
	"context"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// readLoop reads the server's messages until the socket closes: it keeps
// them, hands answers and candidates to the peer connection and ends the
// call on an "ended" state or when the socket closes.
func (c *Client) readLoop() {
	defer close(c.readerDone)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.end("socket_closed") // no-op after an "ended" state or Close
			return
		}
		m, err := parseMessage(data)
		if err != nil {
			c.badMsgs.Add(1)
			c.log.Warn("webrtctest: bad server message", "err", err)
			continue
		}
		m.At = time.Now()
		c.apply(m)
		c.keep(m)
		if m.Type == "state" && m.String("state") == "ended" {
			c.end(m.String("reason"))
		}
	}
}

// apply gives the peer connection the server's answer and candidates (the
// server sends its answer before any candidate).
func (c *Client) apply(m Message) {
	c.mu.Lock()
	pc := c.pc
	c.mu.Unlock()
	if pc == nil {
		return
	}
	switch m.Type {
	case "answer":
		err := pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeAnswer, SDP: m.String("sdp")})
		if err != nil {
			c.badMsgs.Add(1)
			c.log.Warn("webrtctest: answer refused", "err", err)
		}
	case "candidate":
		init, err := remoteCandidate(m)
		if err != nil {
			c.badMsgs.Add(1)
			return
		}
		if init == nil {
			init = &pion.ICECandidateInit{} // end of candidates
		}
		if err := pc.AddICECandidate(*init); err != nil {
			c.log.Warn("webrtctest: candidate refused", "err", err)
		}
	}
}

// keep stores m. Overflow policy: beyond MaxMessages the oldest half is
// dropped and counted.
func (c *Client) keep(m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Seq = c.nextSeq
	c.nextSeq++
	if len(c.msgs) >= c.opts.MaxMessages {
		drop := len(c.msgs) - c.opts.MaxMessages/2
		c.msgs = append(c.msgs[:0], c.msgs[drop:]...)
		c.msgDrop += uint64(drop)
	}
	c.msgs = append(c.msgs, m)
	close(c.changed)
	c.changed = make(chan struct{})
}

// Messages returns the server's messages kept so far, oldest first.
func (c *Client) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// WaitMessage returns the first kept message, received before or during
// the wait, for which match is true. It fails with ctx's error, or with
// ErrEnded once the socket has closed and no kept message matches.
func (c *Client) WaitMessage(ctx context.Context, match func(Message) bool) (Message, error) {
	for {
		msgs, ch := c.snapshotMessages()
		for _, m := range msgs {
			if match(m) {
				return m, nil
			}
		}
		select {
		case <-c.readerDone:
			return c.lastChance(match)
		default:
		}
		select {
		case <-ch:
		case <-c.readerDone:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// lastChance checks the messages once more after the reader has stopped.
func (c *Client) lastChance(match func(Message) bool) (Message, error) {
	msgs, _ := c.snapshotMessages()
	for _, m := range msgs {
		if match(m) {
			return m, nil
		}
	}
	return Message{}, ErrEnded
}

func (c *Client) snapshotMessages() ([]Message, chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...), c.changed
}
