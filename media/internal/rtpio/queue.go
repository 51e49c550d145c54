package rtpio

import (
	"sync"

	"github.com/yuecall/yuecall/audio"
)

// Queue is a growable ring of samples waiting to be sent. Growth doubles up
// to Max samples; Flush is O(1) and keeps the memory for reuse. It is safe
// for one pusher and one popper at once.
type Queue struct {
	Max   int // samples it may hold
	Frame int // samples per frame: it first grows to 8 frames

	mu   sync.Mutex
	buf  audio.PCM16
	head int // index of the oldest sample
	n    int // samples queued
}

// Push appends pcm whole, or nothing if it would exceed Max.
func (q *Queue) Push(pcm audio.PCM16) bool {
	if len(pcm) == 0 {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n+len(pcm) > q.Max {
		return false
	}
	if q.n+len(pcm) > len(q.buf) {
		q.grow(q.n + len(pcm))
	}
	tail := (q.head + q.n) % len(q.buf)
	k := copy(q.buf[tail:], pcm)
	copy(q.buf, pcm[k:])
	q.n += len(pcm)
	return true
}

// grow reallocates the ring to hold at least need samples, oldest first.
func (q *Queue) grow(need int) {
	size := min(max(2*len(q.buf), need, 8*q.Frame), q.Max)
	buf := make(audio.PCM16, size)
	k := copy(buf, q.buf[q.head:min(q.head+q.n, len(q.buf))])
	copy(buf[k:], q.buf[:q.n-k])
	q.buf, q.head = buf, 0
}

// Pop moves up to len(dst) samples into dst and returns how many.
func (q *Queue) Pop(dst audio.PCM16) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := min(q.n, len(dst))
	if k == 0 {
		return 0
	}
	c := copy(dst[:k], q.buf[q.head:])
	copy(dst[c:k], q.buf)
	q.head = (q.head + k) % len(q.buf)
	q.n -= k
	return k
}

// Flush drops everything queued and returns how many samples that was.
func (q *Queue) Flush() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.n
	q.head, q.n = 0, 0
	return n
}

// Len is how many samples are queued.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
