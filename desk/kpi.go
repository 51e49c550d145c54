package desk

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/events"
)

// KPIs are computed by replaying the durable event stream (Config.EventStream,
// the YUECALL stream over <prefix>.>) from the range's start with an
// ordered consumer (DeliverByStartTime), reading only started, ended,
// hand-off and anger subjects. Nothing is persisted by the desk: the stream
// is the record, so KPIs agree across desk nodes and survive restarts. The
// range is bounded by the stream's MaxAge (7 days by default). Results are
// cached for kpiCacheTTL per range.

// QASamplePercent is the share of finished calls picked for QA review: a
// call is picked when FNV-1a(call id) mod 100 < QASamplePercent, so every
// node and every replay picks the same calls.
const QASamplePercent = 5

const kpiCacheTTL = 10 * time.Second

// KPI is the supervisor's figures for a time range.
type KPI struct {
	From              time.Time      `json:"from"`
	To                time.Time      `json:"to"`
	Calls             int            `json:"calls"`       // calls started in the range
	Finished          int            `json:"finished"`    // calls ended in the range
	Contained         int            `json:"contained"`   // ended completed by the AI, no hand-off
	ContainmentRate   float64        `json:"containment"` // Contained / Finished (0..1)
	Handoffs          int            `json:"handoffs"`    // hand-off requests
	HandoffsByReason  map[string]int `json:"handoffs_by_reason"`
	AvgHandleMs       int64          `json:"avg_handle_ms"` // mean duration of finished calls
	AngerAlerts       int            `json:"anger_alerts"`
	UnresolvedTopics  []TopicCount   `json:"unresolved_topics"` // intents of calls that ended in hand-off or failure
	QASample          []QACall       `json:"qa_sample"`
	Outcomes          map[string]int `json:"outcomes"`
	computedAtUnixSec int64
}

// TopicCount is one unresolved intent and how many calls it lost.
type TopicCount struct {
	Intent string `json:"intent"`
	Count  int    `json:"count"`
}

// QACall is one finished call picked for QA review.
type QACall struct {
	CallID     string `json:"call_id"`
	Outcome    string `json:"outcome"`
	DurationMs int64  `json:"duration_ms"`
	Intent     string `json:"intent,omitempty"`
	Ended      string `json:"ended"`
}

// InQASample reports whether a call id is in the deterministic QA sample.
func InQASample(callID string) bool {
	h := fnv.New32a()
	_, _ = h.Write([]byte(callID))
	return h.Sum32()%100 < QASamplePercent
}

// kpiAcc accumulates events in time order.
type kpiAcc struct {
	k         KPI
	handedOff map[string]string // call id → hand-off intent
	handle    int64
	topics    map[string]int
}

func newKPIAcc(from, to time.Time) *kpiAcc {
	return &kpiAcc{k: KPI{From: from, To: to, HandoffsByReason: map[string]int{}, Outcomes: map[string]int{},
		UnresolvedTopics: []TopicCount{}, QASample: []QACall{}},
		handedOff: map[string]string{}, topics: map[string]int{}}
}

func (a *kpiAcc) add(env events.Envelope) {
	switch env.Type {
	case events.TypeCallStarted:
		a.k.Calls++
	case events.TypeHandoffRequested:
		var h events.HandoffRequested
		if json.Unmarshal(env.Data, &h) == nil {
			a.k.Handoffs++
			a.k.HandoffsByReason[orUnknown(h.Reason)]++
			id := h.CallID
			if id == "" {
				id = env.CallID
			}
			a.handedOff[id] = h.Intent
		}
	case events.TypeAlertAnger:
		a.k.AngerAlerts++
	case events.TypeCallEnded:
		var e events.CallEnded
		if json.Unmarshal(env.Data, &e) == nil {
			a.ended(env, e)
		}
	}
}

func (a *kpiAcc) ended(env events.Envelope, e events.CallEnded) {
	a.k.Finished++
	a.k.Outcomes[orUnknown(e.Outcome)]++
	a.handle += e.DurationMs
	hIntent, handed := a.handedOff[env.CallID]
	if e.Outcome == "completed" && !handed {
		a.k.Contained++
	}
	if handed || e.Outcome == "handoff" || e.Outcome == "failed" {
		intent := e.LastIntent
		if intent == "" {
			intent = hIntent
		}
		a.topics[orUnknown(intent)]++
	}
	if InQASample(env.CallID) {
		a.k.QASample = append(a.k.QASample, QACall{CallID: env.CallID, Outcome: e.Outcome, DurationMs: e.DurationMs,
			Intent: e.LastIntent, Ended: env.Time})
	}
}

func (a *kpiAcc) result() KPI {
	k := a.k
	if k.Finished > 0 {
		k.ContainmentRate = float64(k.Contained) / float64(k.Finished)
		k.AvgHandleMs = a.handle / int64(k.Finished)
	}
	for intent, n := range a.topics {
		k.UnresolvedTopics = append(k.UnresolvedTopics, TopicCount{Intent: intent, Count: n})
	}
	sort.Slice(k.UnresolvedTopics, func(i, j int) bool {
		t := k.UnresolvedTopics
		return t[i].Count > t[j].Count || t[i].Count == t[j].Count && t[i].Intent < t[j].Intent
	})
	if len(k.UnresolvedTopics) > 10 {
		k.UnresolvedTopics = k.UnresolvedTopics[:10]
	}
	return k
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

// ComputeKPI computes the figures of a time-ordered event history.
func ComputeKPI(history []events.Envelope, from, to time.Time) KPI {
	a := newKPIAcc(from, to)
	for _, env := range history {
		a.add(env)
	}
	return a.result()
}

type kpiCache struct {
	mu sync.Mutex
	m  map[[2]int64]KPI
}

func (d *Desk) kpi(w http.ResponseWriter, r *http.Request) {
	now := d.now()
	from, to, err := parseRange(r.URL.Query(), now)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "bad_range", "日期範圍錯誤")
		return
	}
	key := [2]int64{from.Unix(), to.Truncate(kpiCacheTTL).Unix()}
	d.kpiCache.mu.Lock()
	k, ok := d.kpiCache.m[key]
	d.kpiCache.mu.Unlock()
	if ok && now.Unix()-k.computedAtUnixSec < int64(kpiCacheTTL/time.Second) {
		writeJSON(w, http.StatusOK, k)
		return
	}
	acc := newKPIAcc(from, to)
	p := d.prefix
	subjects := []string{d.cfg.Subjects.Stored("started"), d.cfg.Subjects.Stored("ended"), p + "handoff.>", p + "alert.anger"}
	if err := d.replay(r.Context(), d.cfg.EventStream, subjects, from, to, acc.add); err != nil {
		d.log.Error("desk: KPI replay", "err", err)
		jsonError(w, http.StatusServiceUnavailable, "stream", "讀唔到事件紀錄")
		return
	}
	k = acc.result()
	k.computedAtUnixSec = now.Unix()
	d.kpiCache.mu.Lock()
	if d.kpiCache.m == nil || len(d.kpiCache.m) > 64 {
		d.kpiCache.m = map[[2]int64]KPI{}
	}
	d.kpiCache.m[key] = k
	d.kpiCache.mu.Unlock()
	writeJSON(w, http.StatusOK, k)
}
