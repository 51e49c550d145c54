package asrtest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gorilla/websocket"
)

// FunASROptions configures a FunASRServer. Zero values take the defaults.
// The recognition mode (2pass, online, offline), audio_fs, chunk_size,
// svs_lang and svs_itn come from each client's config message, as on the
// real server.
type FunASROptions struct {
	// TLS serves wss:// with a self-signed certificate for 127.0.0.1 (see
	// CAPEM and CertPool), as run_server_2pass.sh does by default.
	TLS bool
	// Script returns the sentences of a stream (0-based, in connection
	// order) given the PCM decoded so far; it is called at every 800-sample
	// step. Default: FunASRScripted("我想查詢戶口結餘。").
	Script func(streamIndex int, pcm []int16) []string
	// OnlineText is what the streaming (online) model makes of a sentence;
	// its runes are revealed as online deltas while the sentence's audio
	// arrives. Default: the sentence without punctuation, as the online
	// paraformer writes it.
	OnlineText func(sentence string) string
	// SenseVoice prefixes offline texts with SenseVoice tags such as
	// <|yue|><|NEUTRAL|><|Speech|><|withitn|> (the 2pass server with
	// --model-dir iic/SenseVoiceSmall-onnx).
	SenseVoice bool
	// CharDuration is the audio each sentence rune takes (default 200 ms).
	CharDuration time.Duration
	// EndSilence is how long after a sentence's last rune the VAD closes it
	// and the offline result comes (default 800 ms, FSMN-VAD's default).
	EndSilence time.Duration
	// LegacyFields leaves out index, slice_type, start_time, end_time and
	// timestamp, as websocket-server-2pass.cpp's handle_result does; by
	// default results carry them as in websocket_protocol.md's examples.
	LegacyFields bool
	// DropAfter, if positive, cuts the TCP connection without a close frame
	// once this much audio has been decoded (an ASR crash mid-stream).
	DropAfter time.Duration
	// DropFirst limits DropAfter to the first DropFirst connections (0:
	// every connection), so a client that reconnects can be seen to recover.
	DropFirst int
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// FunASRScripted returns a Script that gives stream i the sentences of
// texts[i%len(texts)], split at SegmentSep: "我想查詢戶口結餘。|轉人工。".
func FunASRScripted(texts ...string) func(int, []int16) []string {
	return func(i int, _ []int16) []string {
		if len(texts) == 0 || texts[i%len(texts)] == "" {
			return nil
		}
		return strings.Split(texts[i%len(texts)], SegmentSep)
	}
}

func (o FunASROptions) withDefaults() FunASROptions {
	if o.Script == nil {
		o.Script = FunASRScripted("我想查詢戶口結餘。")
	}
	if o.OnlineText == nil {
		o.OnlineText = func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsPunct(r) {
					return -1
				}
				return r
			}, s)
		}
	}
	if o.CharDuration <= 0 {
		o.CharDuration = 200 * time.Millisecond
	}
	if o.EndSilence <= 0 {
		o.EndSilence = 800 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// FunASRRecord is what the server saw and sent on one stream. The config
// fields hold the server's effective values (its defaults where the
// client left a field out: mode 2pass, wav_format pcm, audio_fs 16000,
// itn true, svs_lang auto, svs_itn true).
type FunASRRecord struct {
	Index          int    // 0-based, in connection order
	Config         string // the first text message, verbatim
	Mode           string
	WavName        string
	WavFormat      string
	AudioFS        int
	ChunkSize      []int
	ChunkInterval  int
	Hotwords       string         // the "hotwords" field, verbatim
	HotwordsObject map[string]int // Hotwords parsed as a JSON object; nil if it is not one
	ITN            bool
	SVSLang        string
	SVSITN         bool

	TextMessages int         // text frames received
	Frames       int         // binary frames received
	FrameBytes   map[int]int // binary frame size -> count
	EarlyFrames  int         // binary frames that arrived before the config message
	EarlySamples int         // samples dropped because they arrived before it
	Samples      int         // samples decoded
	RMS          float64     // of the decoded samples (full scale 1.0)
	Peak         float64     // largest absolute decoded sample (full scale 1.0)
	GotEnd       bool        // {"is_speaking":false} arrived
	Rejected     string      // why the server decodes nothing, if it does not
	Sent         []string    // result frames sent, verbatim
	Finals       []string    // offline texts sent (tags kept), and online mode's stream text
	Ended        bool        // the connection is over
}

func (r FunASRRecord) clone() FunASRRecord {
	r.ChunkSize = append([]int(nil), r.ChunkSize...)
	r.HotwordsObject = maps.Clone(r.HotwordsObject)
	r.FrameBytes = maps.Clone(r.FrameBytes)
	r.Sent = append([]string(nil), r.Sent...)
	r.Finals = append([]string(nil), r.Finals...)
	return r
}

// FunASRServer is a FunASR runtime 2pass websocket server double
// (websocket-server-2pass.cpp) on 127.0.0.1. Start it with NewFunASRServer
// and stop it with Close.
type FunASRServer struct {
	opts     FunASROptions
	http     *httptest.Server
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // connection handlers

	mu      sync.Mutex // guards everything below
	streams []*FunASRRecord
	conns   map[*websocket.Conn]struct{}
	closed  bool
	changed chan struct{} // closed and replaced whenever a stream ends
}

// NewFunASRServer starts a server on 127.0.0.1 with a free port.
func NewFunASRServer(opts FunASROptions) *FunASRServer {
	s := &FunASRServer{
		opts:    opts.withDefaults(),
		conns:   make(map[*websocket.Conn]struct{}),
		changed: make(chan struct{}),
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// Failed TLS handshakes (a client without the CA) go to Log, not stderr.
	s.http.Config.ErrorLog = slog.NewLogLogger(s.opts.Log.Handler(), slog.LevelDebug)
	if s.opts.TLS {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	return s
}

// URL is the websocket address, "ws://127.0.0.1:port/" or "wss://…/" with TLS.
func (s *FunASRServer) URL() string { return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/" }

// CAPEM is the server's self-signed certificate in PEM, to trust as a CA;
// nil without TLS.
func (s *FunASRServer) CAPEM() []byte {
	if !s.opts.TLS {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.http.Certificate().Raw})
}

// CertPool holds the server's certificate; nil without TLS.
func (s *FunASRServer) CertPool() *x509.CertPool {
	if !s.opts.TLS {
		return nil
	}
	p := x509.NewCertPool()
	p.AddCert(s.http.Certificate())
	return p
}

// Close stops the server, cuts every open connection and waits for the
// handlers to finish.
func (s *FunASRServer) Close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*websocket.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.http.Close()
	for _, c := range conns {
		c.Close()
	}
	s.wg.Wait()
}

// Streams returns a copy of the per-stream records, in connection order.
func (s *FunASRServer) Streams() []FunASRRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FunASRRecord, len(s.streams))
	for i, r := range s.streams {
		out[i] = r.clone()
	}
	return out
}

