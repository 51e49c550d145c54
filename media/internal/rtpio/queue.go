package rtpio

import "sync"

// Sample is what a Queue holds: PCM samples (int16) or encoded G.711 bytes
// (one byte per sample).
type Sample interface{ int16 | byte }

// BlockLen is the number of samples in one block of a Queue: 128 ms of
// G.711 bytes (1 KiB), 64 ms of 16 kHz PCM (2 KiB).
const BlockLen = 1024

// block is a Queue's unit of storage.
type block[T Sample] [BlockLen]T

// Blocks are shared by every Queue of the process: a drained block goes
// back to its pool at once, so a call holds memory only for the audio it
// has queued (not for the longest prompt it ever queued), and the steady
// state allocates nothing.
var (
	pcmBlocks  = sync.Pool{New: func() any { return new(block[int16]) }}
	byteBlocks = sync.Pool{New: func() any { return new(block[byte]) }}
)

func poolOf[T Sample]() *sync.Pool {
	var z T
	if _, ok := any(z).(int16); ok {
		return &pcmBlocks
	}
	return &byteBlocks
}

// Queue is a FIFO of samples waiting to be sent, kept in fixed-size blocks
// taken from a process-wide pool and given back as soon as they are
// drained. It is safe for concurrent use (one pusher and one popper in
// practice). The zero Queue holds nothing: set Max with NewQueue.
type Queue[T Sample] struct {
	max  int
	pool *sync.Pool

	mu     sync.Mutex
	blocks []*block[T] // ring of blocks, oldest at bhead
	bhead  int
	nb     int // blocks in use
	head   int // index of the oldest sample in blocks[bhead]
	n      int // samples queued
}

// NewQueue returns an empty Queue that holds up to max samples.
func NewQueue[T Sample](max int) *Queue[T] {
	return &Queue[T]{max: max, pool: poolOf[T]()}
}

// Max is the number of samples the queue may hold.
func (q *Queue[T]) Max() int { return q.max }

// Push appends pcm whole, or nothing if it would exceed Max.
func (q *Queue[T]) Push(pcm []T) bool {
	return q.PushFunc(len(pcm), func(dst []T, off int) { copy(dst, pcm[off:]) })
}

// PushFunc appends n samples whole, or nothing if they would exceed Max:
// fill is called (under the queue's lock, in order) with each stretch of
// free storage dst and the offset of its first sample among the n, and
// must fill dst completely. It lets a caller convert while it queues (the
// SIP leg encodes G.711 straight into the blocks).
func (q *Queue[T]) PushFunc(n int, fill func(dst []T, off int)) bool {
	if n <= 0 {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n+n > q.max {
		return false
	}
	for off := 0; off < n; {
		end := q.head + q.n // position of the tail, counted from the head block's start
		if end == q.nb*BlockLen {
			q.addBlock()
		}
		b := q.blocks[(q.bhead+end/BlockLen)%len(q.blocks)]
		at := end % BlockLen
		k := min(BlockLen-at, n-off)
		fill(b[at:at+k:at+k], off)
		off += k
		q.n += k
	}
	return true
}

// addBlock appends an empty block from the pool, growing the ring of
// block pointers when it is full.
func (q *Queue[T]) addBlock() {
	if q.nb == len(q.blocks) {
		ring := make([]*block[T], max(4, 2*len(q.blocks)))
		for i := range q.nb {
			ring[i] = q.blocks[(q.bhead+i)%len(q.blocks)]
		}
		q.blocks, q.bhead = ring, 0
	}
	q.blocks[(q.bhead+q.nb)%len(q.blocks)] = q.pool.Get().(*block[T])
	q.nb++
}

// dropHead gives the oldest block back to the pool.
func (q *Queue[T]) dropHead() {
	i := q.bhead
	q.pool.Put(q.blocks[i])
	q.blocks[i] = nil
	q.bhead = (i + 1) % len(q.blocks)
	q.nb--
}

// Pop moves up to len(dst) samples into dst and returns how many.
func (q *Queue[T]) Pop(dst []T) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := min(q.n, len(dst))
	for done := 0; done < k; {
		b := q.blocks[q.bhead]
		c := copy(dst[done:k], b[q.head:])
		done += c
		q.head += c
		q.n -= c
		if q.head == BlockLen || q.n == 0 {
			q.dropHead()
			q.head = 0
		}
	}
	return k
}

// Flush drops everything queued, gives its blocks back and returns how
// many samples that was. It takes a few pointer moves per 1024 samples.
func (q *Queue[T]) Flush() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.n
	for q.nb > 0 {
		q.dropHead()
	}
	q.head, q.n = 0, 0
	return n
}

// Len is how many samples are queued.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
