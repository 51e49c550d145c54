package webrtc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// sinkBox lets a Writer interface live in an atomic.Pointer.
type sinkBox struct{ w audio.Writer }

// trackReader is what the receiver reads from: *webrtc.TrackRemote.
type trackReader interface {
	Read(b []byte) (int, interceptor.Attributes, error)
	SetReadDeadline(t time.Time) error
}

// receiver turns the browser's RTP into PCM frames at Rate and digits.
// Everything but the shared atomics is owned by the reading goroutine.
type receiver struct {
	log    *slog.Logger
	c      *counters
	sink   *atomic.Pointer[sinkBox]
	digits func(rune) // delivers a digit without blocking

	audioPT uint8
	dtmfPT  [128]bool
	dec     frameDecoder
	jb      *rtpio.Reorder
	ev      rtpio.Events
	pkt     rtp.Packet
	acc     audio.PCM16 // decoded samples not yet written (< one frame between packets)
	window  time.Duration
	pacer   *rtpio.Pacer // polled after each packet (nil: none)

	ssrc     uint32
	haveSSRC bool
	// RFC 3550 §6.4.1 interarrival jitter, in timestamp units.
	epoch       time.Time
	prevTransit int32
	haveTransit bool
	jitter      float64
}

// newReceiver returns a receiver of m's codec that writes frames to the
// sink in sink and digits to digits, with a reorder window of window packets.
func newReceiver(log *slog.Logger, c *counters, sink *atomic.Pointer[sinkBox], digits func(rune), m *media, window int) *receiver {
	r := &receiver{log: log, c: c, sink: sink, digits: digits, dec: m.dec, audioPT: m.audioPT, epoch: time.Now(),
		acc: make(audio.PCM16, 0, 4096), window: time.Duration(window+1) * audio.FrameDuration}
	for _, pt := range m.dtmfPTs {
		r.dtmfPT[pt&127] = true
	}
	r.jb = rtpio.NewReorder(window, r, &c.LossCounters)
	return r
}

// run reads packets until the track ends or ctx is done. While packets
// wait in the reorder buffer, a read deadline of one window bounds the wait.
func (r *receiver) run(ctx context.Context, tr trackReader) {
	buf := make([]byte, rtpio.MaxPayload+100)
	armed := false
	// Unblock the read when the call ends before the peer connection closes.
	stop := context.AfterFunc(ctx, func() { _ = tr.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	for {
		n, _, err := tr.Read(buf)
		now := time.Now()
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			r.handle(buf[:n], now)
		case isTimeout(err):
			r.jb.Flush()
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed):
			return
		case n > 0: // a payload type pion does not know; the packet is still there
			r.c.unknownPT.Add(1)
		default:
			r.log.Debug("webrtc: track read ended", "err", err)
			return
		}
		if r.pacer != nil {
			r.pacer.Poll() // send what is due without waiting for the pacer's goroutine
		}
		switch waiting := r.jb.Waiting(); {
		case waiting && !armed:
			_ = tr.SetReadDeadline(now.Add(r.window))
			armed = true
		case !waiting && armed:
			_ = tr.SetReadDeadline(time.Time{})
			armed = false
		}
		if ctx.Err() != nil { // a deadline set above may have hidden the AfterFunc's
			return
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handle processes one RTP packet that arrived at now; it never keeps b.
func (r *receiver) handle(b []byte, now time.Time) {
	if err := r.pkt.Unmarshal(b); err != nil {
		r.c.decodeErrors.Add(1)
		return
	}
	switch pt := r.pkt.PayloadType; {
	case pt == r.audioPT:
		r.audio(now)
	case r.dtmfPT[pt&127]:
		r.c.packetsIn.Add(1)
		if d, ok := r.ev.Handle(r.pkt.Timestamp, r.pkt.Payload, now); ok {
			r.digits(d)
		}
	default:
		r.c.unknownPT.Add(1)
	}
}

func (r *receiver) audio(now time.Time) {
	p := r.pkt.Payload
	if len(p) == 0 || len(p) > rtpio.MaxPayload {
		r.c.decodeErrors.Add(1)
		return
	}
	r.c.packetsIn.Add(1)
	if !r.haveSSRC || r.pkt.SSRC != r.ssrc {
		r.jb.Restart()
		r.ssrc, r.haveSSRC, r.haveTransit = r.pkt.SSRC, true, false
	}
	r.updateJitter(r.pkt.Timestamp, now)
	r.jb.Push(r.pkt.SequenceNumber, p)
}

// updateJitter applies RFC 3550 §6.4.1: J += (|D(i-1,i)| - J) / 16.
func (r *receiver) updateJitter(ts uint32, now time.Time) {
	clock := r.dec.clockRate()
	arrival := uint32(now.Sub(r.epoch) / (time.Second / time.Duration(clock)))
	transit := int32(arrival - ts)
	if r.haveTransit {
		d := float64(transit - r.prevTransit)
		r.jitter += (math.Abs(d) - r.jitter) / 16
		r.c.jitterBits.Store(math.Float64bits(r.jitter * 1000 / float64(clock)))
	}
	r.prevTransit, r.haveTransit = transit, true
}

// Play implements rtpio.Player.
func (r *receiver) Play(payload []byte) {
	var err error
	if r.acc, err = r.dec.decode(r.acc, payload); err != nil {
		r.c.decodeErrors.Add(1)
		r.acc, _ = r.dec.conceal(r.acc)
	}
	r.emitFrames()
}

// Conceal implements rtpio.Player: the decoder's loss concealment, one
// packet at a time.
func (r *receiver) Conceal(packets int) {
	for range packets {
		r.acc, _ = r.dec.conceal(r.acc)
		r.emitFrames()
	}
}

// emitFrames writes every whole frame in acc to the sink and keeps the rest.
func (r *receiver) emitFrames() {
	off := 0
	box := r.sink.Load()
	for ; len(r.acc)-off >= frameSamples; off += frameSamples {
		if box == nil || box.w == nil {
			continue
		}
		if err := box.w.WriteSample(r.acc[off : off+frameSamples]); err != nil {
			r.c.sinkErrors.Add(1)
		}
	}
	r.acc = r.acc[:copy(r.acc, r.acc[off:])]
}
