package rtp

import (
	"github.com/yuecall/yuecall/media/internal/rtpio"
	"math"
	"sync/atomic"
)

// Stats is a snapshot of a Session's counters.
type Stats struct {
	PacketsIn   uint64  // valid RTP packets received (audio and telephone-event)
	PacketsOut  uint64  // RTP packets sent
	Lost        uint64  // audio packets never received (sequence gaps given up on)
	Concealed   uint64  // silence frames written in place of lost packets
	Late        uint64  // audio packets that arrived after their slot was played or skipped
	Duplicates  uint64  // audio packets received twice
	Garbage     uint64  // datagrams that are not RTP v2 (short, bad version/padding, oversize, empty)
	UnknownPT   uint64  // RTP packets with a payload type that is neither audio nor telephone-event
	JitterMs    float64 // RFC 3550 §6.4.1 interarrival jitter of the audio stream, ms
	DTMFDigits  uint64  // digits delivered on DTMF()
	DTMFDropped uint64  // digits dropped because DTMF() was full
	SendLate    uint64  // times the pacer fell more than 3 frames behind and resynced
	QueueFull   uint64  // Enqueue calls refused with ErrQueueFull
	SendErrors  uint64  // failed socket writes
	SinkErrors  uint64  // sink WriteSample errors
}

// counters are the live, atomically updated values behind Stats.
type counters struct {
	rtpio.LossCounters                          // of the reorder buffer
	packetsIn, packetsOut                       atomic.Uint64
	garbage, unknownPT, dtmfDigits, dtmfDropped atomic.Uint64
	sendLate, queueFull, sendErrors, sinkErrors atomic.Uint64
	jitterBits                                  atomic.Uint64 // math.Float64bits of jitter in ms
}

func (c *counters) snapshot() Stats {
	return Stats{
		PacketsIn:   c.packetsIn.Load(),
		PacketsOut:  c.packetsOut.Load(),
		Lost:        c.Lost.Load(),
		Concealed:   c.Concealed.Load(),
		Late:        c.Late.Load(),
		Duplicates:  c.Duplicates.Load(),
		Garbage:     c.garbage.Load(),
		UnknownPT:   c.unknownPT.Load(),
		JitterMs:    math.Float64frombits(c.jitterBits.Load()),
		DTMFDigits:  c.dtmfDigits.Load(),
		DTMFDropped: c.dtmfDropped.Load(),
		SendLate:    c.sendLate.Load(),
		QueueFull:   c.queueFull.Load(),
		SendErrors:  c.sendErrors.Load(),
		SinkErrors:  c.sinkErrors.Load(),
	}
}
