package rtpio

import (
	"encoding/binary"
	"testing"
	"time"
)

// nopPlayer discards the reorder buffer's output.
type nopPlayer struct{ played, concealed int }

func (p *nopPlayer) Play([]byte)   { p.played++ }
func (p *nopPlayer) Conceal(n int) { p.concealed += n }

// BenchmarkReorder is the reorder buffer per packet: in order, swapped
// pairs (each odd packet waits for one), and one loss in 16 (concealed
// when the window fills).
func BenchmarkReorder(b *testing.B) {
	for _, bc := range []struct {
		name string
		seq  func(i int) (uint16, bool)
	}{
		{"in-order", func(i int) (uint16, bool) { return uint16(i), true }},
		{"swapped-pairs", func(i int) (uint16, bool) { return uint16(i ^ 1), true }},
		{"loss-1-in-16", func(i int) (uint16, bool) { return uint16(i), i%16 != 7 }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var c LossCounters
			p := &nopPlayer{}
			j := NewReorder(3, p, &c)
			payload := make([]byte, 160)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if seq, ok := bc.seq(i); ok {
					j.Push(seq, payload)
				}
			}
			if p.played == 0 {
				b.Fatal("nothing played")
			}
		})
	}
}

// BenchmarkEvents is RFC 4733 de-duplication per telephone-event packet:
// a 100 ms digit sent as five updates and three end packets.
func BenchmarkEvents(b *testing.B) {
	var e Events
	pkt := make([]byte, 4)
	now := time.Unix(1_700_000_000, 0)
	digits := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % 8
		pkt[0], pkt[1] = byte(i/8%10), 10
		if k >= 5 {
			pkt[1] |= 0x80 // end, repeated three times (§2.5.1.4)
		}
		binary.BigEndian.PutUint16(pkt[2:], uint16(min(k+1, 5)*160))
		now = now.Add(20 * time.Millisecond)
		if _, ok := e.Handle(uint32(i/8)*8000, pkt, now); ok {
			digits++
		}
	}
	if digits == 0 {
		b.Fatal("no digit")
	}
}

// BenchmarkPoll is what a packet reader pays per packet to poll the Pacer
// (2 shards of 32 groups, 1,000 members): almost always nothing is due.
// The ticks it does are the members' sends, paid once whoever makes them.
func BenchmarkPoll(b *testing.B) {
	p := newPacer(2, pacerGroups)
	addCounters(b, p, 1000)
	b.ReportAllocs()
	for b.Loop() {
		p.Poll()
	}
}
