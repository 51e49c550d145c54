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
	q := Queue{Max: 5000, Frame: 160}
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
			} else if q.Len()+len(chunk) <= q.Max {
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
	q := Queue{Max: 8000, Frame: 160}
	frame := make(audio.PCM16, 160)
	dst := make(audio.PCM16, 160)
	b.ReportAllocs()
	for range b.N {
		q.Push(frame)
		q.Pop(dst)
	}
}
