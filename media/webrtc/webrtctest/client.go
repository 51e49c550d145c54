package webrtctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	pion "github.com/pion/webrtc/v4"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/webrtc"
)

// Rate is the sample rate of all PCM in and out of a Client.
const Rate = webrtc.Rate

// Sentinel errors.
var (
	// ErrEnded means the call has ended (or never connected).
	ErrEnded = errors.New("webrtctest: call ended")
	// ErrQueueFull means Send would exceed Options.MaxQueue; nothing was queued.
	ErrQueueFull = errors.New("webrtctest: send queue full")
	// ErrBadDigit means SendDTMF was given something other than 0-9 * # A-D.
	ErrBadDigit = errors.New("webrtctest: not a DTMF digit")
	// ErrBadMessage means the server sent something that is not a JSON
	// object with a string "type", or a bad field.
	ErrBadMessage = errors.New("webrtctest: bad message")
	// ErrOptions means an Options field is out of range.
	ErrOptions = errors.New("webrtctest: bad options")
)

// Options configures a Client. Zero values take the defaults.
type Options struct {
	// Codec is the only codec offered: webrtc.CodecOpus (default) or
	// webrtc.CodecPCMU.
	Codec webrtc.Codec
	// Origin is sent as the socket's Origin header (a browser page's
	// origin); empty sends none, as a non-browser client.
	Origin string
	// Log receives the client's and pion's diagnostics (default: discarded).
	Log *slog.Logger
	// OnAudio, if set, gets every decoded bot frame on the receiving
	// goroutine, right after it is kept; it must not block.
	OnAudio func(Frame)
	// Keep bounds the audio kept per direction (default 10 minutes).
	Keep time.Duration
	// MaxQueue bounds the caller audio waiting to be sent (default 60 s).
	MaxQueue time.Duration
	// MaxMessages bounds the signalling messages kept (default 4096).
	MaxMessages int
	// IdleNoiseDBFS, if below 0, is the level of the white noise sent
	// when no audio is queued (a microphone's floor, e.g. -60); 0 sends
	// digital silence.
	IdleNoiseDBFS float64
}

