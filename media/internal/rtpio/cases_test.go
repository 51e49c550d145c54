package rtpio

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// trace is a player that records what the reorder buffer plays.
type trace struct{ out []int } // payload byte, or -1 for a concealed packet

func (r *trace) Play(p []byte) { r.out = append(r.out, int(p[0])) }
func (r *trace) Conceal(n int) {
	for range n {
		r.out = append(r.out, -1)
	}
}

// TestReorderSmallWindow: the browser leg's window of 3.
func TestReorderSmallWindow(t *testing.T) {
	cases := []struct {
		name            string
		seqs            []uint16
		flush           bool
		want            []int
		lost, late, dup uint64
	}{
		{"in order", []uint16{1, 2, 3}, false, []int{1, 2, 3}, 0, 0, 0},
		{"swap", []uint16{1, 3, 2, 4}, false, []int{1, 2, 3, 4}, 0, 0, 0},
		{"loss concealed", []uint16{1, 3, 4, 5, 6}, false, []int{1, -1, 3, 4, 5, 6}, 1, 0, 0},
		{"late after give-up", []uint16{1, 3, 4, 5, 2}, false, []int{1, -1, 3, 4, 5}, 1, 1, 0},
		{"duplicate", []uint16{1, 2, 2, 3, 1}, false, []int{1, 2, 3}, 0, 0, 2},
		{"waiting flushed", []uint16{1, 3}, true, []int{1, -1, 3}, 1, 0, 0},
		{"wrap", []uint16{65534, 65535, 0, 1}, false, []int{254, 255, 0, 1}, 0, 0, 0},
		{"long gap skipped", []uint16{1, 20, 21, 22}, true, []int{1, 20, 21, 22}, 18, 0, 0},
		{"gap of 5 concealed", []uint16{1, 7, 8, 9}, false, []int{1, -1, -1, -1, -1, -1, 7, 8, 9}, 5, 0, 0},
		{"new stream", []uint16{1, 2, 5000, 5001}, false, []int{1, 2, 136, 137}, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c LossCounters
			tr := &trace{}
			j := NewReorder(3, tr, &c)
			for _, s := range tc.seqs {
				j.Push(s, []byte{byte(s)})
			}
			if tc.flush {
				j.Flush()
			}
			if !slices.Equal(tr.out, tc.want) {
				t.Errorf("played %v, want %v", tr.out, tc.want)
			}
			if c.Lost.Load() != tc.lost || c.Late.Load() != tc.late || c.Duplicates.Load() != tc.dup {
				t.Errorf("lost %d late %d dup %d, want %d %d %d", c.Lost.Load(), c.Late.Load(), c.Duplicates.Load(), tc.lost, tc.late, tc.dup)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	ev := func(code uint8, end bool, dur uint16) []byte {
		p := []byte{code, 10, 0, 0}
		if end {
			p[1] |= 0x80
		}
		binary.BigEndian.PutUint16(p[2:], dur)
		return p
	}
	type pkt struct {
		ts  uint32
		p   []byte
		gap time.Duration
	}
	cases := []struct {
		name string
		pkts []pkt
		want string
	}{
		{"one press", []pkt{{100, ev(1, false, 160), 0}, {100, ev(1, false, 320), 0}, {100, ev(1, true, 480), 0},
			{100, ev(1, true, 480), 0}, {100, ev(1, true, 480), 0}}, "1"},
		{"first packet lost", []pkt{{100, ev(11, false, 320), 0}, {100, ev(11, true, 480), 0}}, "#"},
		{"two presses", []pkt{{100, ev(2, true, 480), 0}, {900, ev(2, false, 160), 0}, {900, ev(2, true, 480), 0}}, "22"},
		{"long event continues", []pkt{{100, ev(5, false, 65535), 0}, {100 + 65535, ev(5, false, 100), 0}}, "5"},
		{"replay of same ts", []pkt{{100, ev(3, true, 480), 0}, {100, ev(3, false, 160), 200 * time.Millisecond}}, "33"},
		{"flash ignored", []pkt{{100, ev(16, false, 160), 0}}, ""},
		{"short payload", []pkt{{100, []byte{1, 2}, 0}}, ""},
	}
	for _, tc := range cases {
		var e Events
		now := time.Unix(1000, 0)
		got := ""
		for _, p := range tc.pkts {
			now = now.Add(20*time.Millisecond + p.gap)
			if d, ok := e.Handle(p.ts, p.p, now); ok {
				got += string(d)
			}
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
