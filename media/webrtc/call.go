package webrtc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// DTMFBuffer is the capacity of the DTMF channel. When it is full, further
// digits are dropped and counted in Stats.DTMFDropped.
const DTMFBuffer = 32

// Remote describes the browser side of a call, from the HTTP upgrade.
type Remote struct {
	Addr      string // the socket's remote address (a proxy's, behind one)
	Origin    string // the page origin
	UserAgent string
	// Query is the socket URL's query: the application's own parameters
	// (yuecall's agent join carries call, token and the signed-in user).
	Query url.Values
}

// Call is one browser call: its signalling socket, its peer connection and
// its audio in both directions at Rate. Its methods are those of the call
// package's Leg, plus Send, Stats and the accessors.
type Call struct {
	// ID is yuecall's call id (events, logs); also sent to the browser.
	ID string
	// Remote describes the browser.
	Remote Remote

	log   *slog.Logger
	c     counters
	sink  atomic.Pointer[sinkBox]
	dtmf  chan rune
	tx    *sender
	pacer *rtpio.Pacer
	conn  *wsConn
	codec atomic.Pointer[Codec]

	ctx      context.Context // cancelled when the call ends
	cancel   context.CancelFunc
	done     chan struct{} // closed when the call ends
	doneOnce sync.Once
	reason   atomic.Pointer[string]
	closed   chan struct{} // closed when teardown has finished
	hangup   chan struct{} // closed by Hangup
	hangOnce sync.Once

	mu     sync.Mutex // guards ending, member and wg.Add
	ending bool
	member *rtpio.Member  // the sender's place in the pacer while it is paced
	wg     sync.WaitGroup // media goroutines: RTP reader, RTCP reader
}

