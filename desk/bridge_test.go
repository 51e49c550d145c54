package desk

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/events"
)

func TestOutQueueOverflowPolicy(t *testing.T) {
	n, c := item{data: []byte("n")}, item{data: []byte("c"), critical: true}
	cases := []struct {
		name      string
		push      []item
		want      string // queued items' data in order
		dropped   uint64
		overflown bool
	}{
		{"fits", []item{n, c, n}, "ncn", 0, false},
		{"drops oldest non-critical", []item{c, n, c, n}, "ccn", 1, false},
		{"new non-critical dropped when all critical", []item{c, c, c, n}, "ccc", 1, false},
		{"critical overflow", []item{c, c, c, c}, "ccc", 0, true},
		{"nothing after overflow", []item{c, c, c, c, n}, "ccc", 0, true},
	}
	for _, tc := range cases {
		q := newOutQueue(3)
		for _, it := range tc.push {
			q.push(it)
		}
		items, over := q.take()
		var got strings.Builder
		for _, it := range items {
			got.Write(it.data)
		}
		if got.String() != tc.want || q.dropped != tc.dropped || over != tc.overflown {
			t.Errorf("%s: queue %q dropped %d overflow %v; want %q %d %v", tc.name, got.String(), q.dropped, over, tc.want, tc.dropped, tc.overflown)
		}
	}
}

// stalledSocket opens a supervisor socket that never reads, with a tiny
// receive buffer so the server's writes stall quickly.
func stalledSocket(t *testing.T, b *browser) *websocket.Conn {
	t.Helper()
	nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	d := websocket.Dialer{NetDial: nd.Dial}
	u := "ws" + strings.TrimPrefix(b.e.srv.URL, "http") + "/ws/desk/supervisor"
	hdr := http.Header{"Origin": {b.e.srv.URL}}
	for _, c := range b.c.Jar.Cookies(mustURL(b.e.srv.URL)) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := d.Dial(u, hdr)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteJSON(inbound{Type: "auth", CSRF: b.csrf}); err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteJSON(inbound{Type: "listen", CallID: "busy"}); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestBridgeBackPressure: 10,000 transcripts and 100 anger alerts are
// published while one supervisor's browser never reads. Publishing is
// not slowed, the NATS subscription drops nothing, the stalled socket's
// transcripts are dropped (counted), and a healthy supervisor gets every
// alert.
func TestBridgeBackPressure(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.QueueLen = 256 })
	sue := e.login("sue")
	stalled := stalledSocket(t, sue)
	defer stalled.Close()
	healthy, _, err := sue.socket(viewSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.Close()
	readUntil(t, healthy, "snapshot", 5*time.Second, nil)
	if err := healthy.WriteJSON(inbound{Type: "listen", CallID: "busy"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return e.desk.hub.count() == 2 && listeningAll(e.desk, "busy") })

	text := strings.Repeat("我想查下張信用卡嘅結單", 30)
	const total, alerts = 10000, 100
	got := make(chan int, 1)
	go func() { // the healthy browser reads everything
		n := 0
		_ = healthy.SetReadDeadline(time.Now().Add(30 * time.Second))
		for n < alerts {
			var m map[string]any
			if healthy.ReadJSON(&m) != nil {
				break
			}
			if m["type"] == "alert" {
				n++
			}
		}
		got <- n
	}()
	start := time.Now()
	for i := 0; i < total; i++ {
		if i%(total/alerts) == 0 {
			e.emit("busy", events.AlertAnger{CallID: "busy", Score: 0.9, Excerpt: fmt.Sprint("alert ", i)})
			continue
		}
		e.emit("busy", events.Transcript{Speaker: "caller", Text: text, Final: true})
	}
	if err := e.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// How much a stalled socket can swallow before its queue fills depends
	// on the kernel's socket buffers; keep publishing transcripts (up to
	// 40,000 more) until the desk has had to drop for it.
	extra := 0
	for extra < 40000 && e.desk.Stats().Dropped == 0 {
		for range 1000 {
			e.emit("busy", events.Transcript{Speaker: "caller", Text: text, Final: true})
		}
		extra += 1000
		if err := e.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // the desk handles the batch
	}
	pubTime := time.Since(start)
	n := <-got
	st := e.desk.Stats()
	var subDropped int
	for _, s := range e.desk.subs {
		d, _ := s.Dropped()
		subDropped += d
	}
	var perSocket []uint64
	e.desk.hub.mu.RLock()
	for c := range e.desk.hub.clients {
		c.q.mu.Lock()
		perSocket = append(perSocket, c.q.dropped)
		c.q.mu.Unlock()
	}
	e.desk.hub.mu.RUnlock()
	t.Logf("drops per socket: %v", perSocket)
	t.Logf("published %d events in %v; healthy browser got %d/%d alerts; desk dropped %d transcripts for slow browsers, closed %d sockets; NATS subscription dropped %d",
		total+extra, pubTime.Round(time.Millisecond), n, alerts, st.Dropped, st.Closed, subDropped)
	if n != alerts {
		t.Errorf("healthy browser got %d alerts, want %d", n, alerts)
	}
	if st.Dropped == 0 {
		t.Error("the stalled browser dropped nothing: it was not stalled")
	}
	if subDropped != 0 {
		t.Errorf("the NATS subscription dropped %d messages: callbacks were slowed", subDropped)
	}
	if pubTime > time.Minute { // wall time depends on the machine's load; drops above are the real check
		t.Errorf("publishing took %v", pubTime)
	}
}

