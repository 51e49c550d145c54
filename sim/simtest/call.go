package simtest

import (
	"context"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sip"
)

// vadEvents is the capacity of a call's VAD event channel; when full, the
// event is dropped and counted in Stats.EventsDropped.
const vadEvents = 16

// utterance is a VAD event of the caller: a start, or an end with how much
// voice the utterance had.
type utterance struct {
	end    bool
	voiced time.Duration
}

// ear is the call's RTP sink: it runs the VAD on the caller's frames in the
// session's reading goroutine and passes events on without blocking.
type ear struct {
	vad    *audio.VAD
	voiced time.Duration
	events chan utterance
	drop   func()
}

func (e *ear) SampleRate() int { return rtp.Rate }

func (e *ear) WriteSample(frame audio.PCM16) error {
	ev := e.vad.Process(frame)
	if e.vad.Speaking() {
		e.voiced = e.vad.Voiced()
	}
	var u utterance
	switch ev {
	case audio.VADSpeechStart:
		u = utterance{}
	case audio.VADSpeechEnd:
		u = utterance{end: true, voiced: e.voiced}
		e.voiced = 0
	default:
		return nil
	}
	select {
	case e.events <- u:
	default:
		e.drop()
	}
	return nil
}

// handle runs one answered call: greeting, replies, barge-in, digits.
func (u *UAS) handle(ctx context.Context, c *sip.Call) {
	defer u.track(c.SIPCallID)()
	e := &ear{vad: audio.NewVAD(audio.VADConfig{EndSilence: u.opts.EndSilence}, rtp.Rate),
		events: make(chan utterance, vadEvents), drop: func() { u.count(func(s *Stats) { s.EventsDropped++ }) }}
	_ = c.RTP.SetSink(e)
	defer func() { _ = c.RTP.SetSink(nil) }()
	if len(u.greeting) > 0 {
		_ = c.RTP.Enqueue(u.greeting)
	}
	reply := time.NewTimer(time.Hour)
	reply.Stop()
	defer reply.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.Done():
			u.count(func(s *Stats) { s.CallerHangups++ })
			return
		case d, ok := <-c.RTP.DTMF():
			if ok && u.digit(ctx, c, d) {
				return
			}
		case ev := <-e.events:
			u.utterance(c, ev, reply)
		case <-reply.C:
			_ = c.RTP.Enqueue(u.reply)
			u.count(func(s *Stats) { s.Replies++ })
		}
	}
}

// track counts a call as live until the returned function is called.
func (u *UAS) track(id string) func() {
	u.mu.Lock()
	u.stats.Calls++
	u.live[id] = true
	u.mu.Unlock()
	return func() {
		u.mu.Lock()
		delete(u.live, id)
		u.stats.Ended++
		u.mu.Unlock()
		select {
		case u.ended <- struct{}{}:
		default: // Close is not waiting, or a wake-up is pending already
		}
	}
}

// digit records a digit and reports whether the UAS hung up on it.
func (u *UAS) digit(ctx context.Context, c *sip.Call, d rune) bool {
	u.mu.Lock()
	u.digits = append(u.digits, d)
	u.mu.Unlock()
	if u.opts.HangupDigit == 0 || d != u.opts.HangupDigit {
		return false
	}
	u.count(func(s *Stats) { s.ServerHangups++ })
	_ = c.Hangup(ctx)
	return true
}

// utterance stops a playing tone when the caller starts talking and
// schedules a reply when a long enough utterance ends.
func (u *UAS) utterance(c *sip.Call, ev utterance, reply *time.Timer) {
	if !ev.end {
		reply.Stop()
		if c.RTP.Pending() > 0 {
			c.RTP.Flush()
			u.count(func(s *Stats) { s.BargeIns++ })
		}
		return
	}
	if ev.voiced >= u.opts.MinVoiced {
		reply.Reset(u.opts.Delay)
	}
}
