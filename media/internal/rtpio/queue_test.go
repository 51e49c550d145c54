package rtpio

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// TestQueueRing pushes and pops random sizes through the ring (with growth
// and wraparound) and checks the samples come out in order.
func TestQueueRing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	q := NewQueue[int16](5000)
	var in, out audio.PCM16
	next := int16(0)
	dst := make(audio.PCM16, 160)
	for range 5000 {
		if rng.IntN(2) == 0 {
			chunk := make(audio.PCM16, rng.IntN(700))
			for i := range chunk {
				chunk[i] = next
				next++
			}
			if q.Push(chunk) {
				in = append(in, chunk...)
			} else if q.Len()+len(chunk) <= q.Max() {
				t.Fatal("push refused below max")
			}
		} else {
			k := q.Pop(dst)
			out = append(out, dst[:k]...)
		}
		if rng.IntN(200) == 0 {
			n := q.Flush()
			in = in[:len(in)-n]
		}
	}
	for k := q.Pop(dst); k > 0; k = q.Pop(dst) {
		out = append(out, dst[:k]...)
	}
	if !slices.Equal(in, out) {
		t.Fatalf("ring corrupted: %d in, %d out", len(in), len(out))
	}
}

// BenchmarkEnqueuePop measures queueing one frame and taking it back out.
func BenchmarkEnqueuePop(b *testing.B) {
	q := NewQueue[int16](8000)
	frame := make(audio.PCM16, 160)
	dst := make(audio.PCM16, 160)
	b.ReportAllocs()
	for range b.N {
		q.Push(frame)
		q.Pop(dst)
	}
}

// TestQueueReleasesBlocks: a drained or flushed queue holds no block, and
// PushFunc hands out stretches that never cross a block.
func TestQueueReleasesBlocks(t *testing.T) {
	q := NewQueue[byte](10 * BlockLen)
	var stretches []int
	ok := q.PushFunc(2*BlockLen+10, func(dst []byte, off int) {
		stretches = append(stretches, len(dst))
		for i := range dst {
			dst[i] = byte(off + i)
		}
	})
	if !ok || !slices.Equal(stretches, []int{BlockLen, BlockLen, 10}) {
		t.Fatalf("push %v stretches %v", ok, stretches)
	}
	if q.nb != 3 {
		t.Fatalf("%d blocks for 2 blocks + 10", q.nb)
	}
	dst := make([]byte, BlockLen+5)
	if k := q.Pop(dst); k != len(dst) || dst[BlockLen] != byte(BlockLen%256) {
		t.Fatalf("pop %d, dst[%d]=%d", k, BlockLen, dst[BlockLen])
	}
	if q.nb != 2 {
		t.Errorf("%d blocks after draining the first", q.nb)
	}
	if n := q.Flush(); n != BlockLen+5 || q.nb != 0 || q.Len() != 0 {
		t.Errorf("flush %d, %d blocks, %d left", n, q.nb, q.Len())
	}
	if q.Push(make([]byte, 10*BlockLen+1)) {
		t.Error("push over max accepted")
	}
	q.Push(make([]byte, 3))
	q.Pop(dst[:3])
	if q.nb != 0 {
		t.Errorf("%d blocks after an empty pop", q.nb)
	}
}

// BenchmarkQueueBytes measures queueing a TTS chunk of G.711 bytes and
// popping it out frame by frame (the SIP leg's steady state).
func BenchmarkQueueBytes(b *testing.B) {
	q := NewQueue[byte](80000)
	chunk := make([]byte, 1600)
	dst := make([]byte, 160)
	b.ReportAllocs()
	for range b.N {
		q.Push(chunk)
		for q.Pop(dst) > 0 {
		}
	}
}