func (o Options) withDefaults() (Options, error) {
	switch o.Codec {
	case "":
		o.Codec = webrtc.CodecOpus
	case webrtc.CodecOpus, webrtc.CodecPCMU:
	default:
		return o, fmt.Errorf("%w: codec %q (opus, pcmu)", ErrOptions, o.Codec)
	}
	if o.Keep < 0 || o.MaxQueue < 0 || o.MaxMessages < 0 {
		return o, fmt.Errorf("%w: negative bound", ErrOptions)
	}
	if o.IdleNoiseDBFS > 0 || o.IdleNoiseDBFS < -120 {
		return o, fmt.Errorf("%w: idle noise %g dBFS not in -120..0", ErrOptions, o.IdleNoiseDBFS)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Keep == 0 {
		o.Keep = 10 * time.Minute
	}
	if o.MaxQueue == 0 {
		o.MaxQueue = time.Minute
	}
	if o.MaxMessages == 0 {
		o.MaxMessages = 4096
	}
	return o, nil
}

// Stats counts what a Client did.
type Stats struct {
	PacketsSent, PacketsReceived uint64
	SendErrors                   uint64 // packets the pacer could not encode or write
	ReceiveErrors                uint64 // packets not parsed, of another type, or not decoded
	BadMessages                  uint64 // server messages that were not JSON objects with a type
	MessagesDropped              uint64 // oldest messages dropped beyond MaxMessages
	FramesDropped                uint64 // oldest frames dropped beyond Keep, both directions
}

// Client is one caller: its signalling socket, its peer connection and its
// audio both ways at Rate.
type Client struct {
	opts Options
	log  *slog.Logger
	ws   *websocket.Conn
	wmu  sync.Mutex // serialises socket writes

	ctx    context.Context // cancelled when the call ends or Close is called
	cancel context.CancelFunc
	done   chan struct{} // closed when the call ends
	endMu  sync.Once
	reason atomic.Pointer[string]

	mu       sync.Mutex // guards the fields below
	pc       *pion.PeerConnection
	msgs     []Message
	nextSeq  int
	msgDrop  uint64
	changed  chan struct{} // closed and replaced on every message
	closing  bool
	pacer    *pacer
	wg       sync.WaitGroup // reader, pacer, RTP reader
	closeErr error

	rx                 *frameLog
	tx                 *frameLog
	rxPackets, rxErrs  atomic.Uint64
	badMsgs            atomic.Uint64
	closeOnce          sync.Once
	readerDone, closed chan struct{}
}

// Dial calls the server at wsURL (ws://host/ws/call) and returns once
// media is connected (the server's "connected" state), or fails when ctx
// ends or the server ends the call first.
func Dial(ctx context.Context, wsURL string, opts Options) (*Client, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if opts.Origin != "" {
		h.Set("Origin", opts.Origin)
	}
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, wsURL, h)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("webrtctest: dial %s: %w (HTTP %d)", wsURL, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("webrtctest: dial %s: %w", wsURL, err)
	}
	frames := int(opts.Keep / audio.FrameDuration)
	c := &Client{opts: opts, log: opts.Log, ws: ws, done: make(chan struct{}), changed: make(chan struct{}),
		rx: newFrameLog(frames), tx: newFrameLog(frames), readerDone: make(chan struct{}), closed: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.readLoop()
	if err := c.connect(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// connect offers, trickles and waits for media.
func (c *Client) connect(ctx context.Context) error {
	cfg, err := c.WaitMessage(ctx, func(m Message) bool { return m.Type == "config" })
	if err != nil {
		return c.failed("config", err)
	}
	servers, err := iceServers(cfg)
	if err != nil {
		return err
	}
	pc, track, err := newPeer(c.opts.Codec, servers, c.log)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.pc = pc
	c.mu.Unlock()
	pc.OnICECandidate(func(cand *pion.ICECandidate) {
		if cand == nil {
			c.sendJSON(map[string]any{"type": "candidate", "candidate": nil})
			return
		}
		c.sendJSON(map[string]any{"type": "candidate", "candidate": cand.ToJSON()})
	})
	pc.OnTrack(func(tr *pion.TrackRemote, _ *pion.RTPReceiver) { c.onTrack(tr) })
	offer, err := pc.CreateOffer(nil)
	if err == nil {
		err = pc.SetLocalDescription(offer)
	}
	if err != nil {
		return fmt.Errorf("webrtctest: offer: %w", err)
	}
	c.sendJSON(map[string]any{"type": "offer", "sdp": offer.SDP})
	st, err := c.WaitMessage(ctx, func(m Message) bool {
		return m.Type == "state" && (m.String("state") == "connected" || m.String("state") == "ended")
	})
	if err != nil {
		return c.failed("connected", err)
	}
	if st.String("state") == "ended" {
		return fmt.Errorf("%w before media: %s", ErrEnded, st.String("reason"))
	}
	select {
	case <-track.bound:
	case <-ctx.Done():
		return fmt.Errorf("webrtctest: track not bound: %w", ctx.Err())
	}
	return c.startPacer(track)
}

// failed explains a wait that did not end in the wanted message.
func (c *Client) failed(what string, err error) error {
	if errors.Is(err, ErrEnded) {
		return fmt.Errorf("%w before %s: %s", ErrEnded, what, c.EndReason())
	}
	return fmt.Errorf("webrtctest: waiting for %s: %w", what, err)
}

func (c *Client) startPacer(track *rawTrack) error {
	enc, err := newEncoder(c.opts.Codec)
	if err != nil {
		return err
	}
	var idle *audio.NoiseGenerator
	if c.opts.IdleNoiseDBFS < 0 {
		idle = audio.NewNoiseGenerator(c.opts.IdleNoiseDBFS, rand.Uint64())
	}
	p := newPacer(track, enc, int(c.opts.MaxQueue/(time.Second/Rate)), c.tx, idle)
	if !c.track(func() { p.run(c.ctx) }, true) {
		return ErrEnded
	}
	c.mu.Lock()
	c.pacer = p
	c.mu.Unlock()
	return nil
}

// track runs fn on a goroutine Close waits for (or on this one, if
// async is false), unless the client is closing.
func (c *Client) track(fn func(), async bool) bool {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return false
	}
	c.wg.Add(1)
	c.mu.Unlock()
	if !async {
		defer c.wg.Done()
		fn()
		return true
	}
	go func() {
		defer c.wg.Done()
		fn()
	}()
	return true
}

// onTrack reads the bot's audio on pion's goroutine until the track ends.
func (c *Client) onTrack(tr *pion.TrackRemote) {
	if tr.Kind() != pion.RTPCodecTypeAudio {
		return
	}
	dec, err := newDecoder(c.opts.Codec)
	if err != nil {
		c.log.Error("webrtctest: decoder", "err", err)
		return
	}
	r := &receiver{dec: dec, log: c.rx, onAudio: c.opts.OnAudio, packets: &c.rxPackets, errors: &c.rxErrs}
	c.track(func() { r.run(tr) }, false)
}

// end marks the call over with reason; only the first reason counts.
func (c *Client) end(reason string) {
	c.endMu.Do(func() {
		c.reason.Store(&reason)
		c.cancel()
		close(c.done)
	})
}

// Done is closed when the call has ended: the server's "ended" state, the
// socket closing, or Close.
func (c *Client) Done() <-chan struct{} { return c.done }

// EndReason is the reason of the server's "ended" state, "socket_closed"
// when the socket closed without one, "closed" after Close; "" while the
// call goes on.
func (c *Client) EndReason() string {
	if p := c.reason.Load(); p != nil {
		return *p
	}
	return ""
}

// Send queues caller audio at Rate; the pacer sends it 20 ms a packet
// from the next tick, after what is already queued (a partial last frame
// is filled up as idle frames are). It never blocks.
func (c *Client) Send(pcm audio.PCM16) error {
	p := c.livePacer()
	if p == nil {
		return ErrEnded
	}
	if !p.q.push(pcm) {
		return fmt.Errorf("%w: %v queued", ErrQueueFull, c.Pending())
	}
	return nil
}

// Pending is the caller audio queued and not yet sent.
func (c *Client) Pending() time.Duration {
	if p := c.livePacer(); p != nil {
		return audio.Duration(p.q.len(), Rate)
	}
	return 0
}

// SendDTMF presses one key ('0'-'9', '*', '#', 'A'-'D') as an RFC 4733
// telephone-event in the media stream, in place of audio for 160 ms, and
// returns once its last packet is sent. Queued audio waits meanwhile.
func (c *Client) SendDTMF(digit rune) error {
	i := strings.IndexRune(dtmfEvent, digit)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrBadDigit, digit)
	}
	p := c.livePacer()
	if p == nil {
		return ErrEnded
	}
	r := dtmfReq{code: byte(i), done: make(chan error, 1)}
	select {
	case p.dtmf <- r:
	default:
		return fmt.Errorf("webrtctest: %d key presses already waiting", dtmfQueue)
	}
	select {
	case err := <-r.done:
		if err != nil {
			return ErrEnded
		}
		return nil
	case <-c.done:
		return ErrEnded
	}
}

