package call

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the call-level Prometheus metrics. A nil *Metrics is valid and
// records nothing (unit tests).
type Metrics struct {
	active     prometheus.Gauge
	total      *prometheus.CounterVec
	asrFinal   prometheus.Histogram
	asrConnect prometheus.Histogram
	asrErrors  prometheus.Counter
	ttsFirst   prometheus.Histogram
	bargeIn    prometheus.Histogram
	desk       deskMetrics
}

// NewMetrics registers the call metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	lat := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	m := &Metrics{
		active: prometheus.NewGauge(prometheus.GaugeOpts{Name: "yuecall_calls_active",
			Help: "Calls in progress."}),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yuecall_calls_total",
			Help: "Calls ended, by outcome."}, []string{"outcome"}),
		asrFinal: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "yuecall_asr_final_latency_seconds",
			Help: "From the end of caller speech (VAD) to the final transcript.", Buckets: lat}),
		asrConnect: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "yuecall_asr_connect_seconds",
			Help: "Time to open an ASR stream.", Buckets: lat}),
		asrErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "yuecall_asr_connect_errors_total",
			Help: "ASR streams that failed to open."}),
		ttsFirst: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "yuecall_tts_first_audio_seconds",
			Help: "From a synthesis request to its first audio.", Buckets: lat}),
		bargeIn: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "yuecall_bargein_stop_seconds",
			Help: "From detected caller speech to bot audio flushed.", Buckets: lat}),
	}
	for _, outcome := range []string{"completed", "handoff", "abandoned", "failed", "shutdown"} {
		m.total.WithLabelValues(outcome)
	}
	reg.MustRegister(m.active, m.total, m.asrFinal, m.asrConnect, m.asrErrors, m.ttsFirst, m.bargeIn)
	m.desk = newDeskMetrics(reg)
	return m
}

func (m *Metrics) callStarted() {
	if m != nil {
		m.active.Inc()
	}
}

func (m *Metrics) callEnded(outcome string) {
	if m != nil {
		m.active.Dec()
		m.total.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) observeASRFinal(d time.Duration) {
	if m != nil {
		m.asrFinal.Observe(d.Seconds())
	}
}

func (m *Metrics) observeASRConnect(d time.Duration, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.asrErrors.Inc()
		return
	}
	m.asrConnect.Observe(d.Seconds())
}

func (m *Metrics) observeTTS(d time.Duration) {
	if m != nil {
		m.ttsFirst.Observe(d.Seconds())
	}
}

func (m *Metrics) observeBargeIn(d time.Duration) {
	if m != nil {
		m.bargeIn.Observe(d.Seconds())
	}
}
