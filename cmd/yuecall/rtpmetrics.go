package main

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sip"
)

// rtpCollector exposes RTP packet counters summed over finished and live
// sessions, read at scrape time so the media path does no metric work.
type rtpCollector struct {
	mu       sync.Mutex
	live     map[*rtp.Session]struct{}
	finished rtp.Stats
	sipSrv   *sip.Server

	in, out, lost, garbage, sendLate, queueFull, sipAnswered, sipRejected *prometheus.Desc
	pacerLate, pacerLateMax                                               *prometheus.Desc
}

func newRTPCollector() *rtpCollector {
	return &rtpCollector{live: map[*rtp.Session]struct{}{},
		in:          prometheus.NewDesc("yuecall_rtp_packets_in_total", "RTP packets received.", nil, nil),
		out:         prometheus.NewDesc("yuecall_rtp_packets_out_total", "RTP packets sent.", nil, nil),
		lost:        prometheus.NewDesc("yuecall_rtp_packets_lost_total", "RTP packets lost (sequence gaps).", nil, nil),
		garbage:     prometheus.NewDesc("yuecall_rtp_packets_invalid_total", "Datagrams on RTP ports that were not valid RTP.", nil, nil),
		sendLate:    prometheus.NewDesc("yuecall_rtp_send_late_total", "Times a pacer fell more than 3 frames behind and resynced (frames dropped from the schedule).", nil, nil),
		queueFull:   prometheus.NewDesc("yuecall_rtp_send_queue_full_total", "Bot audio refused because the send queue was full.", nil, nil),
		sipAnswered: prometheus.NewDesc("yuecall_sip_invites_answered_total", "INVITEs answered with 200.", nil, nil),
		sipRejected: prometheus.NewDesc("yuecall_sip_invites_rejected_total", "INVITEs refused, by status.", []string{"status"}, nil),
		pacerLate: prometheus.NewDesc("yuecall_rtp_pacer_lateness_seconds",
			"How late the shared RTP pacer started each group send (every packet of the group is that late); the sum is an upper-bound estimate from the buckets.", nil, nil),
		pacerLateMax: prometheus.NewDesc("yuecall_rtp_pacer_lateness_max_seconds", "The latest the RTP pacer has started a group send.", nil, nil),
	}
}

func (c *rtpCollector) add(s *rtp.Session) {
	c.mu.Lock()
	c.live[s] = struct{}{}
	c.mu.Unlock()
}

func (c *rtpCollector) done(s *rtp.Session) {
	st := s.Stats()
	c.mu.Lock()
	delete(c.live, s)
	addStats(&c.finished, st)
	c.mu.Unlock()
}

// addStats adds the counters this collector exports.
func addStats(sum *rtp.Stats, st rtp.Stats) {
	sum.PacketsIn += st.PacketsIn
	sum.PacketsOut += st.PacketsOut
	sum.Lost += st.Lost
	sum.Garbage += st.Garbage
	sum.SendLate += st.SendLate
	sum.QueueFull += st.QueueFull
}

func (c *rtpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.in
	ch <- c.out
	ch <- c.lost
	ch <- c.garbage
	ch <- c.sendLate
	ch <- c.queueFull
	ch <- c.sipAnswered
	ch <- c.sipRejected
	ch <- c.pacerLate
	ch <- c.pacerLateMax
}

func (c *rtpCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sum := c.finished
	live := make([]*rtp.Session, 0, len(c.live))
	for s := range c.live {
		live = append(live, s)
	}
	c.mu.Unlock()
	for _, s := range live {
		addStats(&sum, s.Stats())
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(c.in, sum.PacketsIn)
	counter(c.out, sum.PacketsOut)
	counter(c.lost, sum.Lost)
	counter(c.garbage, sum.Garbage)
	counter(c.sendLate, sum.SendLate)
	counter(c.queueFull, sum.QueueFull)
	c.collectPacer(ch)
	if c.sipSrv != nil {
		st := c.sipSrv.Stats()
		counter(c.sipAnswered, st.Answered)
		counter(c.sipRejected, st.Rejected400, "400")
		counter(c.sipRejected, st.Rejected488, "488")
		counter(c.sipRejected, st.Rejected503, "503")
	}
}

// collectPacer exports the shared pacer's lateness histogram.
func (c *rtpCollector) collectPacer(ch chan<- prometheus.Metric) {
	st := rtp.DefaultPacer().Stats()
	bounds := rtp.LatenessBounds()
	buckets := make(map[float64]uint64, len(bounds))
	var cum uint64
	var sum float64
	for i, b := range bounds {
		cum += st.Lateness[i]
		buckets[b.Seconds()] = cum
		sum += float64(st.Lateness[i]) * b.Seconds()
	}
	last := st.Lateness[len(bounds)]
	cum += last
	sum += float64(last) * st.MaxLateness.Seconds()
	ch <- prometheus.MustNewConstHistogram(c.pacerLate, cum, sum, buckets)
	ch <- prometheus.MustNewConstMetric(c.pacerLateMax, prometheus.GaugeValue, st.MaxLateness.Seconds())
}
