package webrtctest

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
	"github.com/yuecall/yuecall/media/webrtc"
)

// RFC 4733 events as the client sends them: 100 ms of tone (five updates
// 20 ms apart, §2.5.1.2) then the end packet sent three times (§2.5.1.4),
// at volume -10 dBm0.
const (
	dtmfUpdates = 5
	dtmfEnds    = 3
	dtmfVolume  = 10
	lateFrames  = 3 // frames behind schedule before the pacer restarts it
	dtmfQueue   = 16
)

// dtmfEvent maps digits to RFC 4733 §3.2 event codes.
const dtmfEvent = "0123456789*#ABCD"

// encoder turns one 20 ms frame at Rate into one RTP payload.
type encoder interface {
	encode(dst []byte, frame audio.PCM16) ([]byte, error)
	step() uint32 // RTP timestamp units per frame
}

func newEncoder(c webrtc.Codec) (encoder, error) {
	if c == webrtc.CodecPCMU {
		r, err := audio.NewResampler(Rate, audio.Rate8k)
		if err != nil {
			return nil, err
		}
		return &pcmuEncoder{r: r}, nil
	}
	// A 16 kHz (wideband) encoder: browsers encode 48 kHz, but the
	// microphone audio here is 16 kHz and Opus packets decode the same way.
	e, err := opus.NewEncoder(opus.DefaultEncoderConfig(Rate))
	if err != nil {
		return nil, err
	}
	return opusEncoder{e}, nil
}

type opusEncoder struct{ e *opus.Encoder }

func (o opusEncoder) encode(dst []byte, f audio.PCM16) ([]byte, error) { return o.e.Encode(dst, f) }
func (opusEncoder) step() uint32                                       { return opus.RTPClockRate / 50 }

type pcmuEncoder struct {
	r   *audio.Resampler
	buf audio.PCM16 // 8 kHz samples not yet sent
}

func (p *pcmuEncoder) encode(dst []byte, f audio.PCM16) ([]byte, error) {
	p.buf = p.r.Resample(p.buf, f)
	for len(p.buf) < 160 { // only before the filter fills
		p.buf = append(p.buf, 0)
	}
	dst = audio.EncodeULaw(dst, p.buf[:160])
	p.buf = p.buf[:copy(p.buf, p.buf[160:])]
	return dst, nil
}

func (*pcmuEncoder) step() uint32 { return 160 }

// sendQueue is the caller audio waiting for the pacer. Overflow policy:
// a push that would exceed max is refused whole (Send returns ErrQueueFull).
type sendQueue struct {
	mu  sync.Mutex
	buf audio.PCM16
	max int
}

func (q *sendQueue) push(pcm audio.PCM16) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.buf)+len(pcm) > q.max {
		return false
	}
	q.buf = append(q.buf, pcm...)
	return true
}

// pop moves up to len(dst) samples into dst and returns how many.
func (q *sendQueue) pop(dst audio.PCM16) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := copy(dst, q.buf)
	q.buf = q.buf[:copy(q.buf, q.buf[n:])]
	return n
}

func (q *sendQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.buf)
}

// dtmfReq is one key press for the pacer; done gets the result.
type dtmfReq struct {
	code byte
	done chan error
}

// pacer sends one packet every 20 ms: a DTMF event's next packet, the next
// queued frame, or the idle microphone (silence or noise). Everything but q, dtmf and the counters is
// owned by its goroutine.
type pacer struct {
	track   *rawTrack
	enc     encoder
	q       sendQueue
	dtmf    chan dtmfReq // bounded; SendDTMF refuses when full
	sent    *frameLog
	idle    *audio.NoiseGenerator // nil: digital silence when nothing is queued
	packets atomic.Uint64
	errors  atomic.Uint64

	seq     uint16
	ts      uint32
	frame   audio.PCM16
	payload []byte
	event   *dtmfReq // the event being sent
	evTS    uint32   // its RTP timestamp
	evN     int      // packets of it sent
	marker  bool     // the next audio packet starts a talkspurt
}

func newPacer(track *rawTrack, enc encoder, maxQueue int, sent *frameLog, idle *audio.NoiseGenerator) *pacer {
	// RFC 3550 §5.1: random initial sequence number and timestamp.
	return &pacer{track: track, enc: enc, q: sendQueue{max: maxQueue}, dtmf: make(chan dtmfReq, dtmfQueue),
		sent: sent, idle: idle, seq: uint16(rand.Uint32()), ts: rand.Uint32(), marker: true,
		frame: make(audio.PCM16, audio.SamplesPerFrame(Rate)), payload: make([]byte, 0, 1500)}
}

// run ticks at t0 + n*20ms on the monotonic clock until ctx ends; an
// unfinished key press gets ctx's error.
func (p *pacer) run(ctx context.Context) {
	defer p.abandon(ctx.Err)
	timer := time.NewTimer(0)
	defer timer.Stop()
	t0 := time.Now()
	for n := int64(0); ; n++ {
		deadline := t0.Add(time.Duration(n) * audio.FrameDuration)
		if wait := time.Until(deadline); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return
		} else if behind := -wait / audio.FrameDuration; behind > lateFrames {
			p.ts += uint32(behind) * p.enc.step() // keep the RTP clock true to wall time
			t0, n = time.Now(), 0
		}
		p.tick()
		p.ts += p.enc.step()
	}
}

// abandon fails the key presses still waiting when the pacer stops.
func (p *pacer) abandon(cause func() error) {
	if p.event != nil {
		p.event.done <- cause()
	}
	for {
		select {
		case r := <-p.dtmf:
			r.done <- cause()
		default:
			return
		}
	}
}

func (p *pacer) tick() {
	if p.event == nil {
		select {
		case r := <-p.dtmf:
			p.event, p.evTS, p.evN = &r, p.ts, 0
		default:
		}
	}
	if p.event != nil {
		p.tickDTMF()
		return
	}
	k := p.q.pop(p.frame)
	if p.idle != nil {
		p.idle.Read(p.frame[k:]) // the microphone's floor when nothing is queued, and after a partial frame
	} else {
		clear(p.frame[k:])
	}
	payload, err := p.enc.encode(p.payload[:0], p.frame)
	if err != nil {
		p.errors.Add(1)
		return
	}
	err = p.track.write(p.track.audioPT, p.marker, p.seq, p.ts, payload)
	p.count(err)
	p.marker = false
	if k > 0 {
		p.sent.add(Frame{At: time.Now(), PCM: append(audio.PCM16(nil), p.frame...), Seq: p.seq})
	}
	p.seq++
}

// tickDTMF sends the event's next packet (RFC 4733 §2.3): growing
// durations from the event's timestamp, then the end bit three times.
func (p *pacer) tickDTMF() {
	p.evN++
	units := p.enc.step() * uint32(min(p.evN, dtmfUpdates))
	payload := []byte{p.event.code, dtmfVolume, 0, 0}
	if p.evN > dtmfUpdates {
		payload[1] |= 0x80 // E bit
	}
	binary.BigEndian.PutUint16(payload[2:], uint16(units))
	err := p.track.write(p.track.dtmfPT, p.evN == 1, p.seq, p.evTS, payload)
	p.count(err)
	p.seq++
	if p.evN == dtmfUpdates+dtmfEnds {
		p.event.done <- nil
		p.event = nil
		p.marker = true // audio starts a new talkspurt after the event
	}
}

func (p *pacer) count(err error) {
	if err != nil {
		p.errors.Add(1)
		return
	}
	p.packets.Add(1)
}
