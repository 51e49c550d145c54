package rtp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// DTMFBuffer is the capacity of the DTMF channel. When it is full, further
// digits are dropped and counted in Stats.DTMFDropped.
const DTMFBuffer = 32

// readBuffer is larger than any RTP packet we accept; a datagram that fills
// it was truncated and is counted as garbage.
const readBuffer = 2048

// Session is the RTP leg of one call on one UDP socket.
type Session struct {
	conn    *net.UDPConn
	cfg     Config
	c       counters
	remote  atomic.Pointer[netip.AddrPort]
	latched atomic.Bool
	sink    atomic.Pointer[sinkBox]
	dtmf    chan rune
	rx      *receiver
	tx      *sender
	member  atomic.Pointer[rtpio.Member] // in cfg.Pacer, from Start

	mu      sync.Mutex // guards started, closed, cancel
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// NewSession returns a Session on conn, which it owns from now on (Close
// closes it). Nothing runs until Start.
func NewSession(conn *net.UDPConn, cfg Config) (*Session, error) {
	if conn == nil {
		return nil, fmt.Errorf("%w: nil conn", ErrInvalidConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	enc, dec, err := codecFuncs(cfg.Codec)
	if err != nil {
		return nil, err
	}
	s := &Session{conn: conn, cfg: cfg, dtmf: make(chan rune, DTMFBuffer)}
	if cfg.Remote.IsValid() {
		s.remote.Store(&cfg.Remote)
	}
	s.rx = newReceiver(cfg, dec, &s.c)
	s.rx.sink, s.rx.remote, s.rx.latched, s.rx.digits = &s.sink, &s.remote, &s.latched, s.deliver
	s.tx = newSender(conn, cfg, enc, &s.c, &s.remote)
	return s, nil
}

// Start launches the reader and joins the Pacer, which sends a frame every
// 20 ms from then on. Both stop when ctx is done or Close is called. Start
// after Close, or a second Start, does nothing.
func (s *Session) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	// Unblock the reader when ctx ends without Close.
	stop := context.AfterFunc(ctx, func() { _ = s.conn.SetReadDeadline(time.Unix(1, 0)) })
	m := s.cfg.Pacer.Add(s.tx)
	s.member.Store(m)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			stop()
			s.tx.stop()
			s.cfg.Pacer.Remove(m)
		}()
		s.readLoop(ctx)
	}()
}

// Close stops the reader and the sending (no frame is sent once Close has
// returned), waits, closes the socket and then the DTMF channel. It is safe
// to call more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	s.tx.stop() // before the socket closes, so that no write fails on it
	err := s.conn.Close()
	s.wg.Wait()
	close(s.dtmf)
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// readLoop reads datagrams until ctx ends. While packets wait in the
// reorder buffer, a read deadline of one window bounds how long they wait.
func (s *Session) readLoop(ctx context.Context) {
	buf := make([]byte, readBuffer)
	var oob []byte
	if s.cfg.ArrivalStamps && enableStamps(s.conn) {
		oob = make([]byte, stampOOB)
	}
	wait := time.Duration(s.cfg.JitterFrames+1) * audio.FrameDuration
	armed := false
	for {
		n, from, now, err := s.read(buf, oob)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil && n < len(buf):
			s.rx.handle(buf[:n], from, now)
		case err == nil:
			s.c.garbage.Add(1) // truncated: larger than any packet we accept
		case errors.Is(err, net.ErrClosed):
			return
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			s.rx.pause(now)
		default: // unexpected; back off so a persistent error cannot spin
			s.cfg.Log.Warn("rtp: read error", "err", err)
			time.Sleep(10 * time.Millisecond)
		}
		// Send whatever is due: with 50 packets a second per caller, a
		// reading loop gets there sooner than the pacer's own goroutine.
		s.cfg.Pacer.Poll()
		switch waiting := s.rx.jb.Waiting(); {
		case waiting && !armed:
			_ = s.conn.SetReadDeadline(now.Add(wait))
			armed = true
		case !waiting && armed:
			_ = s.conn.SetReadDeadline(time.Time{})
			armed = false
		}
		if ctx.Err() != nil { // a deadline set above may have hidden the AfterFunc's
			return
		}
	}
}

