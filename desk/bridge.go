package desk

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Views: which page a browser socket serves. A supervisor may open the
// agent view; the view decides what the socket is sent.
const (
	viewAgent      = "agent"
	viewSupervisor = "supervisor"
	viewCompliance = "compliance"
)

// item is one message for browsers, marshalled once for every socket.
// Critical items (hand-offs, alerts, reviews, call state) are never
// dropped; the others (transcripts, suggestions, sentiment) are, oldest
// first, when a browser falls behind.
type item struct {
	data     []byte
	critical bool
}

// outQueue is a browser socket's bounded queue, filled by NATS callbacks
// (never blocking them) and drained by the socket's writer.
//
// Overflow policy: when full, the oldest non-critical item is dropped to
// make room (counted in dropped); a non-critical item that finds only
// critical ones is itself dropped; a critical item that finds only critical
// ones marks the queue overflowed and the writer closes the socket with
// 1013 (try again later), so the browser reconnects and gets a fresh
// snapshot.
type outQueue struct {
	max  int
	wake chan struct{} // capacity 1, coalesced

	mu         sync.Mutex
	items      []item
	dropped    uint64
	overflowed bool
}

func newOutQueue(max int) *outQueue {
	return &outQueue{max: max, wake: make(chan struct{}, 1), items: make([]item, 0, 16)}
}

// push queues it without blocking and reports the items it dropped.
func (q *outQueue) push(it item) (dropped int) {
	q.mu.Lock()
	switch {
	case q.overflowed:
	case len(q.items) < q.max:
		q.items = append(q.items, it)
	default:
		if i := q.oldestNonCriticalLocked(); i >= 0 {
			copy(q.items[i:], q.items[i+1:])
			q.items[len(q.items)-1] = it
			dropped = 1
		} else if it.critical {
			q.overflowed = true
		} else {
			dropped = 1
		}
	}
	q.dropped += uint64(dropped)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return dropped
}

func (q *outQueue) oldestNonCriticalLocked() int {
	for i, it := range q.items {
		if !it.critical {
			return i
		}
	}
	return -1
}

// take returns everything queued and whether the queue overflowed.
func (q *outQueue) take() ([]item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = make([]item, 0, 16)
	return out, q.overflowed
}

// client is one signed-in browser socket.
type client struct {
	user User
	view string
	q    *outQueue

	mu     sync.Mutex
	listen map[string]bool // supervisor: calls whose transcript it follows
}

func (c *client) listening(callID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listen[callID]
}

// hub is the set of browser sockets of this desk process.
type hub struct {
	mu      sync.RWMutex
	clients map[*client]struct{}

	dropped atomic.Uint64 // non-critical items dropped, all sockets
	closed  atomic.Uint64 // sockets closed with 1013 on overflow
	sent    atomic.Uint64 // items queued
}

func newHub() *hub { return &hub{clients: map[*client]struct{}{}} }

func (h *hub) add(c *client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// fanout queues msg for every client that want accepts; it never blocks.
func (h *hub) fanout(msg any, critical bool, want func(*client) bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var it item // marshalled for the first socket that wants it: with none, not at all
	for c := range h.clients {
		if !want(c) {
			continue
		}
		if it.data == nil {
			data, err := json.Marshal(msg)
			if err != nil {
				return
			}
			it = item{data: data, critical: critical}
		}
		h.sent.Add(1)
		if n := c.q.push(it); n > 0 {
			h.dropped.Add(uint64(n))
		}
	}
}

func (h *hub) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

const (
	wsAuthTimeout  = 5 * time.Second
	wsWriteTimeout = 10 * time.Second
	wsPing         = 25 * time.Second
	wsReadLimit    = 4096
)

// inbound is what a browser may send: auth first, then listen/unlisten.
type inbound struct {
	Type   string `json:"type"`
	CSRF   string `json:"csrf,omitempty"`
	CallID string `json:"call_id,omitempty"`
}

// serveWS is the bridge socket of one view. Require has checked the
// session and role; the upgrader checks Origin; the first message must be
// {"type":"auth","csrf":TOKEN} within 5 s.
func (d *Desk) serveWS(view string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := UserFrom(r.Context())
		ss, _ := sessionFrom(r.Context())
		up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, CheckOrigin: d.originOK}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered
		}
		defer conn.Close()
		conn.SetReadLimit(wsReadLimit)
		if !wsAuth(conn, ss.csrf) {
			closeWS(conn, websocket.ClosePolicyViolation, "csrf")
			return
		}
		c := &client{user: user, view: view, q: newOutQueue(d.cfg.QueueLen), listen: map[string]bool{}}
		// join first, then snapshot: an event between the two is in the
		// snapshot or follows it, never lost
		d.hub.add(c)
		defer d.hub.remove(c)
		c.q.push(item{data: d.snapshot(c), critical: true})
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		readDone := make(chan struct{})
		go func() { defer close(readDone); defer cancel(); d.readWS(conn, c) }()
		d.writeWS(ctx, conn, c, ss.id)
		conn.Close()
		<-readDone
	})
}

func wsAuth(conn *websocket.Conn, csrf string) bool {
	_ = conn.SetReadDeadline(time.Now().Add(wsAuthTimeout))
	var m inbound
	if err := conn.ReadJSON(&m); err != nil || m.Type != "auth" {
		return false
	}
	_ = conn.SetReadDeadline(time.Time{})
	return subtle.ConstantTimeCompare([]byte(m.CSRF), []byte(csrf)) == 1
}

func closeWS(conn *websocket.Conn, code int, reason string) {
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
		time.Now().Add(time.Second))
}

// readWS handles listen/unlisten from supervisors until the socket fails.
func (d *Desk) readWS(conn *websocket.Conn, c *client) {
	for {
		var m inbound
		if err := conn.ReadJSON(&m); err != nil {
			return
		}
		if c.view != viewSupervisor || len(m.CallID) > 128 {
			continue
		}
		c.mu.Lock()
		switch m.Type {
		case "listen":
			if len(c.listen) < 32 {
				c.listen[m.CallID] = true
			}
		case "unlisten":
			delete(c.listen, m.CallID)
		}
		c.mu.Unlock()
		if m.Type == "listen" {
			for _, t := range d.st.recentTranscript(m.CallID) {
				c.q.push(item{data: t})
			}
		}
	}
}

// writeWS drains the client's queue onto the socket until ctx ends, a
// write fails or the queue overflows (then: close 1013). Every ping it
// checks that the session and user still exist (else: close 1008).
func (d *Desk) writeWS(ctx context.Context, conn *websocket.Conn, c *client, sessionID string) {
	ping := time.NewTicker(wsPing)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			closeWS(conn, websocket.CloseGoingAway, "")
			return
		case <-d.closing:
			closeWS(conn, websocket.CloseGoingAway, "shutdown")
			return
		case <-ping.C:
			if _, ok := d.users.Lookup(c.user.Name); !ok || !d.sess.alive(sessionID) {
				closeWS(conn, websocket.ClosePolicyViolation, "signed out")
				return
			}
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteTimeout)) != nil {
				return
			}
		case <-c.q.wake:
			items, over := c.q.take()
			for _, it := range items {
				_ = conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
				if conn.WriteMessage(websocket.TextMessage, it.data) != nil {
					return
				}
			}
			if over {
				d.hub.closed.Add(1)
				d.log.Warn("desk: browser too slow, closing its socket", "user", c.user.Name, "view", c.view)
				closeWS(conn, websocket.CloseTryAgainLater, "too slow")
				return
			}
		}
	}
}
