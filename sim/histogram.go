package sim

import "time"

// Histogram buckets: 0.25 ms wide up to 100 ms; longer values share the
// last bucket (and Max keeps the largest).
const (
	histBucket  = 250 * time.Microsecond
	histBuckets = 401
)

// Histogram counts durations (packet timing deviations) so that quantiles
// can be taken over many calls: each call fills its own, the load harness
// merges them. The zero value is empty and ready; it is not safe for
// concurrent use.
type Histogram struct {
	counts []uint32
	n      uint64
	max    time.Duration
}

// Add counts one duration (negative values count as 0).
func (h *Histogram) Add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]uint32, histBuckets)
	}
	d = max(d, 0)
	i := min(int(d/histBucket), histBuckets-1)
	h.counts[i]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint32, histBuckets)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns how many durations were added.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest duration added.
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns the upper edge of the bucket holding the q-quantile
// (0 < q <= 1), capped at Max; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			if i == histBuckets-1 {
				return h.max
			}
			return min(time.Duration(i+1)*histBucket, h.max)
		}
	}
	return h.max
}
