package rtpio

import (
	"testing"
	"time"
)

// TestClock: a talkspurt's first timestamp follows the wall clock from the
// first one, and never comes less than a step after the last packet sent.
func TestClock(t *testing.T) {
	var c Clock
	const base = 0xffff_ff00 // wraps during the test
	if got := c.Start(base, 160, 8000); got != base {
		t.Fatalf("first Start %#x, want the initial timestamp", got)
	}
	c.Sent(base)
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	got := c.Start(12345, 160, 8000) // the sender's own count is ignored
	elapsed := uint32(time.Since(start) * 8000 / time.Second)
	if d := int32(got - base); d < 400 || uint32(d) > elapsed+8 {
		t.Errorf("after %d samples of wall time the timestamp moved %d", elapsed, d)
	}
	c.Sent(got + 10*160) // a talkspurt ran ahead of the wall clock (double ticks)
	if again := c.Start(0, 160, 8000); again != got+11*160 {
		t.Errorf("Start %#x, want one step after the last packet %#x", again, got+10*160)
	}
}
