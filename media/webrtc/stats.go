package webrtc

import (
	"github.com/yuecall/yuecall/media/internal/rtpio"
	"math"
	"sync/atomic"
)

// Stats is a snapshot of a Call's counters.
type Stats struct {
	PacketsIn      uint64  // RTP packets received (audio and telephone-event)
	PacketsOut     uint64  // RTP packets sent
	Lost           uint64  // audio packets never received (gaps given up on)
	Concealed      uint64  // lost packets replaced by concealment
	Late           uint64  // audio packets that arrived after their slot
	Duplicates     uint64  // audio packets received twice
	UnknownPT      uint64  // packets of a payload type not negotiated
	DecodeErrors   uint64  // audio payloads the decoder refused
	JitterMs       float64 // RFC 3550 §6.4.1 interarrival jitter, ms
	DTMFDigits     uint64  // digits delivered on DTMF()
	DTMFDropped    uint64  // digits dropped because DTMF() was full
	SendLate       uint64  // times the pacer fell more than 3 frames behind and resynced
	QueueFull      uint64  // Enqueue calls refused with ErrQueueFull
	SendErrors     uint64  // failed RTP writes and encoder errors
	SinkErrors     uint64  // sink WriteSample errors
	MessagesIn     uint64  // signalling messages received
	MessagesOut    uint64  // signalling messages written
	BadMessages    uint64  // signalling messages answered with an error
	ExtraSent      uint64  // Call.Send messages queued
	ExtraDropped   uint64  // Call.Send messages dropped (browser slow)
	StatsDropped   uint64  // stats messages dropped (browser slow)
	ControlDropped uint64  // protocol messages that did not fit (the socket was closed)
}

// counters are the live values behind Stats.
type counters struct {
	rtpio.LossCounters                                           // of the reorder buffer
	packetsIn, packetsOut, unknownPT                             atomic.Uint64
	decodeErrors, dtmfDigits, dtmfDropped, sendLate, queueFull   atomic.Uint64
	sendErrors, sinkErrors, messagesIn, messagesOut, badMessages atomic.Uint64
	extraSent, extraDropped, statsDropped, controlDropped        atomic.Uint64
	jitterBits                                                   atomic.Uint64 // math.Float64bits of jitter, ms
}

func (c *counters) snapshot() Stats {
	return Stats{
		PacketsIn:      c.packetsIn.Load(),
		PacketsOut:     c.packetsOut.Load(),
		Lost:           c.Lost.Load(),
		Concealed:      c.Concealed.Load(),
		Late:           c.Late.Load(),
		Duplicates:     c.Duplicates.Load(),
		UnknownPT:      c.unknownPT.Load(),
		DecodeErrors:   c.decodeErrors.Load(),
		JitterMs:       math.Float64frombits(c.jitterBits.Load()),
		DTMFDigits:     c.dtmfDigits.Load(),
		DTMFDropped:    c.dtmfDropped.Load(),
		SendLate:       c.sendLate.Load(),
		QueueFull:      c.queueFull.Load(),
		SendErrors:     c.sendErrors.Load(),
		SinkErrors:     c.sinkErrors.Load(),
		MessagesIn:     c.messagesIn.Load(),
		MessagesOut:    c.messagesOut.Load(),
		BadMessages:    c.badMessages.Load(),
		ExtraSent:      c.extraSent.Load(),
		ExtraDropped:   c.extraDropped.Load(),
		StatsDropped:   c.statsDropped.Load(),
		ControlDropped: c.controlDropped.Load(),
	}
}

// ServerStats counts calls by outcome.
type ServerStats struct {
	Answered uint64 // calls whose media connected and went to the handler
	Draining uint64 // sockets refused while draining
	Busy     uint64 // sockets refused at MaxCalls
	Failed   uint64 // sockets that ended before media connected
	Active   int    // calls in progress (sockets open)
}