// SendDTMFMessage presses a key with a "dtmf" signalling message, as a
// page does when RTCDTMFSender is unavailable.
func (c *Client) SendDTMFMessage(digit rune) error {
	if !strings.ContainsRune(dtmfEvent, digit) {
		return fmt.Errorf("%w: %q", ErrBadDigit, digit)
	}
	return c.sendJSON(map[string]any{"type": "dtmf", "digit": string(digit)})
}

func (c *Client) livePacer() *pacer {
	select {
	case <-c.done:
		return nil
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pacer
}

// Received returns the bot audio kept so far, oldest first.
func (c *Client) Received() []Frame { return c.rx.snapshot() }

// Sent returns the caller audio sent so far from Send (not the silence
// sent when nothing was queued), oldest first, with send times.
func (c *Client) Sent() []Frame { return c.tx.snapshot() }

// WaitReceived returns once cond holds for the bot audio kept (checked now
// and on every new frame), or with ctx's error, or ErrEnded. cond gets a
// copy it may keep.
func (c *Client) WaitReceived(ctx context.Context, cond func([]Frame) bool) error {
	return c.rx.wait(ctx, c.done, cond)
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{PacketsReceived: c.rxPackets.Load(), ReceiveErrors: c.rxErrs.Load(),
		BadMessages: c.badMsgs.Load(), FramesDropped: c.rx.droppedCount() + c.tx.droppedCount()}
	c.mu.Lock()
	s.MessagesDropped = c.msgDrop
	p := c.pacer
	c.mu.Unlock()
	if p != nil {
		s.PacketsSent, s.SendErrors = p.packets.Load(), p.errors.Load()
	}
	return s
}

// Hangup ends the call from the caller's side with a "hangup" message,
// waits for the server to end it (or ctx), then releases everything as
// Close does.
func (c *Client) Hangup(ctx context.Context) error {
	defer c.Close()
	if err := c.sendJSON(map[string]string{"type": "hangup"}); err != nil {
		return err
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("webrtctest: hangup: %w", ctx.Err())
	}
}

// Close ends the call abruptly if it goes on (the peer connection and the
// socket close, as when a tab closes) and waits for every goroutine of the
// client. It is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.end("closed")
		c.mu.Lock()
		c.closing = true
		pc := c.pc
		c.mu.Unlock()
		var err error
		if pc != nil {
			err = pc.Close()
		}
		_ = c.ws.Close() // safe beside a write (gorilla/websocket)
		<-c.readerDone
		c.wg.Wait()
		c.closeErr = err
		close(c.closed)
	})
	<-c.closed
	return c.closeErr
}

// sendJSON writes one message on the socket.
func (c *Client) sendJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("webrtctest: %w", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("%w: %v", ErrEnded, err)
	}
	return nil
}
