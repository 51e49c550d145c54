package webrtc

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	pion "github.com/pion/webrtc/v4"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/opus"
)

// testClient is a browser stand-in: a pion peer that offers, trickles ICE
// over the real signalling WebSocket, sends RTP it makes itself (audio and
// RFC 4733 events on one SSRC, as browsers do) and records what it gets.
type testClient struct {
	t     *testing.T
	ws    *websocket.Conn
	wmu   sync.Mutex // serialises socket writes
	pc    *pion.PeerConnection
	track *rawTrack

	mu      sync.Mutex
	msgs    []map[string]any
	cursor  map[string]int // per type: messages already returned by expect
	notify  chan struct{}
	gate    sync.Mutex // held to stop reading the socket (slow browser)
	closed  chan struct{}
	readErr error
	rx      []rxPacket
	wg      sync.WaitGroup

	seq uint16
	ts  uint32

	iceServers []pion.ICEServer // set before call
	relayOnly  bool             // ICE transport policy "relay"
}

type rxPacket struct {
	pt      uint8
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte
	at      time.Time
}

// dial opens the signalling socket with an optional Origin.
func dial(t *testing.T, url, origin string) (*testClient, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	c := &testClient{t: t, ws: ws, cursor: map[string]int{}, notify: make(chan struct{}, 1),
		closed: make(chan struct{}), seq: 1000, ts: 90000}
	go c.readLoop()
	t.Cleanup(c.close)
	return c, resp, nil
}

func (c *testClient) readLoop() {
	defer close(c.closed)
	for {
		c.gate.Lock()
		c.gate.Unlock() // a gate: the test holds it to stop reading
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			c.wake()
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			c.t.Errorf("server sent bad JSON %q: %v", data, err)
			continue
		}
		c.apply(m)
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.mu.Unlock()
		c.wake()
	}
}

func (c *testClient) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// apply hands answers and candidates to the peer connection.
func (c *testClient) apply(m map[string]any) {
	c.mu.Lock()
	pc := c.pc
	c.mu.Unlock()
	if pc == nil {
		return
	}
	switch m["type"] {
	case "answer":
		sdp, _ := m["sdp"].(string)
		if err := pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeAnswer, SDP: sdp}); err != nil {
			c.t.Errorf("client: set answer: %v", err)
		}
	case "candidate":
		var init pion.ICECandidateInit
		if raw, ok := m["candidate"].(map[string]any); ok {
			b, _ := json.Marshal(raw)
			_ = json.Unmarshal(b, &init)
		}
		if err := pc.AddICECandidate(init); err != nil {
			c.t.Errorf("client: add candidate: %v", err)
		}
	}
}

// send writes one JSON message (any value, or raw bytes as a text message).
func (c *testClient) send(v any) {
	b, ok := v.([]byte)
	if !ok {
		b, _ = json.Marshal(v)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.WriteMessage(websocket.TextMessage, b)
}

// expect returns the next message of type typ, failing after timeout.
func (c *testClient) expect(typ string, timeout time.Duration) map[string]any {
	c.t.Helper()
	m, ok := c.next(typ, timeout)
	if !ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.t.Fatalf("no %q message within %v; got %v (read error %v)", typ, timeout, c.msgs, c.readErr)
	}
	return m
}

func (c *testClient) next(typ string, timeout time.Duration) (map[string]any, bool) {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		for i := c.cursor[typ]; i < len(c.msgs); i++ {
			if c.msgs[i]["type"] == typ {
				c.cursor[typ] = i + 1
				m := c.msgs[i]
				c.mu.Unlock()
				return m, true
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			return nil, false
		}
	}
}

