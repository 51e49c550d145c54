package resilient

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCounters(t *testing.T) {
	var c Counters
	if s := c.Snapshot(); len(s.Connects) != 0 {
		t.Fatalf("zero Counters: %+v", s)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c.Connect("a", time.Millisecond, nil)
			c.Connect("a", time.Millisecond, errors.New("x"))
			c.Reconnect("a", ReasonStall)
			c.Stall("a")
			c.FirstPartial("a", time.Second)
			c.Final("b", 2*time.Second)
		})
	}
	wg.Wait()
	s := c.Snapshot()
	if s.Connects["a"] != 16 || s.ConnectErrors["a"] != 8 || s.Reconnects[ReasonKey{"a", ReasonStall}] != 8 ||
		s.Stalls["a"] != 8 || len(s.FirstPartials["a"]) != 8 || len(s.Finals["b"]) != 8 || s.Finals["b"][0] != 2*time.Second {
		t.Errorf("snapshot %+v", s)
	}
	s.Finals["b"][0] = 0
	if c.Snapshot().Finals["b"][0] != 2*time.Second {
		t.Error("Snapshot shares memory with the counters")
	}
	var m Metrics = NopMetrics{}
	m.Connect("a", 0, nil) // must not panic
}
