package webrtc

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Socket limits.
const (
	// outQueue bounds the server→browser messages waiting for the writer.
	// Overflow policy: a stats message is dropped and counted; any other
	// protocol message that does not fit means the browser stopped
	// reading, so the socket is closed (the call ends); an embedding
	// program's message (Call.Send) is dropped and counted once
	// Config.MessageQueue of them are waiting.
	outQueue = 256
	// writeTimeout bounds one WebSocket write.
	writeTimeout = 5 * time.Second
	// closeGrace bounds the wait for the close handshake at the end.
	closeGrace = time.Second
)

// WebSocket close codes (RFC 6455 §7.4.1).
const (
	closeNormal   = websocket.CloseNormalClosure   // 1000
	closePolicy   = websocket.ClosePolicyViolation // 1008: oversize message
	closeTryLater = websocket.CloseTryAgainLater   // 1013: draining, busy
)

// outKind classifies a queued message for the overflow policy.
type outKind int

const (
	outControl outKind = iota // must arrive, or the socket is useless
	outStats                  // droppable
	outExtra                  // the embedding program's; droppable, bounded separately
)

type outMsg struct {
	data []byte
	kind outKind
}

// wsConn owns one WebSocket: a reader goroutine (readLoop) and a writer
// goroutine (writeLoop), the only two callers of the socket's read and
// write methods (WriteControl and Close are safe from anywhere).
type wsConn struct {
	ws       *websocket.Conn
	limit    int // bytes per message
	maxExtra int64
	out      chan outMsg
	extra    atomic.Int64 // outExtra messages in out
	stopOnce sync.Once
	stop     chan struct{} // closed: flush, send the close frame, exit
	code     atomic.Int32  // close code for the close frame
	reason   atomic.Pointer[string]
	wdone    chan struct{} // closed when writeLoop has returned
	c        *counters
}

func newWSConn(ws *websocket.Conn, limit, maxExtra int, c *counters) *wsConn {
	w := &wsConn{ws: ws, limit: limit, maxExtra: int64(maxExtra), out: make(chan outMsg, outQueue),
		stop: make(chan struct{}), wdone: make(chan struct{}), c: c}
	w.code.Store(closeNormal)
	return w
}

// send queues a message without blocking; see outQueue for the policy.
// It reports whether the message was queued.
func (w *wsConn) send(data []byte, kind outKind) bool {
	if kind == outExtra && w.extra.Add(1) > w.maxExtra {
		w.extra.Add(-1)
		w.c.extraDropped.Add(1)
		return false
	}
	select {
	case w.out <- outMsg{data: data, kind: kind}:
		return true
	default:
	}
	switch kind {
	case outExtra:
		w.extra.Add(-1)
		w.c.extraDropped.Add(1)
	case outStats:
		w.c.statsDropped.Add(1)
	default:
		w.c.controlDropped.Add(1)
		_ = w.ws.Close() // the browser is not reading: end the call
	}
	return false
}

// shutdown makes the writer send what is queued, then a close frame with
// code and reason, then close the socket. Only the first call counts.
func (w *wsConn) shutdown(code int, reason string) {
	w.stopOnce.Do(func() {
		w.code.Store(int32(code))
		w.reason.Store(&reason)
		close(w.stop)
	})
}

// writeLoop writes queued messages until shutdown, then closes the socket.
func (w *wsConn) writeLoop() {
	defer close(w.wdone)
	defer w.ws.Close()
	broken := false
	write := func(m outMsg) {
		if m.kind == outExtra {
			w.extra.Add(-1)
		}
		if broken {
			return
		}
		_ = w.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := w.ws.WriteMessage(websocket.TextMessage, m.data); err != nil {
			broken = true
			_ = w.ws.Close() // unblocks the reader: the call ends
			return
		}
		w.c.messagesOut.Add(1)
	}
	for {
		select {
		case m := <-w.out:
			write(m)
		case <-w.stop:
			for len(w.out) > 0 { // senders may still add: what is queued now goes out
				write(<-w.out)
			}
			if !broken {
				reason := ""
				if p := w.reason.Load(); p != nil {
					reason = *p
				}
				msg := websocket.FormatCloseMessage(int(w.code.Load()), reason)
				_ = w.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
			}
			return
		}
	}
}

// errTooBig reports a message over the size limit.
var errTooBig = errors.New("message too big")

// readMessage returns the next text message. A message over the limit
// gets a close frame with status 1008 and errTooBig; binary messages are
// returned as errMalformed so the caller can answer and go on.
func (w *wsConn) readMessage() ([]byte, error) {
	typ, r, err := w.ws.NextReader()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(w.limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > w.limit {
		msg := websocket.FormatCloseMessage(closePolicy, "message too big")
		_ = w.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
		return nil, errTooBig
	}
	if typ != websocket.TextMessage {
		return nil, errMalformed
	}
	w.c.messagesIn.Add(1)
	return data, nil
}