// waitClosed waits for the server to close the socket and returns the
// close error.
func (c *testClient) waitClosed(timeout time.Duration) error {
	c.t.Helper()
	select {
	case <-c.closed:
	case <-time.After(timeout):
		c.t.Fatalf("socket still open after %v", timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// call builds the peer with the given codecs, offers and trickles.
func (c *testClient) call(codecs ...pion.RTPCodecParameters) {
	c.t.Helper()
	m := &pion.MediaEngine{}
	for _, p := range append(codecs, dtmfParams...) {
		if err := m.RegisterCodec(p, pion.RTPCodecTypeAudio); err != nil {
			c.t.Fatal(err)
		}
	}
	var se pion.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	policy := pion.ICETransportPolicyAll
	if c.relayOnly {
		policy = pion.ICETransportPolicyRelay
	}
	pc, err := pion.NewAPI(pion.WithMediaEngine(m), pion.WithSettingEngine(se)).NewPeerConnection(pion.Configuration{ICEServers: c.iceServers, ICETransportPolicy: policy})
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.pc = pc
	c.mu.Unlock()
	c.track = &rawTrack{codec: codecs[0].RTPCodecCapability, bound: make(chan struct{})}
	if _, err := pc.AddTrack(c.track); err != nil {
		c.t.Fatal(err)
	}
	pc.OnICECandidate(func(cand *pion.ICECandidate) {
		if cand == nil {
			c.send(map[string]any{"type": "candidate", "candidate": nil})
			return
		}
		c.send(map[string]any{"type": "candidate", "candidate": cand.ToJSON()})
	})
	pc.OnTrack(func(tr *pion.TrackRemote, _ *pion.RTPReceiver) {
		c.wg.Add(1)
		defer c.wg.Done()
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.rx = append(c.rx, rxPacket{pt: p.PayloadType, seq: p.SequenceNumber, ts: p.Timestamp,
				marker: p.Marker, payload: p.Payload, at: time.Now()})
			c.mu.Unlock()
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		c.t.Fatal(err)
	}
	c.send(map[string]any{"type": "offer", "sdp": offer.SDP})
}

// connected waits for the server's "connected" state and the track binding.
func (c *testClient) connected() map[string]any {
	c.t.Helper()
	c.expect("state", 5*time.Second) // connecting
	m := c.expect("state", 10*time.Second)
	if m["state"] != "connected" {
		c.t.Fatalf("state %v, want connected", m)
	}
	select {
	case <-c.track.bound:
	case <-time.After(5 * time.Second):
		c.t.Fatal("client track never bound")
	}
	return m
}

// sendPackets sends payloads as audio, one per 20 ms.
func (c *testClient) sendPackets(payloads [][]byte, step uint32) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i, p := range payloads {
		c.track.write(c.track.audioPT, i == 0, c.seq, c.ts, p)
		c.seq++
		c.ts += step
		<-tick.C
	}
}

// sendDigit sends one RFC 4733 event: three updates and three end
// packets (§2.5.1.4), 20 ms apart, at the audio clock.
func (c *testClient) sendDigit(code uint8, clock int) {
	unit := uint16(clock / 50) // one 20 ms step in timestamp units
	for i := range 6 {
		dur := unit * uint16(min(i+1, 3))
		p := []byte{code, 10, 0, 0}
		if i >= 3 {
			p[1] |= 0x80
		}
		binary.BigEndian.PutUint16(p[2:], dur)
		c.track.write(c.track.dtmfPT, i == 0, c.seq, c.ts, p)
		c.seq++
		time.Sleep(20 * time.Millisecond)
	}
	c.ts += uint32(unit) * 4
}

func (c *testClient) peer() *pion.PeerConnection {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pc
}

// received returns the audio packets the client has got so far.
func (c *testClient) received() []rxPacket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]rxPacket(nil), c.rx...)
}

func (c *testClient) close() {
	c.mu.Lock()
	pc := c.pc
	c.mu.Unlock()
	if pc != nil {
		_ = pc.Close()
	}
	_ = c.ws.Close()
	<-c.closed
	c.wg.Wait()
}

// rawTrack is a TrackLocal that writes RTP headers as given, so audio and
// telephone-event packets share one SSRC with their own payload types.
type rawTrack struct {
	codec           pion.RTPCodecCapability
	once            sync.Once
	bound           chan struct{}
	w               pion.TrackLocalWriter
	ssrc            uint32
	audioPT, dtmfPT uint8
}

func (t *rawTrack) Bind(ctx pion.TrackLocalContext) (pion.RTPCodecParameters, error) {
	var out pion.RTPCodecParameters
	for _, p := range ctx.CodecParameters() {
		switch {
		case strings.EqualFold(p.MimeType, t.codec.MimeType):
			out, t.audioPT = p, uint8(p.PayloadType)
		case strings.EqualFold(p.MimeType, "audio/telephone-event") && p.ClockRate == t.codec.ClockRate:
			t.dtmfPT = uint8(p.PayloadType)
		}
	}
	if out.MimeType == "" {
		return out, pion.ErrUnsupportedCodec
	}
	t.w, t.ssrc = ctx.WriteStream(), uint32(ctx.SSRC())
	t.once.Do(func() { close(t.bound) })
	return out, nil
}

func (t *rawTrack) Unbind(pion.TrackLocalContext) error { return nil }
func (t *rawTrack) ID() string                          { return "audio" }
func (t *rawTrack) RID() string                         { return "" }
func (t *rawTrack) StreamID() string                    { return "client" }
func (t *rawTrack) Kind() pion.RTPCodecType             { return pion.RTPCodecTypeAudio }

func (t *rawTrack) write(pt uint8, marker bool, seq uint16, ts uint32, payload []byte) {
	<-t.bound
	h := &rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: t.ssrc, Marker: marker}
	_, _ = t.w.WriteRTP(h, payload)
}

// opusTone returns n 20 ms Opus packets of a 440 Hz tone made at 48 kHz,
// as a browser would send.
func opusTone(t *testing.T, n int) [][]byte { return opusToneB(t, n) }

func opusToneB(t testing.TB, n int) [][]byte {
	t.Helper()
	enc, err := opus.NewEncoder(opus.DefaultEncoderConfig(48000))
	if err != nil {
		t.Fatal(err)
	}
	gen := audio.NewToneGenerator(48000, 0.3, 440)
	frame := make(audio.PCM16, 960)
	var out [][]byte
	for range n {
		gen.Read(frame)
		p, err := enc.Encode(nil, frame)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// pcmuTone returns n 20 ms µ-law packets of a 440 Hz tone.
func pcmuTone(n int) [][]byte {
	gen := audio.NewToneGenerator(8000, 0.3, 440)
	frame := make(audio.PCM16, 160)
	var out [][]byte
	for range n {
		gen.Read(frame)
		out = append(out, audio.EncodeULaw(nil, frame))
	}
	return out
}

// tone16k returns d of a 440 Hz tone at Rate.
func tone16k(d time.Duration) audio.PCM16 {
	pcm := make(audio.PCM16, int(d.Seconds()*Rate))
	audio.NewToneGenerator(Rate, 0.3, 440).Read(pcm)
	return pcm
}
