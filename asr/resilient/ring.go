package resilient

import "sync"

// ringStart is the initial capacity of a ring, in samples; it doubles as
// needed up to its limit.
const ringStart = 1 << 12

// ringClasses is how many buffer sizes are recycled: ringStart << k for
// k < ringClasses (4 Ki to 4 Mi samples). A buffer cut to a limit that is
// not one of them is left to the garbage collector.
const ringClasses = 11

// ringPools recycle ring buffers by size class: a stream hands its buffer
// back when it ends, so a node that opens one stream per caller turn (and
// grows each to the turn's length) does not allocate them afresh. Under
// 1,000 calls the fresh buffers were the largest source of garbage.
var ringPools [ringClasses]sync.Pool

// ringClass returns the size class of an n-sample buffer, or -1.
func ringClass(n int) int {
	for k := range ringClasses {
		if ringStart<<k == n {
			return k
		}
	}
	return -1
}

// getRingBuf returns an n-sample buffer, recycled when n is a size class.
// Its contents are stale: a ring only reads what it has written.
func getRingBuf(n int) []int16 {
	if k := ringClass(n); k >= 0 {
		if b, ok := ringPools[k].Get().(*[]int16); ok {
			return *b
		}
	}
	return make([]int16, n)
}

// getScratch returns an n-sample buffer cut from the smallest recycled
// size that holds it (give back its whole capacity to putRingBuf).
func getScratch(n int) []int16 {
	size := ringStart
	for k := 1; size < n && k < ringClasses; k++ {
		size = ringStart << k
	}
	return getRingBuf(max(size, n))[:n]
}

// putRingBuf recycles b if it is a size class.
func putRingBuf(b []int16) {
	if k := ringClass(len(b)); k >= 0 {
		ringPools[k].Put(&b)
	}
}

// ring holds the most recent audio of a stream, addressed by absolute
// sample positions counted from the start of the stream. It keeps
// [start, end) and grows up to limit samples; writing past the limit drops
// the oldest samples (overflow policy: the oldest audio can no longer be
// replayed; counted in evicted). It is not safe for concurrent use.
type ring struct {
	buf        []int16
	limit      int64
	start, end int64
	evicted    int64
}

func newRing(limit int) ring {
	limit = max(limit, 1)
	return ring{buf: getRingBuf(min(limit, ringStart)), limit: int64(limit)}
}

// write appends p.
func (r *ring) write(p []int16) {
	if int64(len(p)) > r.limit { // only the newest limit samples can stay
		skip := int64(len(p)) - r.limit
		r.end += skip
		p = p[skip:]
	}
	r.grow(r.end + int64(len(p)) - r.start)
	n := int64(len(r.buf))
	for len(p) > 0 {
		c := copy(r.buf[r.end%n:], p)
		p = p[c:]
		r.end += int64(c)
	}
	if r.end-r.start > n {
		r.evicted += r.end - n - r.start
		r.start = r.end - n
	}
}

// grow makes room for need samples, within the limit.
func (r *ring) grow(need int64) {
	n := int64(len(r.buf))
	if need <= n || n >= r.limit {
		return
	}
	for n < need && n < r.limit {
		n *= 2
	}
	nb := getRingBuf(int(min(n, r.limit)))
	size := int64(len(nb))
	for pos := r.start; pos < r.end; { // each sample keeps its position, now mod size
		dst := nb[pos%size:]
		dst = dst[:min(int64(len(dst)), r.end-pos)]
		pos += int64(r.read(pos, dst))
	}
	putRingBuf(r.buf)
	r.buf = nb
}

// release recycles the buffer; the ring is empty from then on and must
// not be written again.
func (r *ring) release() {
	putRingBuf(r.buf)
	r.buf = nil
	r.start = r.end
}

// read copies the samples from position from into dst and returns how
// many; from is raised to start if older audio was dropped.
func (r *ring) read(from int64, dst []int16) int {
	from = max(from, r.start)
	want := min(int64(len(dst)), r.end-from)
	n := int64(len(r.buf))
	got := int64(0)
	for got < want {
		got += int64(copy(dst[got:want], r.buf[(from+got)%n:]))
	}
	return int(got)
}

// trim drops the audio before pos (clamped to the buffered range).
func (r *ring) trim(pos int64) {
	r.start = max(r.start, min(pos, r.end))
}

// size is how many samples are held.
func (r *ring) size() int64 { return r.end - r.start }
