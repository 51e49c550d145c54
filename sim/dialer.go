package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/yuecall/yuecall/media/rtp"
)

// listenWait bounds how long NewDialer waits for sipgo to adopt its socket.
const listenWait = 2 * time.Second

// Dialer is one simulated phone line: a SIP UAC on one UDP socket, an RTP
// port range, a speech cache and the line's noise and tones, shared by any
// number of concurrent calls. It is safe for concurrent use.
type Dialer struct {
	line    Line
	ip      netip.Addr
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	dialogs *sipgo.DialogClientCache
	pc      net.PacketConn
	addr    netip.AddrPort
	ports   *rtp.Allocator
	speech  *speechCache
	sounds  *lineSounds
	served  chan struct{} // closed when sipgo's UDP reader returns

	ctx    context.Context // parent of every call; cancelled by Close
	cancel context.CancelFunc
	calls  sync.WaitGroup
	mu     sync.Mutex // guards closed and calls.Add
	closed bool
}

// NewDialer binds the line's SIP socket and starts sipgo on it. log may be
// nil (discard).
func NewDialer(line Line, log *slog.Logger) (*Dialer, error) {
	if err := line.Validate(); err != nil {
		return nil, err
	}
	line = line.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dialer{line: line, log: log, speech: newSpeechCache(line.Speech), served: make(chan struct{})}
	d.ip, _ = netip.ParseAddr(line.LocalIP)
	var err error
	if d.sounds, err = newLineSounds(line.NoiseDBFS); err != nil {
		return nil, err
	}
	if d.ports, err = rtp.NewAllocator(d.ip, rtp.PortRange{Min: line.RTPPortMin, Max: line.RTPPortMax}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if d.pc, err = net.ListenPacket("udp", netip.AddrPortFrom(d.ip, uint16(line.SIPPort)).String()); err != nil {
		return nil, fmt.Errorf("sim: listen SIP: %w", err)
	}
	d.addr = d.pc.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := d.startSIP(); err != nil {
		d.pc.Close()
		return nil, err
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// startSIP builds the sipgo user agent, serves the socket and waits until
// the transport layer has adopted it, so requests leave from it.
func (d *Dialer) startSIP() error {
	sl := d.log.With("component", "sipgo")
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(d.line.UserAgent), sipgo.WithUserAgentHostname(d.ip.String()),
		sipgo.WithUserAgentTransportLayerOptions(gosip.WithTransportLayerLogger(sl)),
		sipgo.WithUserAgentTransactionLayerOptions(gosip.WithTransactionLayerLogger(sl)))
	if err != nil {
		return fmt.Errorf("sim: sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sl))
	if err != nil {
		ua.Close()
		return fmt.Errorf("sim: sip server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(sl), sipgo.WithClientHostname(d.ip.String()),
		sipgo.WithClientConnectionAddr(d.addr.String()))
	if err != nil {
		ua.Close()
		return fmt.Errorf("sim: sip client: %w", err)
	}
	contact := gosip.ContactHeader{Address: gosip.Uri{Scheme: "sip", User: d.line.From,
		Host: d.ip.String(), Port: int(d.addr.Port())}}
	d.ua, d.srv, d.dialogs = ua, srv, sipgo.NewDialogClientCache(client, contact)
	srv.OnBye(d.onBye)
	go func() {
		defer close(d.served)
		_ = srv.ServeUDP(d.pc)
	}()
	deadline := time.Now().Add(listenWait)
	for {
		if c, _ := ua.TransportLayer().GetConnection("udp", d.addr.String()); c != nil {
			return nil
		}
		if time.Now().After(deadline) {
			ua.Close()
			return fmt.Errorf("sim: sip transport did not adopt %s", d.addr)
		}
		time.Sleep(time.Millisecond)
	}
}

// onBye ends a call whose server hung up (RFC 3261 §15.1.2).
func (d *Dialer) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	if err := d.dialogs.ReadBye(req, tx); err != nil {
		res := gosip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil)
		_ = tx.Respond(res)
	}
}

// Addr returns the local SIP address.
func (d *Dialer) Addr() netip.AddrPort { return d.addr }

// Prepare makes the speech of every step of script ahead of the calls (Say
// steps run espeak-ng once per distinct text), so that the first calls of
// a load run do not wait for it.
func (d *Dialer) Prepare(ctx context.Context, script []Step) error {
	for i, s := range script {
		if _, err := d.speech.forStep(ctx, s); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	return nil
}

// Close ends the calls in progress (they return the Dialer's cancellation),
// waits for them, and stops the SIP stack. It is safe to call twice.
func (d *Dialer) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.calls.Wait()
	_ = d.srv.Close()
	err := d.ua.Close()
	_ = d.pc.Close()
	<-d.served
	return err
}

// begin registers a call; it fails once the Dialer is closed.
func (d *Dialer) begin() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	d.calls.Add(1)
	return nil
}

// Call dials cfg.Target with a Dialer of its own (cfg.LocalIP and the RTP
// range make its Line), runs the script and closes the Dialer.
func Call(ctx context.Context, cfg Config) (Result, error) {
	line := DefaultLine()
	if cfg.LocalIP != "" {
		line.LocalIP = cfg.LocalIP
	}
	if cfg.RTPPortMin != 0 || cfg.RTPPortMax != 0 {
		line.RTPPortMin, line.RTPPortMax = cfg.RTPPortMin, cfg.RTPPortMax
	}
	d, err := NewDialer(line, cfg.Log)
	if err != nil {
		return Result{Err: err}, err
	}
	defer d.Close()
	return d.Call(ctx, cfg)
}
