package rtpio

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

// seqPlayer records playout as "seq" for packets and "-" for concealment.
type seqPlayer struct{ out []string }

func (p *seqPlayer) Play(b []byte) {
	p.out = append(p.out, strconv.Itoa(int(binary.BigEndian.Uint16(b))))
}
func (p *seqPlayer) Conceal(n int) {
	for range n {
		p.out = append(p.out, "-")
	}
}
func (p *seqPlayer) String() string { return strings.Join(p.out, " ") }
func payloadOf(seq uint16) []byte   { return binary.BigEndian.AppendUint16(nil, seq) }
func pushAll(j *Reorder, seqs []uint16) {
	for _, s := range seqs {
		j.Push(s, payloadOf(s))
	}
}

func TestJitter(t *testing.T) {
	tests := []struct {
		name       string
		window     int
		seqs       []uint16
		flush      bool // flush at the end, as the reader's timer does
		want       string
		lost, late uint64
		dups       uint64
		concealed  uint64
	}{
		{name: "in order", window: 3, seqs: []uint16{1, 2, 3}, want: "1 2 3"},
		{name: "swap", window: 3, seqs: []uint16{1, 3, 2, 4}, want: "1 2 3 4"},
		{name: "two behind", window: 3, seqs: []uint16{1, 3, 4, 2, 5}, want: "1 2 3 4 5"},
		{name: "loss concealed when window fills", window: 3, seqs: []uint16{1, 3, 4, 5}, want: "1 - 3 4 5", lost: 1, concealed: 1},
		{name: "two lost", window: 3, seqs: []uint16{1, 4, 5, 6}, want: "1 - - 4 5 6", lost: 2, concealed: 2},
		{name: "late after give-up", window: 3, seqs: []uint16{1, 3, 4, 5, 2}, want: "1 - 3 4 5", lost: 1, late: 1, concealed: 1},
		{name: "duplicate played", window: 3, seqs: []uint16{1, 2, 2, 3}, want: "1 2 3", dups: 1},
		{name: "duplicate waiting", window: 3, seqs: []uint16{1, 3, 3, 2}, want: "1 2 3", dups: 1},
		{name: "wraparound", window: 3, seqs: []uint16{65534, 65535, 1, 0, 2}, want: "65534 65535 0 1 2"},
		{name: "loss across wrap", window: 3, seqs: []uint16{65534, 0, 1, 2}, want: "65534 - 0 1 2", lost: 1, concealed: 1},
		{name: "gap of 5 concealed", window: 3, seqs: []uint16{1, 7, 8, 9}, want: "1 - - - - - 7 8 9", lost: 5, concealed: 5},
		{name: "gap of 10 skipped", window: 3, seqs: []uint16{1, 12, 13, 14}, want: "1 12 13 14", lost: 10},
		{name: "timer flush", window: 3, seqs: []uint16{1, 3}, flush: true, want: "1 - 3", lost: 1, concealed: 1},
		{name: "timer flush two waiting", window: 4, seqs: []uint16{1, 4, 3}, flush: true, want: "1 - 3 4", lost: 1, concealed: 1},
		{name: "window 1 never waits", window: 1, seqs: []uint16{1, 3, 2}, want: "1 - 3", lost: 1, late: 1, concealed: 1},
		{name: "sender restart backwards", window: 3, seqs: []uint16{5000, 5001, 100, 101}, want: "5000 5001 100 101"},
		{name: "sender restart forwards", window: 3, seqs: []uint16{1, 2, 30000, 30001}, want: "1 2 30000 30001"},
		{name: "old packet within history", window: 3, seqs: []uint16{10, 11, 12, 13, 9}, want: "10 11 12 13", late: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c LossCounters
			p := &seqPlayer{}
			j := NewReorder(tt.window, p, &c)
			pushAll(j, tt.seqs)
			if tt.flush {
				j.Flush()
			}
			if got := p.String(); got != tt.want {
				t.Errorf("playout %q, want %q", got, tt.want)
			}
			s := snap(&c)
			if s.Lost != tt.lost || s.Late != tt.late || s.Duplicates != tt.dups || s.Concealed != tt.concealed {
				t.Errorf("lost %d late %d dups %d concealed %d, want %d %d %d %d",
					s.Lost, s.Late, s.Duplicates, s.Concealed, tt.lost, tt.late, tt.dups, tt.concealed)
			}
			if j.nbuf != 0 && tt.flush {
				t.Errorf("%d packets still waiting after flush", j.nbuf)
			}
		})
	}
}

// TestJitterLongRun checks a long reordered stream with losses across
// several wraparounds comes out in order.
func TestJitterLongRun(t *testing.T) {
	var c LossCounters
	p := &seqPlayer{}
	j := NewReorder(3, p, &c)
	j.Push(64999, payloadOf(64999))
	seq := uint16(65000)
	want := []string{"64999"}
	for i := 0; i < 80_000; i += 4 {
		a, b, d := seq, seq+1, seq+3 // seq+2 is lost; a and b swapped
		j.Push(b, payloadOf(b))
		j.Push(a, payloadOf(a))
		j.Push(d, payloadOf(d))
		want = append(want, strconv.Itoa(int(a)), strconv.Itoa(int(b)), "-", strconv.Itoa(int(d)))
		seq += 4
	}
	j.Flush()
	if got, w := p.String(), strings.Join(want, " "); got != w {
		t.Fatalf("playout differs (len %d vs %d)", len(got), len(w))
	}
	if s := snap(&c); s.Lost != 20_000 || s.Late != 0 || s.Duplicates != 0 {
		t.Errorf("stats %+v", s)
	}
}

// FuzzReorder pushes arbitrary sequence numbers: the count of waiting
// packets stays within the window's slots, and Flush leaves none.
func FuzzReorder(f *testing.F) {
	f.Add([]byte{0, 1, 0, 3, 0, 2, 0xff, 0xff, 0, 0})
	f.Add([]byte{0, 10, 0, 1, 4, 0, 0, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c LossCounters
		j := NewReorder(4, &seqPlayer{}, &c)
		for i := 0; i+1 < len(data); i += 2 {
			j.Push(binary.BigEndian.Uint16(data[i:]), data[i:i+2])
			if j.nbuf < 0 || j.nbuf > len(j.slots) {
				t.Fatalf("nbuf %d", j.nbuf)
			}
		}
		j.Flush()
		if j.Waiting() {
			t.Fatalf("%d packets waiting after Flush", j.nbuf)
		}
	})
}

type lossSnap struct{ Lost, Late, Duplicates, Concealed uint64 }

func snap(c *LossCounters) lossSnap {
	return lossSnap{c.Lost.Load(), c.Late.Load(), c.Duplicates.Load(), c.Concealed.Load()}
}