// WaitStreams waits until at least n streams have ended and returns the records.
func (s *FunASRServer) WaitStreams(ctx context.Context, n int) ([]FunASRRecord, error) {
	for {
		s.mu.Lock()
		ended := 0
		for _, r := range s.streams {
			if r.Ended {
				ended++
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if ended >= n {
			return s.Streams(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Streams(), fmt.Errorf("asrtest: %d of %d funasr streams ended: %w", ended, n, ctx.Err())
		}
	}
}

func (s *FunASRServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.admit() {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.opts.Log.Warn("asrtest: funasr upgrade", "err", err)
		return
	}
	rec, ok := s.register(conn)
	if !ok {
		conn.Close()
		return
	}
	defer s.unregister(conn, rec)
	st := newFunASRSession(s, conn, rec)
	st.run()
}

func (s *FunASRServer) admit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *FunASRServer) register(conn *websocket.Conn) (*FunASRRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	rec := &FunASRRecord{Index: len(s.streams), FrameBytes: map[int]int{}}
	s.streams = append(s.streams, rec)
	s.conns[conn] = struct{}{}
	return rec, true
}

func (s *FunASRServer) unregister(conn *websocket.Conn, rec *FunASRRecord) {
	conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
	rec.Ended = true
	close(s.changed)
	s.changed = make(chan struct{})
}

// update runs fn on a stream record under the server lock.
func (s *FunASRServer) update(rec *FunASRRecord, fn func(*FunASRRecord)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(rec)
}
