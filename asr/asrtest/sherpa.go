package asrtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// SherpaVariant selects which sherpa-onnx websocket server SherpaServer imitates.
type SherpaVariant int

const (
	// CPP is sherpa-onnx-online-websocket-server (online-websocket-server-impl.cc):
	// full JSON results with is_final, then a plain "Done!" text frame; the
	// client closes.
	CPP SherpaVariant = iota
	// Python is python-api-examples/streaming_server.py: {"text","segment"}
	// only (ASCII-escaped JSON), no is_final, no "Done!"; after "Done" it sends
	// one last result and closes.
	Python
)

// String names the variant.
func (v SherpaVariant) String() string {
	switch v {
	case CPP:
		return "cpp"
	case Python:
		return "python"
	}
	return fmt.Sprintf("SherpaVariant(%d)", int(v))
}

// SegmentSep separates segments in a scripted transcript: "我想查户口结余|转人工"
// is recognised as two segments, the first ended by a server-side endpoint.
const SegmentSep = "|"

// SherpaOptions configures a SherpaServer. Zero values take the defaults.
type SherpaOptions struct {
	Variant SherpaVariant
	// SampleRate is the server's --sample-rate (default 16000).
	SampleRate int
	// Script returns the transcript of a stream (0-based, in connection order)
	// given the audio received so far; it is called whenever a result is due.
	// Default: Scripted("我想查户口结余").
	Script func(streamIndex int, audio []float32) string
	// PartialEvery is how much received audio separates two results (default 200 ms).
	PartialEvery time.Duration
	// CharDuration is the audio each transcript character takes: a partial
	// shows as many characters as the audio received so far covers (default 200 ms).
	CharDuration time.Duration
	// Trailing is the audio after a segment's last character after which the
	// server endpoints it (default 1.2 s, sherpa's rule2 trailing silence).
	Trailing time.Duration
	// DropAfter, if positive, cuts the TCP connection without a close frame
	// once this much audio has arrived (an ASR crash mid-stream).
	DropAfter time.Duration
	// MaxActive, if positive, refuses connections beyond it with HTTP 503
	// (the Python server's --max-active-connections).
	MaxActive int
	// Faults makes chosen streams or connection attempts fail.
	Faults SherpaFaults
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// SherpaFaults injects the failures real deployments show, for tests of
// reconnecting clients. Stream indexes are 0-based in connection order
// (refused attempts get none); a stream fault fires once, on the first binary
// frame that brings the samples the stream received to at least the mapped
// count (0: the first frame), before that frame's results are sent, and is
// noted in StreamRecord.Fault and FaultAt.
type SherpaFaults struct {
	// Cut closes the TCP connection without a close frame (a crashed
	// server, a dropped NAT mapping).
	Cut map[int]int
	// Silent stops all results, "Done!" included, while the server goes on
	// reading (a hung decoder).
	Silent map[int]int
	// HalfClose shuts the server's sending direction (TCP FIN, no close
	// frame) while it goes on reading: a half-closed socket.
	HalfClose map[int]int
	// End finishes the results as if the client had sent "Done" (the
	// remaining finals, then "Done!" for C++ or a normal close for Python);
	// later audio is ignored.
	End map[int]int
	// Refuse answers the first Refuse connection attempts with HTTP 503.
	Refuse int
	// ConnectDelay holds every admitted attempt this long before the
	// websocket handshake (an overloaded server); a client that gives up
	// first leaves no stream.
	ConnectDelay time.Duration
}

// Fault kinds, as StreamRecord.Fault names them.
const (
	FaultCut       = "cut"
	FaultSilent    = "silent"
	FaultHalfClose = "half-close"
	FaultEnd       = "end"
)

// Scripted returns a Script that gives stream i the transcript texts[i%len(texts)].
// Use what the real model writes: Simplified characters, no punctuation.
func Scripted(texts ...string) func(int, []float32) string {
	return func(i int, _ []float32) string {
		if len(texts) == 0 {
			return ""
		}
		return texts[i%len(texts)]
	}
}

func (o SherpaOptions) withDefaults() SherpaOptions {
	if o.SampleRate <= 0 {
		o.SampleRate = 16000
	}
	if o.Script == nil {
		o.Script = Scripted("我想查户口结余")
	}
	if o.PartialEvery <= 0 {
		o.PartialEvery = 200 * time.Millisecond
	}
	if o.CharDuration <= 0 {
		o.CharDuration = 200 * time.Millisecond
	}
	if o.Trailing <= 0 {
		o.Trailing = 1200 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// samples converts a duration of audio to a sample count at the server rate.
func (o SherpaOptions) samples(d time.Duration) int {
	return int(d * time.Duration(o.SampleRate) / time.Second)
}

// StreamRecord is what the server saw and sent on one stream.
type StreamRecord struct {
	Index      int      // 0-based, in connection order
	Frames     int      // binary frames received
	Samples    int      // float32 samples received
	RMS        float64  // root mean square of the samples (full scale 1.0)
	Peak       float64  // largest absolute sample
	Finals     []string // final texts sent, in order (empty ones left out)
	Transcript string   // the final texts joined
	Messages   int      // result frames sent
	GotDone    bool     // the client sent "Done"
	Rejected   string   // why the server refused the audio, if it did
	Ended      bool     // the connection is over
	Fault      string   // the injected fault that fired (FaultCut...), if any
	FaultAt    time.Time
	Opened     time.Time // when the websocket handshake completed
}

// Duration is how long the received audio lasts at rate.
func (r StreamRecord) Duration(rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(r.Samples) * time.Second / time.Duration(rate)
}

// SherpaServer is a sherpa-onnx streaming websocket server double on
// 127.0.0.1. Start it with NewSherpaServer and stop it with Close.
type SherpaServer struct {
	opts     SherpaOptions
	http     *httptest.Server
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // connection handlers

	quit chan struct{} // closed by Close: ends connect delays

	mu       sync.Mutex // guards everything below
	attempts int        // HTTP requests seen
	refused  int        // attempts answered with 503
	streams  []*StreamRecord
	conns    map[*websocket.Conn]struct{}
	active   int
	closed   bool
	changed  chan struct{} // closed and replaced whenever a stream ends
}

// NewSherpaServer starts a server on 127.0.0.1 with a free port.
func NewSherpaServer(opts SherpaOptions) *SherpaServer {
	s := &SherpaServer{
		opts:    opts.withDefaults(),
		conns:   make(map[*websocket.Conn]struct{}),
		changed: make(chan struct{}),
		quit:    make(chan struct{}),
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the websocket address, "ws://127.0.0.1:port".
func (s *SherpaServer) URL() string { return "ws" + strings.TrimPrefix(s.http.URL, "http") }

// Close stops the server, cuts every open connection and waits for the
// handlers to finish.
func (s *SherpaServer) Close() {
	s.mu.Lock()
	if !s.closed {
		close(s.quit)
	}
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
func (s *SherpaServer) Streams() []StreamRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StreamRecord, len(s.streams))
	for i, r := range s.streams {
		out[i] = *r
		out[i].Finals = append([]string(nil), r.Finals...)
	}
	return out
}

// Attempts is how many connection attempts (HTTP requests) the server has
// seen, refused ones included.
func (s *SherpaServer) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Refused is how many connection attempts were answered with HTTP 503.
func (s *SherpaServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// WaitStreams waits until at least n streams have ended and returns the records.
func (s *SherpaServer) WaitStreams(ctx context.Context, n int) ([]StreamRecord, error) {
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
			return s.Streams(), fmt.Errorf("asrtest: %d of %d streams ended: %w", ended, n, ctx.Err())
		}
	}
}

func (s *SherpaServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.admit() {
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		return
	}
	defer s.leave()
	if d := s.opts.Faults.ConnectDelay; d > 0 && !s.delay(r.Context(), d) {
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.opts.Log.Warn("asrtest: upgrade", "err", err)
		return
	}
	rec, ok := s.register(conn)
	if !ok {
		conn.Close()
		return
	}
	defer s.unregister(conn, rec)
	if s.opts.Variant == Python {
		conn.SetReadLimit(1 << 20) // --max-message-size
	}
	st := &session{srv: s, conn: conn, rec: rec}
	st.run()
}

// admit counts an active connection, or refuses it: over MaxActive, or
// among the first Faults.Refuse attempts.
func (s *SherpaServer) admit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.closed || s.opts.MaxActive > 0 && s.active >= s.opts.MaxActive || s.attempts <= s.opts.Faults.Refuse {
		s.refused++
		return false
	}
	s.active++
	s.wg.Add(1)
	return true
}

// delay waits d before the handshake; it reports false if the client gave
// up or the server closed meanwhile.
func (s *SherpaServer) delay(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.quit:
	}
	return false
}

func (s *SherpaServer) leave() {
	s.mu.Lock()
	s.active--
	s.mu.Unlock()
	s.wg.Done()
}

func (s *SherpaServer) register(conn *websocket.Conn) (*StreamRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	rec := &StreamRecord{Index: len(s.streams), Opened: time.Now()}
	s.streams = append(s.streams, rec)
	s.conns[conn] = struct{}{}
	return rec, true
}

func (s *SherpaServer) unregister(conn *websocket.Conn, rec *StreamRecord) {
	conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
	rec.Ended = true
	close(s.changed)
	s.changed = make(chan struct{})
}

// update runs fn on a stream record under the server lock.
func (s *SherpaServer) update(rec *StreamRecord, fn func(*StreamRecord)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(rec)
}
