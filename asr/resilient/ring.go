package resilient

// ringStart is the initial capacity of a ring, in samples; it doubles as
// needed up to its limit.
const ringStart = 1 << 12

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
	return ring{buf: make([]int16, min(limit, ringStart)), limit: int64(limit)}
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
	held := make([]int16, r.end-r.start)
	r.read(r.start, held)
	for n < need && n < r.limit {
		n *= 2
	}
	r.buf = make([]int16, min(n, r.limit))
	r.end = r.start
	r.write(held) // fits: no recursion past this point
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
