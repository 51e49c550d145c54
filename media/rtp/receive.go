package rtp

import (
	"log/slog"
	"math"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// frameSamples is one 20 ms frame at 8000 Hz.
const frameSamples = 160

// ArrivalWriter is a sink that also wants to know when each frame's
// packet arrived (a kernel timestamp with Config.ArrivalStamps): a
// Session calls WriteSampleAt instead of WriteSample on a sink that has it.
type ArrivalWriter interface {
	WriteSampleAt(frame audio.PCM16, arrived time.Time) error
}

// sinkBox lets a Writer interface live in an atomic.Pointer; at is w as an
// ArrivalWriter, or nil.
type sinkBox struct {
	w  audio.Writer
	at ArrivalWriter
}

// receiver turns datagrams into PCM frames and digits. Everything except
// the atomics it shares with Session is owned by the reading goroutine.
// maxPayload is the largest audio payload accepted: 160 ms of G.711;
// larger ones are garbage.
const maxPayload = 1280

type receiver struct {
	log     *slog.Logger
	c       *counters
	sink    *atomic.Pointer[sinkBox]
	remote  *atomic.Pointer[netip.AddrPort]
	latched *atomic.Bool
	digits  func(rune) // delivers a digit (non-blocking)

	audioPT, dtmfPT uint8
	decode          decodeFunc
	detector        *audio.DTMFDetector // nil when in-band detection is off

	pkt      rtp.Packet
	now      time.Time // arrival of the packet being handled
	jb       *rtpio.Reorder
	ev       rtpio.Events
	acc      audio.PCM16 // decoded samples not yet written (< one frame between calls)
	events   bool        // the peer sends RFC 4733 events: in-band detection is off until the audio source changes
	lastLen  int         // samples in the last played packet, the size of a concealed packet
	ssrc     uint32
	haveSSRC bool

	// RFC 3550 §6.4.1 interarrival jitter, in timestamp units.
	epoch       time.Time
	prevTransit int32
	haveTransit bool
	jitter      float64
}

func newReceiver(cfg Config, dec decodeFunc, c *counters) *receiver {
	r := &receiver{
		log:     cfg.Log,
		c:       c,
		audioPT: cfg.Codec.PayloadType,
		dtmfPT:  cfg.DTMFPayloadType,
		decode:  dec,
		acc:     make(audio.PCM16, 0, 2*frameSamples), // grows for packets over 20 ms
		lastLen: frameSamples,
		epoch:   time.Now(),
	}
	r.jb = rtpio.NewReorder(cfg.JitterFrames, r, &c.LossCounters)
	if cfg.InbandDTMF {
		r.detector = audio.NewDTMFDetector(Rate)
	}
	return r
}

// handle processes one datagram from `from` that arrived at now. It never
// panics and never keeps b.
func (r *receiver) handle(b []byte, from netip.AddrPort, now time.Time) {
	r.now = now
	if len(b) < 12 || b[0]>>6 != 2 {
		r.c.garbage.Add(1)
		return
	}
	if err := r.pkt.Unmarshal(b); err != nil {
		r.c.garbage.Add(1)
		return
	}
	switch pt := r.pkt.PayloadType; {
	case pt == r.audioPT:
		r.audio(from, now)
	case r.dtmfPT != 0 && pt == r.dtmfPT:
		r.c.packetsIn.Add(1)
		r.events = r.events || len(r.pkt.Payload) >= 4
		if d, ok := r.ev.Handle(r.pkt.Timestamp, r.pkt.Payload, now); ok {
			r.digits(d)
		}
	default:
		r.c.unknownPT.Add(1)
	}
}

// audio handles a packet of the negotiated audio payload type.
func (r *receiver) audio(from netip.AddrPort, now time.Time) {
	p := r.pkt.Payload
	if len(p) == 0 || len(p) > maxPayload {
		r.c.garbage.Add(1)
		return
	}
	r.c.packetsIn.Add(1)
	if !r.latched.Load() {
		r.latch(from)
	}
	if !r.haveSSRC || r.pkt.SSRC != r.ssrc {
		r.newStream()
	}
	r.updateJitter(r.pkt.Timestamp, now)
	r.jb.Push(r.pkt.SequenceNumber, p)
}

// latch points the sender at the source of the first audio packet
// (symmetric RTP, RFC 4961 §4). Port 0 sources (raw-socket replays) never latch.
//
//go:noinline
func (r *receiver) latch(from netip.AddrPort) {
	if from.Port() == 0 || !from.Addr().IsValid() || from.Addr().IsUnspecified() {
		return
	}
	r.latched.Store(true)
	if old := r.remote.Load(); old != nil && *old == from {
		return
	}
	addr := new(netip.AddrPort)
	*addr = from
	r.remote.Store(addr)
	r.log.Info("rtp: latched remote address", "remote", from.String())
}

// newStream starts over after an SSRC change (or the first packet).
func (r *receiver) newStream() {
	if r.haveSSRC {
		r.log.Debug("rtp: audio SSRC changed", "old", r.ssrc, "new", r.pkt.SSRC)
		r.events = false // a new source may play its digits in-band
		if r.detector != nil {
			r.detector.Reset()
		}
	}
	r.jb.Restart()
	r.ssrc, r.haveSSRC = r.pkt.SSRC, true
	r.haveTransit = false
}

// updateJitter applies RFC 3550 §6.4.1: J += (|D(i-1,i)| - J) / 16.
func (r *receiver) updateJitter(ts uint32, now time.Time) {
	arrival := uint32(now.Sub(r.epoch) / (time.Second / Rate))
	transit := int32(arrival - ts)
	if r.haveTransit {
		d := float64(transit - r.prevTransit)
		r.jitter += (math.Abs(d) - r.jitter) / 16
		r.c.jitterBits.Store(math.Float64bits(r.jitter * 1000 / Rate))
	}
	r.prevTransit, r.haveTransit = transit, true
}

// play implements player: decode one packet and write whole frames.
func (r *receiver) Play(payload []byte) {
	r.lastLen = len(payload) // G.711: one byte per sample
	r.acc = r.decode(r.acc, payload)
	r.emitFrames()
}

// conceal implements player: one packet of silence per missing packet.
func (r *receiver) Conceal(packets int) {
	for range packets {
		r.acc = append(r.acc, make(audio.PCM16, r.lastLen)...) // no allocation: the compiler zero-extends in place
		r.emitFrames()
	}
}

// emitFrames writes every whole 20 ms frame in acc and keeps the remainder.
func (r *receiver) emitFrames() {
	off := 0
	for ; len(r.acc)-off >= frameSamples; off += frameSamples {
		r.emit(r.acc[off : off+frameSamples])
	}
	n := copy(r.acc, r.acc[off:])
	r.acc = r.acc[:n]
}

// emit runs in-band DTMF detection on one frame, then writes it to the sink.
func (r *receiver) emit(frame audio.PCM16) {
	if r.detector != nil && !r.events {
		if d, ok := r.detector.Process(frame); ok {
			r.digits(d)
		}
	}
	box := r.sink.Load()
	if box == nil || box.w == nil {
		return
	}
	var err error
	if box.at != nil {
		err = box.at.WriteSampleAt(frame, r.now)
	} else {
		err = box.w.WriteSample(frame)
	}
	if err != nil {
		r.c.sinkErrors.Add(1)
	}
}

// pause is called when no packet arrived for the reorder window while
// packets were waiting: play them (the stream paused or its tail was lost).
func (r *receiver) pause(now time.Time) {
	r.now = now
	r.jb.Flush()
}