// read reads one datagram and returns when it arrived: the kernel's
// timestamp when oob is set and the kernel gave one, else the time the
// read returned.
func (s *Session) read(buf, oob []byte) (int, netip.AddrPort, time.Time, error) {
	if oob == nil {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		return n, from, time.Now(), err
	}
	n, oobn, _, from, err := s.conn.ReadMsgUDPAddrPort(buf, oob)
	now := time.Now()
	if err == nil {
		if at, ok := stampOf(oob[:oobn]); ok && !at.After(now) {
			// Keep the monotonic reading: the stamp is wall clock only.
			now = now.Add(-now.Sub(at))
		}
	}
	return n, from, now, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// deliver puts a digit on the DTMF channel without blocking; overflow is
// dropped and counted.
func (s *Session) deliver(d rune) {
	select {
	case s.dtmf <- d:
		s.c.dtmfDigits.Add(1)
	default:
		s.c.dtmfDropped.Add(1)
		s.cfg.Log.Warn("rtp: DTMF channel full, digit dropped", "digit", string(d))
	}
}

// DTMF returns the channel of received digits ('0'-'9', '*', '#', 'A'-'D'),
// from RFC 4733 events and, when enabled, in-band tones. It is closed by Close.
func (s *Session) DTMF() <-chan rune { return s.dtmf }

// SetSink sets where decoded 8 kHz audio goes, one 20 ms frame per
// WriteSample call from the reading goroutine (the Writer must not block for
// long and must not keep the slice). nil discards audio. The swap is atomic
// and takes effect from the next frame.
func (s *Session) SetSink(w audio.Writer) error {
	if w == nil {
		s.sink.Store(nil)
		return nil
	}
	if w.SampleRate() != Rate {
		return fmt.Errorf("%w: %d Hz", ErrSinkRate, w.SampleRate())
	}
	at, _ := w.(ArrivalWriter)
	s.sink.Store(&sinkBox{w: w, at: at})
	return nil
}

// Enqueue appends 8 kHz PCM of any length to the send queue. It never
// blocks. If the queue would exceed Config.SendQueue nothing is queued and
// ErrQueueFull is returned. A partial last frame is padded with silence
// only when nothing follows it in time for its slot.
func (s *Session) Enqueue(pcm audio.PCM16) error {
	if s.isClosed() {
		return ErrClosed
	}
	if !s.tx.push(pcm) {
		s.c.queueFull.Add(1)
		return fmt.Errorf("%w: %v queued, %v more", ErrQueueFull, s.Pending(), audio.Duration(len(pcm), Rate))
	}
	// Audio after silence: start the talkspurt at the pacer's next
	// sub-tick instead of waiting up to 20 ms for this session's phase.
	// The talkspurt's timestamp comes from the wall clock (rtpio.Clock).
	if !s.tx.paused.Load() {
		s.cfg.Pacer.KickIfIdle(s.member.Load(), &s.tx.idle)
	}
	return nil
}

// Flush drops all queued audio (barge-in) and returns how much was dropped.
// A frame being sent as it is called has left when it returns, so Sent is
// final for the audio queued before.
func (s *Session) Flush() (dropped time.Duration) {
	s.tx.mu.Lock()
	defer s.tx.mu.Unlock()
	n := s.tx.q.Flush()
	s.tx.flushed.Store(true)
	return audio.Duration(n, Rate)
}

// SentAt returns when the packet carrying the n-th sample ever queued
// (padding excluded) was written to the socket. It needs
// Config.SendTimes and remembers the last 32 packets; ok is false
// otherwise or before that packet has gone.
func (s *Session) SentAt(n int64) (at time.Time, ok bool) { return s.tx.sentAt(n) }

// Pause holds (true) or releases (false) the queued audio. While paused the
// pacer sends nothing and keeps the queue, so a caller's short backchannel
// can stop the bot within one frame and let it go on where it stopped. The
// RTP timestamp keeps advancing: the gap is silence to the receiver.
func (s *Session) Pause(on bool) { s.tx.paused.Store(on) }

// Pending returns how much audio is queued and not yet sent.
func (s *Session) Pending() time.Duration { return audio.Duration(s.tx.q.Len(), Rate) }

// Sent returns how much audio has been written to the socket in total
// (padding excluded).
func (s *Session) Sent() time.Duration { return audio.Duration(int(s.tx.sent.Load()), Rate) }

// Remote returns the address RTP is sent to (zero if none yet).
func (s *Session) Remote() netip.AddrPort {
	if p := s.remote.Load(); p != nil {
		return *p
	}
	return netip.AddrPort{}
}

// SetRemote changes the send address (a re-INVITE moved the peer) and lets
// the next audio packet latch again.
func (s *Session) SetRemote(ap netip.AddrPort) {
	s.remote.Store(&ap)
	s.latched.Store(false)
}

// LocalAddr returns the socket's local address, for the SDP.
func (s *Session) LocalAddr() netip.AddrPort {
	if a, ok := s.conn.LocalAddr().(*net.UDPAddr); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// Stats returns a snapshot of the counters.
func (s *Session) Stats() Stats { return s.c.snapshot() }

func (s *Session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
