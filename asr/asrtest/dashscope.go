package asrtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// DashScope paths and the key a DashScopeServer accepts by default.
const (
	DashScopeInferencePath = "/api-ws/v1/inference"
	DashScopeCustomizePath = "/api/v1/services/audio/asr/customization"
	DashScopeTestKey       = "sk-test-0123456789abcdef"
)

// DashScopeOptions configures a DashScopeServer. Zero values take the defaults.
type DashScopeOptions struct {
	// Key is the only API key accepted (default DashScopeTestKey).
	Key string
	// Models the server knows (default paraformer-realtime-v2,
	// paraformer-realtime-8k-v2, fun-asr-realtime); others fail with
	// ModelNotFound.
	Models []string
	// Transcripts gives task i (0-based, in run-task order across all
	// connections) the transcript Transcripts[i%len]; SegmentSep separates
	// sentences. Default: "我想查户口结余。".
	Transcripts []string
	// PartialEvery is how much received audio separates two results (default 200 ms).
	PartialEvery time.Duration
	// CharDuration is the audio each transcript character takes (default 200 ms).
	CharDuration time.Duration
	// Trailing is the silence after a sentence's last character that ends
	// it, when run-task sets no max_sentence_silence (default 800 ms).
	Trailing time.Duration
	// HeartbeatEvery is how much audio separates two heartbeat results once
	// everything is said, for tasks with heartbeat:true (default 1 s).
	HeartbeatEvery time.Duration
	// StartDelay is how long the server takes to answer run-task with
	// task-started (default 20 ms); audio arriving meanwhile fails the task.
	StartDelay time.Duration
	// DropAfter, if positive, cuts the TCP connection without a close frame
	// once a task has received this much audio.
	DropAfter time.Duration
	// DropFirst limits DropAfter to the first DropFirst connections (0:
	// every connection), so a client that reconnects can be seen to recover.
	DropFirst int
	// IdleClose closes a connection with no task for this long (default 60 s).
	IdleClose time.Duration
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

func (o DashScopeOptions) withDefaults() DashScopeOptions {
	if o.Key == "" {
		o.Key = DashScopeTestKey
	}
	if len(o.Models) == 0 {
		o.Models = []string{"paraformer-realtime-v2", "paraformer-realtime-8k-v2", "fun-asr-realtime"}
	}
	if len(o.Transcripts) == 0 {
		o.Transcripts = []string{"我想查户口结余。"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PartialEvery, 200*time.Millisecond)
	def(&o.CharDuration, 200*time.Millisecond)
	def(&o.Trailing, 800*time.Millisecond)
	def(&o.HeartbeatEvery, time.Second)
	def(&o.StartDelay, 20*time.Millisecond)
	def(&o.IdleClose, 60*time.Second)
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// DashScopeTask is what the server saw and sent for one run-task.
type DashScopeTask struct {
	Index              int    // 0-based, in run-task order across connections
	Conn               int    // index of the connection it ran on
	TaskID             string // header.task_id
	Model              string
	Format             string
	SampleRate         int
	LanguageHints      []string
	VocabularyID       string
	MaxSentenceSilence int // ms; 0 when not sent
	Heartbeat          bool
	Workspace          string // X-DashScope-WorkSpace of the connection

	Frames     int      // binary audio frames received
	Samples    int      // PCM16 samples received
	RMS        float64  // root mean square of the samples (full scale 1.0)
	Peak       float64  // largest absolute sample (full scale 1.0)
	Partials   int      // non-final results sent
	Heartbeats int      // heartbeat results sent
	Finals     []string // final texts sent, in order
	Transcript string   // the final texts joined

	GotFinish   bool   // the client sent finish-task
	Finished    bool   // the server sent task-finished
	FailCode    string // error_code of the task-failed sent, if any
	FailMessage string
	Ended       bool // finished, failed, or its connection is gone
}

// Duration is how long the received audio lasts.
func (t DashScopeTask) Duration() time.Duration {
	if t.SampleRate <= 0 {
		return 0
	}
	return time.Duration(t.Samples) * time.Second / time.Duration(t.SampleRate)
}

// DashScopeFailure is one task-failed event the server sent.
type DashScopeFailure struct {
	Conn    int
	TaskID  string
	Code    string
	Message string
}

// DashScopeServer is a DashScope realtime recognition double on 127.0.0.1:
// the "inference" websocket protocol and the hotword customization API.
// Start it with NewDashScopeServer and stop it with Close.
type DashScopeServer struct {
	opts     DashScopeOptions
	http     *httptest.Server
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // connection handlers

	mu       sync.Mutex // guards everything below
	tasks    []*DashScopeTask
	failures []DashScopeFailure
	vocabs   map[string]*DashScopeVocabulary
	conns    map[*websocket.Conn]struct{}
	nconns   int // connections accepted
	refused  int // handshakes refused for the key
	closed   bool
	changed  chan struct{} // closed and replaced whenever a task ends
}

// NewDashScopeServer starts a server on 127.0.0.1 with a free port.
func NewDashScopeServer(opts DashScopeOptions) *DashScopeServer {
	s := &DashScopeServer{
		opts:    opts.withDefaults(),
		vocabs:  make(map[string]*DashScopeVocabulary),
		conns:   make(map[*websocket.Conn]struct{}),
		changed: make(chan struct{}),
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the inference websocket address, "ws://127.0.0.1:port/api-ws/v1/inference".
func (s *DashScopeServer) URL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + DashScopeInferencePath
}

// CustomizationURL is the hotword API address.
func (s *DashScopeServer) CustomizationURL() string { return s.http.URL + DashScopeCustomizePath }

// Key is the API key the server accepts.
func (s *DashScopeServer) Key() string { return s.opts.Key }

// Close stops the server, cuts every open connection and waits for the
// handlers to finish.
func (s *DashScopeServer) Close() {
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

// Tasks returns a copy of the task records, in run-task order.
func (s *DashScopeServer) Tasks() []DashScopeTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DashScopeTask, len(s.tasks))
	for i, t := range s.tasks {
		out[i] = *t
		out[i].LanguageHints = slices.Clone(t.LanguageHints)
		out[i].Finals = slices.Clone(t.Finals)
	}
	return out
}

// Failures returns every task-failed the server sent, in order.
func (s *DashScopeServer) Failures() []DashScopeFailure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failures)
}

// Conns is how many websocket connections the server accepted.
func (s *DashScopeServer) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nconns
}

