package resilient

import (
	"maps"
	"sync"
	"time"
)

// Metrics receives what the wrapper measures. Implementations must be safe
// for concurrent use and must not block: they are called from the streams'
// owner goroutines. provider is Config.Name, or Named.Name under Fallback.
type Metrics interface {
	// Connect reports one connect attempt to one provider: how long it
	// took and its error (nil on success).
	Connect(provider string, d time.Duration, err error)
	// Reconnect reports that a stream on provider failed and is being
	// reconnected, once per failure, with the reason (Reason...).
	Reconnect(provider, reason string)
	// Stall reports that provider stalled (see Config.StallTimeout).
	Stall(provider string)
	// FirstPartial reports the first non-empty partial of a segment; d runs
	// from the first audio written after the stream opened or the previous
	// final was delivered, to the delivery of that partial.
	FirstPartial(provider string, d time.Duration)
	// Final reports a delivered final result. Before CloseSend d runs from
	// the segment's first audio (as for FirstPartial) to the delivery of the
	// final; after CloseSend it runs from the CloseSend call (the flush
	// latency the caller waits through at the end of a turn).
	Final(provider string, d time.Duration)
}

// Reconnect reasons.
const (
	// ReasonStall: no result for StallTimeout while one was owed.
	ReasonStall = "stall"
	// ReasonError: the inner stream ended with an error.
	ReasonError = "error"
	// ReasonHalfClosed: the inner stream ended cleanly before CloseSend.
	ReasonHalfClosed = "half_closed"
)

// NopMetrics discards everything; embed it to implement part of Metrics.
type NopMetrics struct{}

// Connect does nothing.
func (NopMetrics) Connect(string, time.Duration, error) {}

// Reconnect does nothing.
func (NopMetrics) Reconnect(string, string) {}

// Stall does nothing.
func (NopMetrics) Stall(string) {}

// FirstPartial does nothing.
func (NopMetrics) FirstPartial(string, time.Duration) {}

// Final does nothing.
func (NopMetrics) Final(string, time.Duration) {}

// Counters is a thread-safe Metrics that keeps counts and durations in
// memory, for tests and diagnostics. The zero value is ready to use.
type Counters struct {
	mu sync.Mutex
	s  Snapshot
}

// Snapshot is a copy of what Counters recorded, keyed by provider.
type Snapshot struct {
	Connects      map[string]int             // connect attempts
	ConnectErrors map[string]int             // failed connect attempts
	Reconnects    map[ReasonKey]int          // failures that started a reconnect
	Stalls        map[string]int             // stalls detected
	FirstPartials map[string][]time.Duration // FirstPartial durations, in order
	Finals        map[string][]time.Duration // Final durations, in order
}

// ReasonKey keys Snapshot.Reconnects.
type ReasonKey struct{ Provider, Reason string }

var (
	_ Metrics = NopMetrics{}
	_ Metrics = (*Counters)(nil)
)

func (c *Counters) with(fn func(*Snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Connects == nil {
		c.s = Snapshot{
			Connects: map[string]int{}, ConnectErrors: map[string]int{},
			Reconnects: map[ReasonKey]int{}, Stalls: map[string]int{},
			FirstPartials: map[string][]time.Duration{}, Finals: map[string][]time.Duration{},
		}
	}
	fn(&c.s)
}

// Connect counts an attempt, and an error if err is not nil.
func (c *Counters) Connect(provider string, _ time.Duration, err error) {
	c.with(func(s *Snapshot) {
		s.Connects[provider]++
		if err != nil {
			s.ConnectErrors[provider]++
		}
	})
}

// Reconnect counts a reconnect by provider and reason.
func (c *Counters) Reconnect(provider, reason string) {
	c.with(func(s *Snapshot) { s.Reconnects[ReasonKey{provider, reason}]++ })
}

// Stall counts a stall.
func (c *Counters) Stall(provider string) {
	c.with(func(s *Snapshot) { s.Stalls[provider]++ })
}

// FirstPartial records d.
func (c *Counters) FirstPartial(provider string, d time.Duration) {
	c.with(func(s *Snapshot) { s.FirstPartials[provider] = append(s.FirstPartials[provider], d) })
}

// Final records d.
func (c *Counters) Final(provider string, d time.Duration) {
	c.with(func(s *Snapshot) { s.Finals[provider] = append(s.Finals[provider], d) })
}

// Snapshot returns a deep copy of the counts so far.
func (c *Counters) Snapshot() Snapshot {
	var out Snapshot
	c.with(func(s *Snapshot) {
		out = Snapshot{
			Connects: maps.Clone(s.Connects), ConnectErrors: maps.Clone(s.ConnectErrors),
			Reconnects: maps.Clone(s.Reconnects), Stalls: maps.Clone(s.Stalls),
			FirstPartials: copyDurs(s.FirstPartials), Finals: copyDurs(s.Finals),
		}
	})
	return out
}

func copyDurs(m map[string][]time.Duration) map[string][]time.Duration {
	out := make(map[string][]time.Duration, len(m))
	for k, v := range m {
		out[k] = append([]time.Duration(nil), v...)
	}
	return out
}
