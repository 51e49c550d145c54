package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yuecall/yuecall/asr/resilient"
)

// asrMetrics exports the ASR wrapper's measurements per provider.
type asrMetrics struct {
	connects     *prometheus.CounterVec
	connectTime  *prometheus.HistogramVec
	reconnects   *prometheus.CounterVec
	stalls       *prometheus.CounterVec
	firstPartial *prometheus.HistogramVec
	final        *prometheus.HistogramVec
}

var _ resilient.Metrics = (*asrMetrics)(nil)

func newASRMetrics(reg prometheus.Registerer) *asrMetrics {
	lat := []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &asrMetrics{
		connects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_asr_connects_total",
			Help: "ASR connect attempts, by provider and result."}, []string{"provider", "result"}),
		connectTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "yuecall_asr_provider_connect_seconds",
			Help: "Time to open a provider stream.", Buckets: lat}, []string{"provider"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_asr_reconnects_total",
			Help: "Streams reconnected with replay, by provider and reason (stall, error, half_closed)."},
			[]string{"provider", "reason"}),
		stalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_asr_stalls_total",
			Help: "Streams that took audio and returned nothing for the stall timeout."}, []string{"provider"}),
		firstPartial: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "yuecall_asr_first_partial_seconds",
			Help: "From a segment's first audio to its first partial.", Buckets: lat}, []string{"provider"}),
		final: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "yuecall_asr_provider_final_seconds",
			Help:    "To a final result: from CloseSend when the caller stopped, else from the segment's first audio.",
			Buckets: lat}, []string{"provider"}),
	}
	reg.MustRegister(m.connects, m.connectTime, m.reconnects, m.stalls, m.firstPartial, m.final)
	return m
}

func (m *asrMetrics) Connect(provider string, d time.Duration, err error) {
	if err != nil {
		m.connects.WithLabelValues(provider, "error").Inc()
		return
	}
	m.connects.WithLabelValues(provider, "ok").Inc()
	m.connectTime.WithLabelValues(provider).Observe(d.Seconds())
}

func (m *asrMetrics) Reconnect(provider, reason string) {
	m.reconnects.WithLabelValues(provider, reason).Inc()
}

func (m *asrMetrics) Stall(provider string) { m.stalls.WithLabelValues(provider).Inc() }

func (m *asrMetrics) FirstPartial(provider string, d time.Duration) {
	m.firstPartial.WithLabelValues(provider).Observe(d.Seconds())
}

func (m *asrMetrics) Final(provider string, d time.Duration) {
	m.final.WithLabelValues(provider).Observe(d.Seconds())
}
