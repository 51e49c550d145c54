package resilient

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
)

// reconnectSignal is a Metrics that reports each reconnect on a channel.
type reconnectSignal struct {
	NopMetrics
	ch chan string
}

func (r reconnectSignal) Reconnect(_, reason string) {
	select {
	case r.ch <- reason:
	default:
	}
}

// TestCloseDuringReconnect: Close returns at once while the wrapper is
// connecting or backing off, ends Results with a nil Err, and leaves no
// goroutine behind.
func TestCloseDuringReconnect(t *testing.T) {
	tests := []struct {
		name   string
		faults asrtest.SherpaFaults
		wait   int // reconnects to see before Close
	}{
		// Every handshake takes 1 s: Close lands in the second one.
		{"connecting", asrtest.SherpaFaults{Cut: map[int]int{0: at(time.Second)}, ConnectDelay: time.Second}, 1},
		// The replacement is cut at once: Close lands in the backoff.
		{"backing off", asrtest.SherpaFaults{Cut: map[int]int{0: at(time.Second), 1: 0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, asrtest.SherpaOptions{Faults: tt.faults})
			sig := reconnectSignal{ch: make(chan string, 4)}
			cfg := testConfig()
			cfg.Backoff, cfg.MaxBackoff = 10*time.Second, 10*time.Second
			s := open(t, New(sherpaRec(t, srv), cfg, sig, testLog(t)))
			wait := collect(t, s)
			feed(s, speech(utts[:1], time.Second))
			for range tt.wait {
				select {
				case <-sig.ch:
				case <-time.After(5 * time.Second):
					t.Fatal("no reconnect")
				}
			}
			start := time.Now()
			s.Close()
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v", d)
			}
			wait()
			if err := s.Err(); err != nil {
				t.Errorf("Err after Close = %v, want nil", err)
			}
			if err := s.WriteSample(make([]int16, 320)); err == nil {
				t.Error("WriteSample after Close succeeded")
			}
		})
	}
}

// TestContextCancel: cancelling NewStream's context ends the stream with
// the context's error.
func TestContextCancel(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.SherpaOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(sherpaRec(t, srv), testConfig(), nil, nil).NewStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wait := collect(t, s)
	feed(s, speech(utts[:1], 0))
	cancel()
	wait()
	if err := s.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", err)
	}
}
