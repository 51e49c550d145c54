package desk

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/yuecall/yuecall/events"
)

// responder stands in for a call session: it answers control requests on
// one call (granting the first accept) and records what it got.
type responder struct {
	mu       sync.Mutex
	got      []events.Control
	granted  string
	sub      *nats.Subscription
	received chan events.Control
}

func newResponder(t *testing.T, nc *nats.Conn, callID string) *responder {
	r := &responder{received: make(chan events.Control, 16)}
	sub, err := nc.Subscribe(events.Subjects{}.Control(callID), func(m *nats.Msg) {
		var env events.Envelope
		var c events.Control
		if json.Unmarshal(m.Data, &env) != nil || env.Type != events.TypeControl || json.Unmarshal(env.Data, &c) != nil {
			return
		}
		r.mu.Lock()
		r.got = append(r.got, c)
		rep := events.ControlReply{CallID: callID, OK: true, JoinPath: "/ws/agent?call=" + callID}
		if c.Action == events.ControlSummary {
			rep.Summary = &events.Summary{Intent: "card_lost", Text: "來電者報失信用卡，卡號 4111 1111 1111 1111。",
				Slots: map[string]string{"phone": "91234567"}, Pending: []string{"補發新卡"}}
		}
		if c.Action == events.ControlAccept {
			if r.granted != "" {
				rep = events.ControlReply{CallID: callID, Error: "taken", Message: "已經有同事接咗"}
			} else {
				r.granted = c.User
			}
		}
		r.mu.Unlock()
		if m.Reply != "" {
			e, _ := events.NewEnvelope(callID, rep, time.Now())
			b, _ := json.Marshal(e)
			_ = m.Respond(b)
		}
		r.received <- c
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	_ = nc.Flush()
	return r
}

func TestHandoffAcceptFirstWins(t *testing.T) {
	e := newEnv(t, nil)
	amy, ben := e.login("amy"), e.login("ben")
	amyWS, _, err := amy.socket(viewAgent)
	if err != nil {
		t.Fatal(err)
	}
	defer amyWS.Close()
	benWS, _, err := ben.socket(viewAgent)
	if err != nil {
		t.Fatal(err)
	}
	defer benWS.Close()
	readUntil(t, amyWS, "snapshot", 5*time.Second, nil)
	readUntil(t, benWS, "snapshot", 5*time.Second, nil)
	resp := newResponder(t, e.nc, "c42")

	e.emit("c42", events.HandoffRequested{CallID: "c42", Queue: "cards", Reason: "caller_asked", Summary: "想取消信用卡",
		From: "+852 9123 ****", TranscriptTail: []events.TranscriptLine{{Speaker: "caller", Text: "我要搵真人"}}})
	for _, ws := range []*websocket.Conn{amyWS, benWS} {
		m := readUntil(t, ws, "handoff", 5*time.Second, nil)
		if m["call_id"] != "c42" || m["reason"] != "caller_asked" {
			t.Fatalf("handoff %v", m)
		}
	}
	res, body := amy.do("POST", "/api/agent/accept", map[string]string{"call_id": "c42"}, nil)
	var rep events.ControlReply
	_ = json.Unmarshal(body, &rep)
	if res.StatusCode != 200 || !rep.OK || rep.JoinPath != "/ws/agent?call=c42" {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}
	c := <-resp.received
	if c.Action != events.ControlAccept || c.User != "amy" || c.Role != RoleAgent || c.CallID != "c42" {
		t.Errorf("control %+v", c)
	}
	readUntil(t, benWS, "handoff_gone", 5*time.Second, func(m map[string]any) bool { return m["call_id"] == "c42" })
	// ben was too late: the hand-off is gone from this node
	if res, body := ben.do("POST", "/api/agent/accept", map[string]string{"call_id": "c42"}, nil); res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "taken") {
		t.Errorf("second accept: %d %s", res.StatusCode, body)
	}
	// amy is busy until she hands the call back
	e.emit("c44", events.HandoffRequested{CallID: "c44", Queue: "cards", Reason: "caller_asked"})
	readUntil(t, amyWS, "handoff", 5*time.Second, func(m map[string]any) bool { return m["call_id"] == "c44" })
	if res, body := amy.do("POST", "/api/agent/accept", map[string]string{"call_id": "c44"}, nil); res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "busy") {
		t.Errorf("accept while on a call: %d %s", res.StatusCode, body)
	}
	// amy now follows the call; ben does not
	e.emit("c42", events.Transcript{Speaker: "caller", Text: "我張卡號係4111111111111111", Final: true})
	m := readUntil(t, amyWS, "transcript", 5*time.Second, nil)
	if m["text"] != "我張卡號係************1111" {
		t.Errorf("transcript %q not masked", m["text"])
	}
	e.emit("c42", events.Suggestion{Text: "可以幫你取消", Sources: []string{"KB-12"}})
	readUntil(t, amyWS, "suggestion", 5*time.Second, nil)
	// ben may not hand back a call he is not on; amy may
	if res, _ := ben.do("POST", "/api/agent/hand_back", map[string]string{"call_id": "c42"}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("ben hand_back: %d", res.StatusCode)
	}
	if res, body := amy.do("POST", "/api/agent/hand_back", map[string]string{"call_id": "c42"}, nil); res.StatusCode != 200 {
		t.Fatalf("hand_back: %d %s", res.StatusCode, body)
	}
	for {
		c = <-resp.received
		if c.Action == events.ControlHandBack {
			break
		}
	}
	if c.User != "amy" {
		t.Errorf("hand back by %q", c.User)
	}
	carl := e.login("carl")
	waitFor(t, func() bool {
		_, body := carl.do("GET", "/api/compliance/audit", nil, nil)
		return strings.Contains(string(body), `"action":"accept"`) && strings.Contains(string(body), `"action":"hand_back"`)
	})
}