func listeningAll(d *Desk, callID string) bool {
	d.hub.mu.RLock()
	defer d.hub.mu.RUnlock()
	for c := range d.hub.clients {
		if !c.listening(callID) {
			return false
		}
	}
	return true
}

// TestBridgeClosesWhenCriticalOverflows: a stalled browser whose queue is
// full of critical messages is closed with 1013.
func TestBridgeClosesWhenCriticalOverflows(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.QueueLen = 8 })
	stalled := stalledSocket(t, e.login("sue"))
	defer stalled.Close()
	waitFor(t, func() bool { return e.desk.hub.count() == 1 })
	excerpt := strings.Repeat("你哋搞乜鬼", 200)
	deadline := time.Now().Add(20 * time.Second)
	for e.desk.Stats().Closed == 0 && time.Now().Before(deadline) {
		for i := 0; i < 50; i++ {
			e.emit("angry", events.AlertAnger{CallID: "angry", Score: 0.95, Excerpt: excerpt})
		}
		_ = e.nc.Flush()
		time.Sleep(20 * time.Millisecond)
	}
	if e.desk.Stats().Closed != 1 {
		t.Fatalf("closed %d sockets, want 1", e.desk.Stats().Closed)
	}
	_ = stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	var err error
	for err == nil {
		_, _, err = stalled.ReadMessage()
	}
	if !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Errorf("socket ended with %v, want close 1013", err)
	}
	waitFor(t, func() bool { return e.desk.hub.count() == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func BenchmarkFanout(b *testing.B) {
	h := newHub()
	for i := 0; i < 50; i++ {
		h.add(&client{view: viewSupervisor, q: newOutQueue(256), listen: map[string]bool{}})
	}
	msg := transcriptMsg{Type: "transcript", CallID: "c1", Speaker: "caller", Text: "我想查下結單", Final: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.fanout(msg, false, func(c *client) bool { return true })
	}
}

func TestSnapshotIsJSON(t *testing.T) {
	e := newEnv(t, nil)
	e.emit("c1", events.HandoffRequested{CallID: "c1", Queue: "cards", Reason: "caller_asked", From: "+85291234567"})
	waitFor(t, func() bool { return e.desk.st.hasHandoff("c1") })
	var m snapshotMsg
	if err := json.Unmarshal(e.desk.snapshot(&client{view: viewAgent, user: User{Name: "amy"}}), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Queue) != 1 || m.Queue[0].From != "+852******67" {
		t.Errorf("snapshot queue %+v: want the hand-off with the number masked", m.Queue)
	}
}