// Refused is how many handshakes were refused for a missing or wrong key.
func (s *DashScopeServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// WaitTasks waits until at least n tasks have ended and returns the records.
func (s *DashScopeServer) WaitTasks(ctx context.Context, n int) ([]DashScopeTask, error) {
	for {
		s.mu.Lock()
		ended := 0
		for _, t := range s.tasks {
			if t.Ended {
				ended++
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if ended >= n {
			return s.Tasks(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Tasks(), fmt.Errorf("asrtest: %d of %d dashscope tasks ended: %w", ended, n, ctx.Err())
		}
	}
}

func (s *DashScopeServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case DashScopeInferencePath:
		s.serveInference(w, r)
	case DashScopeCustomizePath:
		s.serveCustomization(w, r)
	default:
		dashScopeHTTPError(w, http.StatusNotFound, "NotFound", "path "+r.URL.Path+" not found")
	}
}

// authorized checks "Authorization: bearer <key>" (the scheme in any case).
func (s *DashScopeServer) authorized(r *http.Request) bool {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "bearer") && key == s.opts.Key
}

func (s *DashScopeServer) serveInference(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		dashScopeHTTPError(w, http.StatusUnauthorized, "InvalidApiKey", "Invalid API-key provided.")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", "websocket upgrade required")
		return
	}
	idx, ok := s.admit()
	if !ok {
		dashScopeHTTPError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "server closing")
		return
	}
	defer s.wg.Done()
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.opts.Log.Warn("asrtest: dashscope upgrade", "err", err)
		return
	}
	if !s.register(conn) {
		conn.Close()
		return
	}
	defer s.unregister(conn)
	conn.SetReadLimit(1 << 22)
	ss := newDSSession(s, conn, idx, r.Header.Get("X-DashScope-WorkSpace"))
	ss.run()
}

func (s *DashScopeServer) admit() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, false
	}
	s.wg.Add(1)
	s.nconns++
	return s.nconns - 1, true
}

func (s *DashScopeServer) register(conn *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[conn] = struct{}{}
	return true
}

func (s *DashScopeServer) unregister(conn *websocket.Conn) {
	conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
}

// newTask records an accepted or refused run-task.
func (s *DashScopeServer) newTask(t *DashScopeTask) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Index = len(s.tasks)
	s.tasks = append(s.tasks, t)
}

// update runs fn on a task record under the server lock; it wakes
// WaitTasks when the task has ended.
func (s *DashScopeServer) update(t *DashScopeTask, fn func(*DashScopeTask)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := t.Ended
	fn(t)
	if t.Ended && !was {
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *DashScopeServer) recordFailure(f DashScopeFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// dashScopeHTTPError writes DashScope's HTTP error body.
func dashScopeHTTPError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"request_id": dsRequestID(), "code": code, "message": msg})
}

func dsRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
