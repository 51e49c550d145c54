package simtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sip"
)

// Tones the UAS plays.
const (
	GreetingHz    = 440.0
	ReplyHz       = 660.0
	ToneAmplitude = 0.3 // peak, fraction of full scale (about -13.5 dBFS RMS)
)

// Options shape the UAS's behaviour. Zero fields take the defaults.
type Options struct {
	// Greeting is the length of the greeting tone played when a call is
	// answered (0: none).
	Greeting time.Duration
	// Reply is the length of the tone that answers each utterance
	// (default 1 s).
	Reply time.Duration
	// Delay is from the end of the caller's utterance, as the VAD finds it,
	// to the reply being queued (default 200 ms).
	Delay time.Duration
	// EndSilence is the VAD's end-of-utterance silence (default 100 ms).
	EndSilence time.Duration
	// MinVoiced is the least voiced audio an utterance needs to be answered
	// (default 500 ms, so keypad tones get no reply).
	MinVoiced time.Duration
	// HangupDigit makes the UAS hang up when it receives this digit (0: never).
	HangupDigit rune
	// RTPPortMin and RTPPortMax bound the server's RTP ports (default 43000-43999).
	RTPPortMin, RTPPortMax int
	// Log receives the SIP server's log; nil discards it.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Reply == 0 {
		o.Reply = time.Second
	}
	if o.Delay == 0 {
		o.Delay = 200 * time.Millisecond
	}
	if o.EndSilence == 0 {
		o.EndSilence = 100 * time.Millisecond
	}
	if o.MinVoiced == 0 {
		o.MinVoiced = 500 * time.Millisecond
	}
	if o.RTPPortMin == 0 {
		o.RTPPortMin, o.RTPPortMax = 43000, 43999
	}
	return o
}

// Stats counts what the UAS saw over all its calls.
type Stats struct {
	Calls         int // calls answered
	Ended         int // handlers returned
	CallerHangups int // calls the caller ended with BYE
	ServerHangups int // calls the UAS ended (HangupDigit)
	Replies       int // reply tones queued
	BargeIns      int // times caller speech flushed a playing tone
	EventsDropped int // VAD events dropped because the handler lagged
}

// UAS is the answering machine. Its methods are safe for concurrent use.
type UAS struct {
	opts   Options
	srv    *sip.Server
	addr   string
	cancel context.CancelFunc
	served chan error

	greeting, reply audio.PCM16

	closeOnce sync.Once
	closeErr  error

	mu     sync.Mutex
	stats  Stats
	digits []rune
	live   map[string]bool // SIP Call-IDs of the calls in progress
	ended  chan struct{}   // cap 1: a handler returned
}

// Start runs a UAS on a free UDP port of 127.0.0.1 and returns once it
// answers OPTIONS.
func Start(opts Options) (*UAS, error) {
	opts = opts.withDefaults()
	u := &UAS{opts: opts, greeting: tone(GreetingHz, opts.Greeting), reply: tone(ReplyHz, opts.Reply),
		live: map[string]bool{}, ended: make(chan struct{}, 1)}
	var err error
	for range 5 { // the free port may be taken between probe and bind
		if err = u.listen(); err == nil {
			return u, nil
		}
	}
	return nil, err
}

// listen starts the SIP server on a port that was just free.
func (u *UAS) listen() error {
	probe, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	u.addr = probe.LocalAddr().String()
	probe.Close()
	cfg := sip.DefaultConfig()
	cfg.Addr, cfg.Transports = u.addr, []string{"udp"}
	cfg.RTPPortMin, cfg.RTPPortMax = u.opts.RTPPortMin, u.opts.RTPPortMax
	u.srv, err = sip.NewServer(cfg, sip.HandlerFunc(u.handle), u.opts.Log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel, u.served = cancel, make(chan error, 1)
	go func() { u.served <- u.srv.Serve(ctx) }()
	if err := u.ping(); err != nil {
		u.Close()
		return err
	}
	return nil
}

// ping sends OPTIONS until the server answers (it binds asynchronously).
func (u *UAS) ping() error {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer conn.Close()
	dst, err := net.ResolveUDPAddr("udp", u.addr)
	if err != nil {
		return err
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	buf := make([]byte, 4096)
	for i := range 100 {
		msg := fmt.Sprintf("OPTIONS sip:ping@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-ping%d\r\n"+
			"From: <sip:ping@127.0.0.1>;tag=p%d\r\nTo: <sip:ping@%s>\r\nCall-ID: ping-%d-%d\r\nCSeq: 1 OPTIONS\r\n"+
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", u.addr, port, i, i, u.addr, port, i)
		if _, err := conn.WriteToUDP([]byte(msg), dst); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, _, err := conn.ReadFromUDP(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
			return nil
		}
		select {
		case err := <-u.served:
			return fmt.Errorf("simtest: serve: %w", err)
		default:
		}
	}
	return errors.New("simtest: server does not answer OPTIONS")
}

// Target returns the URI to dial.
func (u *UAS) Target() string { return "sip:hotline@" + u.addr }

// Addr returns the SIP host:port.
func (u *UAS) Addr() string { return u.addr }

// Digits returns every digit received so far, over all calls, in order.
func (u *UAS) Digits() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return string(u.digits)
}

// Stats returns the counters.
func (u *UAS) Stats() Stats {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stats
}

// closeGrace is how long Close lets calls end by themselves before it
// aborts them. sipgo answers a BYE with 200 before it ends the dialog, so a
// caller can be gone before the UAS's call has seen its BYE; aborting then
// would make the UAS send a BYE of its own that nobody answers.
const closeGrace = time.Second

// settle waits up to closeGrace for the calls in progress to end.
func (u *UAS) settle() {
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	for len(u.Live()) > 0 {
		select {
		case <-u.ended:
		case <-t.C:
			return
		}
	}
}

// Live returns the SIP Call-IDs of the calls whose handler runs.
func (u *UAS) Live() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	ids := make([]string, 0, len(u.live))
	for id := range u.live {
		ids = append(ids, id)
	}
	return ids
}

// Active returns the calls in progress.
func (u *UAS) Active() int { return u.srv.Active() }

// Drain makes the UAS refuse new calls with 503.
func (u *UAS) Drain() { u.srv.Drain() }

// Close stops the server and waits for its calls to end. Later calls
// return the first one's result.
func (u *UAS) Close() error {
	u.closeOnce.Do(func() { u.closeErr = u.close() })
	return u.closeErr
}

func (u *UAS) close() error {
	u.srv.Drain()
	u.settle()
	live := u.Live()
	u.srv.Abort()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := u.srv.Wait(ctx)
	if err != nil {
		err = fmt.Errorf("simtest: calls %v still up at Close: %w", live, err)
	}
	u.cancel()
	<-u.served
	return errors.Join(err, u.srv.Close())
}

func (u *UAS) count(f func(*Stats)) {
	u.mu.Lock()
	f(&u.stats)
	u.mu.Unlock()
}

// tone returns d of a sine at hz (nil for d = 0).
func tone(hz float64, d time.Duration) audio.PCM16 {
	pcm := make(audio.PCM16, int(d*rtp.Rate/time.Second))
	audio.NewToneGenerator(rtp.Rate, ToneAmplitude, hz).Read(pcm)
	return pcm
}
