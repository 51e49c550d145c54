package load

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// metricPacerLateness is the server's histogram of how late its shared RTP
// pacer started each group send.
const metricPacerLateness = "yuecall_rtp_pacer_lateness_seconds"

// bucket is one cumulative histogram bucket: count of observations <= le.
type bucket struct {
	le    float64 // seconds; +Inf for the last
	count float64
}

// ParseBuckets returns the cumulative buckets of histogram name from a
// Prometheus text page, sorted by bound. Malformed lines are skipped.
func ParseBuckets(page []byte, name string) []bucket {
	var out []bucket
	for _, line := range strings.Split(string(page), "\n") {
		n, labels, v, ok := parseSampleLine(line)
		if !ok || n != name+"_bucket" {
			continue
		}
		i := strings.Index(labels, `le="`)
		if i < 0 {
			continue
		}
		le, _, _ := strings.Cut(labels[i+4:], `"`)
		if b, err := strconv.ParseFloat(le, 64); err == nil {
			out = append(out, bucket{le: b, count: v})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].le < out[b].le })
	return out
}

// latenessQuantile is the bucket bound (ms) under which q of the group
// sends between two scrapes started; +Inf is reported as -1. ok is false
// when nothing was observed.
func latenessQuantile(from, to []bucket, q float64) (float64, bool) {
	if len(to) == 0 {
		return 0, false
	}
	base := map[float64]float64{}
	for _, b := range from {
		base[b.le] = b.count
	}
	total := to[len(to)-1].count - base[to[len(to)-1].le]
	if total <= 0 {
		return 0, false
	}
	for _, b := range to {
		if b.count-base[b.le] >= q*total {
			if math.IsInf(b.le, 1) {
				return -1, true
			}
			return b.le * 1000, true
		}
	}
	return -1, true
}
