package call

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// deskMetrics count what humans and the brain's guardrails do on calls.
type deskMetrics struct {
	reviews    *prometheus.HistogramVec // wait for a compliance decision, by decision
	anger      prometheus.Counter
	handoffs   *prometheus.CounterVec
	humanJoins *prometheus.CounterVec
}

func newDeskMetrics(reg prometheus.Registerer) deskMetrics {
	m := deskMetrics{
		reviews: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "yuecall_review_wait_seconds",
			Help:    "From an AI draft sent for review to the decision, by decision (approve, edit, reject, timeout).",
			Buckets: []float64{1, 5, 10, 30, 60, 120, 300}}, []string{"decision"}),
		anger: prometheus.NewCounter(prometheus.CounterOpts{Name: "yuecall_anger_alerts_total",
			Help: "Anger alerts raised to supervisors."}),
		handoffs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_handoffs_total",
			Help: "Hand-offs to humans, by reason."}, []string{"reason"}),
		humanJoins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_human_joins_total",
			Help: "Humans who joined calls from the desk, by party (agent, supervisor)."}, []string{"party"}),
	}
	reg.MustRegister(m.reviews, m.anger, m.handoffs, m.humanJoins)
	return m
}

func (m *Metrics) observeReview(decision string, waited time.Duration) {
	if m != nil {
		m.desk.reviews.WithLabelValues(decision).Observe(waited.Seconds())
	}
}

func (m *Metrics) angerAlert() {
	if m != nil {
		m.desk.anger.Inc()
	}
}

func (m *Metrics) handoff(reason string) {
	if m != nil {
		m.desk.handoffs.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) humanJoined(p party) {
	if m != nil {
		m.desk.humanJoins.WithLabelValues(p.String()).Inc()
	}
}
