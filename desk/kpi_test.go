package desk

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/yuecall/yuecall/events"
)

// script is a day of calls: c1 and c2 answered by the AI, c3 handed off
// (card_lost, caller asked), c4 failed (transfer), c5 abandoned, c6 handed
// off for anger (complaint) and still going; two anger alerts.
func script(t *testing.T) []events.Envelope {
	t.Helper()
	base := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	var out []events.Envelope
	add := func(min int, id string, p events.Payload) {
		env, err := events.NewEnvelope(id, p, base.Add(time.Duration(min)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
	for i, id := range []string{"c1", "c2", "c3", "c4", "c5", "c6"} {
		add(i, id, events.CallStarted{Channel: "sip"})
	}
	add(6, "c1", events.CallEnded{Outcome: "completed", DurationMs: 60000, LastIntent: "balance"})
	add(7, "c2", events.CallEnded{Outcome: "completed", DurationMs: 120000, LastIntent: "hours"})
	add(8, "c3", events.HandoffRequested{CallID: "c3", Queue: "cards", Reason: "caller_asked", Intent: "card_lost"})
	add(9, "c3", events.CallEnded{Outcome: "completed", DurationMs: 300000, LastIntent: "card_lost"})
	add(10, "c4", events.CallEnded{Outcome: "failed", DurationMs: 30000, LastIntent: "transfer"})
	add(11, "c5", events.CallEnded{Outcome: "abandoned", DurationMs: 90000})
	add(12, "c6", events.AlertAnger{CallID: "c6", Score: 0.9})
	add(13, "c6", events.AlertAnger{CallID: "c6", Score: 0.95})
	add(14, "c6", events.HandoffRequested{CallID: "c6", Queue: "general", Reason: "anger", Intent: "complaint"})
	return out
}

func TestComputeKPI(t *testing.T) {
	from := time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)
	k := ComputeKPI(script(t), from, from.Add(24*time.Hour))
	checks := []struct {
		name      string
		got, want any
	}{
		{"calls", k.Calls, 6},
		{"finished", k.Finished, 5},
		{"contained", k.Contained, 2},
		{"handoffs", k.Handoffs, 2},
		{"by reason", fmt.Sprint(k.HandoffsByReason), "map[anger:1 caller_asked:1]"},
		{"avg handle", k.AvgHandleMs, int64((60000 + 120000 + 300000 + 30000 + 90000) / 5)},
		{"anger", k.AngerAlerts, 2},
		{"topics", fmt.Sprint(k.UnresolvedTopics), "[{card_lost 1} {transfer 1}]"},
		{"outcomes", fmt.Sprint(k.Outcomes), "map[abandoned:1 completed:3 failed:1]"},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if math.Abs(k.ContainmentRate-0.4) > 1e-9 {
		t.Errorf("containment %v, want 0.4", k.ContainmentRate)
	}
}

func TestQASampleDeterministic(t *testing.T) {
	n := 0
	for i := 0; i < 20000; i++ {
		id := fmt.Sprintf("call-%d", i)
		if InQASample(id) != InQASample(id) {
			t.Fatal("not deterministic")
		}
		if InQASample(id) {
			n++
		}
	}
	if pct := float64(n) / 200; pct < 4.5 || pct > 5.5 {
		t.Errorf("sample is %.2f%% of calls, want about 5%%", pct)
	}
}

// TestKPIReplayFromStream publishes the scripted day into the YUECALL
// stream and reads the KPIs over HTTP: the replay agrees with ComputeKPI.
func TestKPIReplayFromStream(t *testing.T) {
	e := newEnv(t, nil)
	hist := script(t)
	start := time.Now()
	for _, env := range hist { // stored now: the range is "today so far"
		b, _ := json.Marshal(env)
		subj := ""
		switch env.Type {
		case events.TypeCallStarted:
			subj = events.Subjects{}.Call(env.CallID, "started")
		case events.TypeCallEnded:
			subj = events.Subjects{}.Call(env.CallID, "ended")
		case events.TypeHandoffRequested:
			var h events.HandoffRequested
			_ = json.Unmarshal(env.Data, &h)
			subj = events.Subjects{}.Handoff(h.Queue)
		case events.TypeAlertAnger:
			subj = events.Subjects{}.AlertAnger()
		}
		if _, err := e.desk.js.Publish(t.Context(), subj, b); err != nil {
			t.Fatal(err)
		}
		e.emit(env.CallID, events.Transcript{Speaker: "caller", Text: "noise the KPI replay skips"})
	}
	sue := e.login("sue")
	q := "?from=" + start.Add(-time.Minute).UTC().Format(time.RFC3339) + "&to=" + time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	res, body := sue.do("GET", "/api/supervisor/kpi"+q, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("kpi: %d %s", res.StatusCode, body)
	}
	var k KPI
	if err := json.Unmarshal(body, &k); err != nil {
		t.Fatal(err)
	}
	want := ComputeKPI(hist, time.Time{}, time.Time{})
	if k.Calls != want.Calls || k.Finished != want.Finished || k.Contained != want.Contained || k.AngerAlerts != 2 ||
		k.Handoffs != 2 || k.AvgHandleMs != want.AvgHandleMs {
		t.Errorf("replayed KPI %+v\nwant %+v", k, want)
	}
	// a range before anything was stored is empty
	old := "?from=2020-01-01&to=2020-01-02"
	if _, body := sue.do("GET", "/api/supervisor/kpi"+old, nil, nil); json.Unmarshal(body, &k) != nil || k.Calls != 0 {
		t.Errorf("old range: %s", body)
	}
	if res, _ := sue.do("GET", "/api/supervisor/kpi?from=nonsense", nil, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad range: %d", res.StatusCode)
	}
}