func TestReviewDecision(t *testing.T) {
	e := newEnv(t, nil)
	carl := e.login("carl")
	ws, _, err := carl.socket(viewCompliance)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readUntil(t, ws, "snapshot", 5*time.Second, nil)
	decisions := make(chan events.ReviewDecision, 4)
	sub, err := e.nc.Subscribe("yuecall.call.*.review", func(m *nats.Msg) {
		var env events.Envelope
		var d events.ReviewDecision
		if json.Unmarshal(m.Data, &env) == nil && json.Unmarshal(env.Data, &d) == nil {
			decisions <- d
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	e.emit("c7", events.ReviewRequested{CallID: "c7", ReviewID: "r1", Draft: "你可以喺網上銀行調高限額", Intent: "limit", TimeoutMs: 20000})
	e.emit("c8", events.ReviewRequested{CallID: "c8", ReviewID: "r2", Draft: "好", Intent: "x", TimeoutMs: 1})
	m := readUntil(t, ws, "review", 5*time.Second, nil)
	if m["review_id"] != "r1" || m["left_ms"].(float64) <= 0 {
		t.Fatalf("review %v", m)
	}
	cases := []struct {
		id, decision, text string
		want               int
		wantText           string
	}{
		{"r1", "maybe", "", http.StatusBadRequest, ""},
		{"r1", events.DecisionEdit, " ", http.StatusBadRequest, ""},
		{"r1", events.DecisionEdit, "你可以打熱線調高限額", http.StatusOK, "你可以打熱線調高限額"},
		{"r1", events.DecisionApprove, "", http.StatusNotFound, ""},
		{"r2", events.DecisionApprove, "", http.StatusGone, ""},
		{"nope", events.DecisionReject, "", http.StatusNotFound, ""},
	}
	waitFor(t, func() bool { _, ok, _ := e.desk.st.review("r2"); return ok })
	time.Sleep(5 * time.Millisecond) // r2's 1 ms timeout passes
	for _, c := range cases {
		res, body := carl.do("POST", "/api/compliance/decision", decisionReq{ReviewID: c.id, Decision: c.decision, Text: c.text}, nil)
		if res.StatusCode != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.id, c.decision, res.StatusCode, body, c.want)
		}
		if c.want == http.StatusOK {
			select {
			case d := <-decisions:
				if d.CallID != "c7" || d.ReviewID != c.id || d.Decision != c.decision || d.Text != c.wantText || d.Reviewer != "carl" {
					t.Errorf("decision %+v", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no ReviewDecision published")
			}
		}
	}
}

func TestAuditCSVEscaping(t *testing.T) {
	rows := []AuditRow{
		{Time: "2026-11-21T10:00:00.000Z", User: "amy", Role: "agent", Action: "accept", CallID: "c1", Detail: "=HYPERLINK(\"http://x\")"},
		{Time: "2026-11-21T10:00:01.000Z", User: "carl", Role: "compliance", Action: "edit", Detail: "+1, \"quoted\"\n第二行"},
		{Time: "t", User: "u", Action: "@SUM(A1)", Detail: "-2", Remote: "\tx"},
		{Time: "t", User: "u", Action: "a", Detail: "safe 正常"},
	}
	var buf bytes.Buffer
	if err := writeAuditCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Error("no UTF-8 BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"time", "user", "role", "action", "call_id", "detail", "remote"},
		{"2026-11-21T10:00:00.000Z", "amy", "agent", "accept", "c1", "'=HYPERLINK(\"http://x\")", ""},
		{"2026-11-21T10:00:01.000Z", "carl", "compliance", "edit", "", "'+1, \"quoted\"\n第二行", ""},
		{"t", "u", "", "'@SUM(A1)", "", "'-2", "'\tx"},
		{"t", "u", "", "a", "", "safe 正常", ""},
	}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Errorf("csv:\n%q\nwant\n%q", recs, want)
	}
}

func TestAuditExportOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	carl := e.login("carl")
	e.desk.audit(t.Context(), User{Name: "amy", Role: RoleAgent}, "accept", "c1", "=cmd|' /C calc'!A0", "127.0.0.1")
	var body []byte
	waitFor(t, func() bool {
		var res *http.Response
		res, body = carl.do("GET", "/api/compliance/audit.csv", nil, nil)
		return res.StatusCode == 200 && bytes.Contains(body, []byte("c1"))
	})
	if !bytes.Contains(body, []byte(`'=cmd|' /C calc'!A0`)) || !bytes.Contains(body, []byte("sign_in")) {
		t.Errorf("csv:\n%s", body)
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{`{"type":"call.control_reply.v1","data":{"ok":true,"join_path":"/ws/agent?call=1"}}`, `{"ok":false,"error":"taken"}`, ``, `null`, `{"type":"call.control_reply.v1","data":7}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseReply(b)
	})
}

// TestAuditStreamOfItsOwn: with no events stream, the desk keeps audit
// records in YUECALL_AUDIT on file storage.
func TestAuditStreamOfItsOwn(t *testing.T) {
	ns, err := events.StartServer(events.ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), JetStream: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	d, err := New(Config{DataDir: t.TempDir(), NATS: nc})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := d.js.Stream(t.Context(), "YUECALL_AUDIT")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(t.Context())
	if info.Config.Storage != jetstream.FileStorage || fmt.Sprint(info.Config.Subjects) != "[yuecall.audit.>]" {
		t.Errorf("audit stream %+v", info.Config)
	}
	d.audit(t.Context(), User{Name: "sue", Role: RoleSupervisor}, "barge", "c1", "", "127.0.0.1")
	rows, err := d.readAudit(t.Context(), time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 10)
	if err != nil || len(rows) != 1 || rows[0].Action != "barge" || rows[0].User != "sue" {
		t.Errorf("audit rows %+v %v", rows, err)
	}
}

func TestComplianceAlertReachesComplianceAndSupervisors(t *testing.T) {
	e := newEnv(t, nil)
	carl := e.login("carl")
	ws, _, err := carl.socket(viewCompliance)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readUntil(t, ws, "snapshot", 5*time.Second, nil)
	e.emit("c9", events.AlertCompliance{CallID: "c9", Intent: "fraud_report", Reason: "fraud",
		Excerpt: "有人用咗我張卡 4111 1111 1111 1111"})
	m := readUntil(t, ws, "compliance_alert", 5*time.Second, nil)
	if m["call_id"] != "c9" || m["intent"] != "fraud_report" {
		t.Fatalf("alert %v", m)
	}
	if ex, _ := m["excerpt"].(string); strings.Contains(ex, "4111 1111 1111 1111") {
		t.Errorf("excerpt not masked: %q", ex)
	}
}

func TestSummaryOnDemand(t *testing.T) {
	e := newEnv(t, nil)
	newResponder(t, e.nc, "c5")
	amy, bob := e.login("amy"), e.login("ben")
	e.emit("c5", events.HandoffRequested{CallID: "c5", Queue: "cards", Reason: "caller_asked"})
	waitFor(t, func() bool { return e.desk.st.hasHandoff("c5") })
	if res, body := amy.do("POST", "/api/agent/accept", callReq{CallID: "c5"}, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}
	res, body := amy.do("GET", "/api/agent/summary?call_id=c5", nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("summary: %d %s", res.StatusCode, body)
	}
	var sm events.Summary
	if err := json.Unmarshal(body, &sm); err != nil || sm.Intent != "card_lost" || len(sm.Pending) != 1 {
		t.Fatalf("summary %s (%v)", body, err)
	}
	if strings.Contains(string(body), "4111 1111 1111 1111") || strings.Contains(string(body), "91234567") {
		t.Errorf("summary not masked: %s", body)
	}
	if res, _ := bob.do("GET", "/api/agent/summary?call_id=c5", nil, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("another agent's summary request: %d, want 403", res.StatusCode)
	}
}