func newCall(parent context.Context, id string, remote Remote, cfg Config, ws *websocket.Conn, log *slog.Logger) *Call {
	c := &Call{ID: id, Remote: remote, log: log, dtmf: make(chan rune, DTMFBuffer),
		done: make(chan struct{}), closed: make(chan struct{}), hangup: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(parent)
	c.tx, c.pacer = newSender(&c.c, cfg.SendQueue), rtpio.DefaultPacer()
	c.conn = newWSConn(ws, cfg.MaxMessageBytes, cfg.MessageQueue, &c.c)
	return c
}

// goTracked runs fn on a goroutine the call waits for at teardown, unless
// the call is already ending. It reports whether fn was started.
func (c *Call) goTracked(fn func(ctx context.Context)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ending {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		fn(c.ctx)
	}()
	return true
}

// runTracked runs fn on the calling goroutine (a pion callback's), tracked
// like goTracked.
func (c *Call) runTracked(fn func(ctx context.Context)) {
	c.mu.Lock()
	if c.ending {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	defer c.wg.Done()
	fn(c.ctx)
}

// end marks the call ended with reason: Done closes, the context is
// cancelled, no more media goroutines start and no more packets are sent.
// Only the first reason counts. It runs on the session's goroutine.
func (c *Call) end(reason string) {
	c.doneOnce.Do(func() {
		c.reason.Store(&reason)
		c.mu.Lock()
		c.ending = true
		c.mu.Unlock()
		c.cancel()
		c.stopPacing()
		close(c.done)
	})
}

// startPacing puts the sender on the shared Pacer (once connected, with its
// track and encoder set), unless the call is ending.
func (c *Call) startPacing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ending || c.member != nil {
		return
	}
	c.member = c.pacer.Add(c.tx)
}

// stopPacing stops the sender (once it returns no tick runs) and takes it
// off the Pacer.
func (c *Call) stopPacing() {
	c.tx.stop()
	c.mu.Lock()
	m := c.member
	c.member = nil
	c.mu.Unlock()
	if m != nil {
		c.pacer.Remove(m)
	}
}

// deliver puts a digit on the DTMF channel without blocking; overflow is
// dropped and counted. Callers stop before teardown closes the channel.
func (c *Call) deliver(d rune) {
	select {
	case c.dtmf <- d:
		c.c.dtmfDigits.Add(1)
	default:
		c.c.dtmfDropped.Add(1)
		c.log.Warn("webrtc: DTMF channel full, digit dropped", "digit", string(d))
	}
}

// Codec returns the negotiated codec ("" before the offer).
func (c *Call) Codec() Codec {
	if p := c.codec.Load(); p != nil {
		return *p
	}
	return ""
}

// Rate returns the sample rate of the call's PCM in both directions.
func (c *Call) Rate() int { return Rate }

// SetSink sets where the caller's decoded audio goes, one 20 ms frame per
// WriteSample call from the RTP reading goroutine (the Writer must not
// block for long nor keep the slice). A Writer at another rate gets the
// audio resampled. nil discards audio. The swap takes effect from the next
// frame.
func (c *Call) SetSink(w audio.Writer) {
	if w == nil {
		c.sink.Store(nil)
		return
	}
	rw, err := audio.NewResampleWriter(w, Rate)
	if err != nil {
		c.log.Warn("webrtc: sink refused, caller audio discarded", "rate", w.SampleRate(), "err", err)
		c.c.sinkErrors.Add(1)
		c.sink.Store(nil)
		return
	}
	c.sink.Store(&sinkBox{w: rw})
}

// Enqueue appends PCM at Rate to the send queue; the pacer sends one 20 ms
// packet per frame. It never blocks. If the queue would exceed
// Config.SendQueue nothing is queued and ErrQueueFull is returned.
func (c *Call) Enqueue(pcm audio.PCM16) error {
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	if !c.tx.q.Push(pcm) {
		c.c.queueFull.Add(1)
		return fmt.Errorf("%w: %v queued, %v more", ErrQueueFull, c.Pending(), audio.Duration(len(pcm), Rate))
	}
	// Audio after silence: start the talkspurt at the pacer's next
	// sub-tick; its timestamp comes from the wall clock (rtpio.Clock).
	if c.tx.idle.Load() && !c.tx.paused.Load() {
		c.mu.Lock()
		m := c.member
		c.mu.Unlock()
		c.pacer.KickIfIdle(m, &c.tx.idle)
	}
	return nil
}

// Flush drops all queued audio (barge-in) and returns how much was
// dropped. At most the frame being sent still goes out.
func (c *Call) Flush() time.Duration {
	n := c.tx.q.Flush()
	c.tx.flushed.Store(true)
	return audio.Duration(n, Rate)
}

// Pause holds (true) or releases (false) the queued audio. While paused
// nothing is sent and the queue is kept; the RTP timestamp keeps advancing,
// so the gap is silence to the browser.
func (c *Call) Pause(on bool) { c.tx.paused.Store(on) }

// Pending returns how much audio is queued and not yet sent.
func (c *Call) Pending() time.Duration { return audio.Duration(c.tx.q.Len(), Rate) }

// Sent returns how much audio has been sent in total (padding excluded).
func (c *Call) Sent() time.Duration { return audio.Duration(int(c.tx.sent.Load()), Rate) }

// DTMF returns the channel of the caller's digits ('0'-'9', '*', '#',
// 'A'-'D'), from RFC 4733 telephone-events (RTCDTMFSender) and from
// "dtmf" signalling messages. It is closed after the call has ended.
func (c *Call) DTMF() <-chan rune { return c.dtmf }

// Done is closed when the call ends: hang-up from either side, socket
// closed, ICE failure or disconnect timeout, server shutdown.
func (c *Call) Done() <-chan struct{} { return c.done }

// EndReason says why the call ended ("" while it goes on): hangup,
// remote_hangup, socket_closed, peer_closed, ice_failed, connect_timeout,
// incompatible, too_big, shutdown.
func (c *Call) EndReason() string {
	if p := c.reason.Load(); p != nil {
		return *p
	}
	return ""
}

// Hangup ends the call from our side: the browser gets a "state" "ended"
// message, the socket and the peer connection close. It waits for the
// teardown or ctx. It is safe to call more than once and after the end.
func (c *Call) Hangup(ctx context.Context) error {
	c.hangOnce.Do(func() { close(c.hangup) })
	select {
	case <-c.closed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("webrtc: hangup: %w", ctx.Err())
	}
}

// Send queues a JSON message for the browser, such as
// {"type":"transcript",...}: msg is marshalled (a json.RawMessage is sent
// as is) and must be an object whose "type" is not a signalling type. It
// never blocks: when the browser is slow and Config.MessageQueue messages
// wait, the message is dropped, counted and ErrMessageQueueFull returned.
func (c *Call) Send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	if err := checkExtra(b); err != nil {
		return err
	}
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	if !c.conn.send(b, outExtra) {
		return ErrMessageQueueFull
	}
	c.c.extraSent.Add(1)
	return nil
}

// Stats returns a snapshot of the counters.
func (c *Call) Stats() Stats { return c.c.snapshot() }
