package ttstest

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

// CosyVoicePath is the inference websocket path; CosyVoiceTestKey is the
// key a CosyVoiceServer accepts by default.
const (
	CosyVoicePath    = "/api-ws/v1/inference"
	CosyVoiceTestKey = "sk-test-cosyvoice-0123456789abcdef"
)

// CosyVoiceOptions configures a CosyVoiceServer. Zero values take the defaults.
type CosyVoiceOptions struct {
	// Key is the only API key accepted (default CosyVoiceTestKey).
	Key string
	// Models the server knows (default cosyvoice-v1, cosyvoice-v2,
	// cosyvoice-v3-flash, cosyvoice-v3-plus); others fail with ModelNotFound.
	Models []string
	// Voices the server knows (default the Cantonese ones plus
	// longxiaochun_v2); a *_v2 or *_v3 voice needs a model of that generation.
	Voices []string
	// CharDuration is the audio per spoken character at rate 1 (default 150 ms).
	CharDuration time.Duration
	// FrameDuration is the audio per binary frame (default 100 ms).
	FrameDuration time.Duration
	// FrameInterval is the wall time between two audio frames (default 0:
	// as fast as the socket takes them).
	FrameInterval time.Duration
	// StartDelay is how long run-task takes to answer (default 10 ms);
	// anything the client sends meanwhile fails the task.
	StartDelay time.Duration
	// IdleLimit is the longest gap between client sends while a task runs
	// before it fails with "request timeout after 23 seconds." (default 23 s).
	IdleLimit time.Duration
	// Hold, if not nil, makes every task wait after its first audio frame
	// until Hold is closed (to prove audio streams before synthesis ends).
	Hold chan struct{}
	// DropAfterFrames, if positive, cuts the TCP connection without a close
	// frame after that many audio frames of a task.
	DropAfterFrames int
	// IdleClose closes a connection with no task for this long (default 60 s).
	IdleClose time.Duration
	// Log receives the server's diagnostics (default: discarded).
	Log *slog.Logger
}

// DefaultCosyVoiceVoices are the voices a CosyVoiceServer knows by default.
var DefaultCosyVoiceVoices = []string{"longjiayi_v2", "longtao_v2", "longxiaochun_v2",
	"longjiayi_v3", "longjiaxin_v3", "longanyue_v3", "longanyue"}

func (o CosyVoiceOptions) withDefaults() CosyVoiceOptions {
	if o.Key == "" {
		o.Key = CosyVoiceTestKey
	}
	if len(o.Models) == 0 {
		o.Models = []string{"cosyvoice-v1", "cosyvoice-v2", "cosyvoice-v3-flash", "cosyvoice-v3-plus"}
	}
	if len(o.Voices) == 0 {
		o.Voices = DefaultCosyVoiceVoices
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CharDuration, 150*time.Millisecond)
	def(&o.FrameDuration, 100*time.Millisecond)
	def(&o.StartDelay, 10*time.Millisecond)
	def(&o.IdleLimit, 23*time.Second)
	def(&o.IdleClose, 60*time.Second)
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// CosyVoiceTask is what the server received and sent for one run-task.
type CosyVoiceTask struct {
	Index      int // 0-based, in run-task order across connections
	Conn       int // index of the connection it ran on
	TaskID     string
	Model      string
	Voice      string
	TextType   string
	Format     string
	SampleRate int
	Volume     int
	Rate       float64
	Pitch      float64
	Workspace  string // X-DashScope-WorkSpace of the connection

	Texts      []string // continue-task texts, in order
	Characters int      // weighted length of the texts (a Chinese character counts 2)
	Sentences  int      // sentences synthesised
	Frames     int      // binary audio frames sent
	Samples    int      // PCM16 samples sent
	Events     int      // result-generated events sent

	GotFinish   bool // the client sent finish-task
	Finished    bool // the server sent task-finished
	FailCode    string
	FailMessage string
	Aborted     bool // the connection ended while the task ran
	Ended       bool // finished, failed or aborted
}

// CosyVoiceFailure is one task-failed event the server sent.
type CosyVoiceFailure struct {
	Conn    int
	TaskID  string
	Code    string
	Message string
}

// CosyVoiceServer is a DashScope CosyVoice websocket TTS double on
// 127.0.0.1. Start it with NewCosyVoiceServer and stop it with Close.
type CosyVoiceServer struct {
	opts     CosyVoiceOptions
	http     *httptest.Server
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // connection handlers

	mu       sync.Mutex // guards everything below
	tasks    []*CosyVoiceTask
	failures []CosyVoiceFailure
	conns    map[*websocket.Conn]struct{}
	nconns   int
	refused  int
	closed   bool
	changed  chan struct{} // closed and replaced whenever a task or connection ends
}

// NewCosyVoiceServer starts a server on 127.0.0.1 with a free port.
func NewCosyVoiceServer(opts CosyVoiceOptions) *CosyVoiceServer {
	s := &CosyVoiceServer{
		opts:    opts.withDefaults(),
		conns:   make(map[*websocket.Conn]struct{}),
		changed: make(chan struct{}),
	}
	s.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the websocket address, "ws://127.0.0.1:port/api-ws/v1/inference".
func (s *CosyVoiceServer) URL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + CosyVoicePath
}

// Key is the API key the server accepts.
func (s *CosyVoiceServer) Key() string { return s.opts.Key }

// Options returns the effective options.
func (s *CosyVoiceServer) Options() CosyVoiceOptions { return s.opts }

// Close stops the server, cuts every open connection and waits for the
// handlers to finish.
func (s *CosyVoiceServer) Close() {
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
func (s *CosyVoiceServer) Tasks() []CosyVoiceTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CosyVoiceTask, len(s.tasks))
	for i, t := range s.tasks {
		out[i] = *t
		out[i].Texts = slices.Clone(t.Texts)
	}
	return out
}

// Failures returns every task-failed the server sent, in order.
func (s *CosyVoiceServer) Failures() []CosyVoiceFailure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failures)
}

// Conns is how many websocket connections the server accepted.
func (s *CosyVoiceServer) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nconns
}

// Open is how many connections are open now.
func (s *CosyVoiceServer) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Refused is how many handshakes were refused for a missing or wrong key.
func (s *CosyVoiceServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// WaitTasks waits until at least n tasks have ended and returns the records.
func (s *CosyVoiceServer) WaitTasks(ctx context.Context, n int) ([]CosyVoiceTask, error) {
	return s.waitFor(ctx, func() bool {
		ended := 0
		for _, t := range s.tasks {
			if t.Ended {
				ended++
			}
		}
		return ended >= n
	}, fmt.Sprintf("%d tasks to end", n))
}

// WaitOpen waits until at most n connections are open.
func (s *CosyVoiceServer) WaitOpen(ctx context.Context, n int) error {
	_, err := s.waitFor(ctx, func() bool { return len(s.conns) <= n }, fmt.Sprintf("%d open connections", n))
	return err
}

// waitFor waits until cond (called under the lock) holds.
func (s *CosyVoiceServer) waitFor(ctx context.Context, cond func() bool, what string) ([]CosyVoiceTask, error) {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return s.Tasks(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Tasks(), fmt.Errorf("ttstest: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// notify wakes waiters; the caller holds s.mu.
func (s *CosyVoiceServer) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *CosyVoiceServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSuffix(r.URL.Path, "/") != CosyVoicePath {
		cosyVoiceHTTPError(w, http.StatusNotFound, "NotFound", "path "+r.URL.Path+" not found")
		return
	}
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || key != s.opts.Key {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		cosyVoiceHTTPError(w, http.StatusUnauthorized, "InvalidApiKey", "Invalid API-key provided.")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) { // CosyVoice is websocket-only
		cosyVoiceHTTPError(w, http.StatusBadRequest, "InvalidParameter", "CosyVoice supports websocket only")
		return
	}
	idx, ok := s.admit()
	if !ok {
		cosyVoiceHTTPError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "server closing")
		return
	}
	defer s.wg.Done()
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.opts.Log.Warn("ttstest: cosyvoice upgrade", "err", err)
		return
	}
	if !s.register(conn) {
		conn.Close()
		return
	}
	defer s.unregister(conn)
	conn.SetReadLimit(1 << 20)
	newCVSession(s, conn, idx, r.Header.Get("X-DashScope-WorkSpace")).run()
}

func (s *CosyVoiceServer) admit() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, false
	}
	s.wg.Add(1)
	s.nconns++
	return s.nconns - 1, true
}

func (s *CosyVoiceServer) register(conn *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[conn] = struct{}{}
	return true
}

func (s *CosyVoiceServer) unregister(conn *websocket.Conn) {
	conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
	s.notify()
}

func (s *CosyVoiceServer) newTask(t *CosyVoiceTask) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Index = len(s.tasks)
	s.tasks = append(s.tasks, t)
}

// update runs fn on a task record under the lock and wakes waiters.
func (s *CosyVoiceServer) update(t *CosyVoiceTask, fn func(*CosyVoiceTask)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(t)
	s.notify()
}

func (s *CosyVoiceServer) recordFailure(f CosyVoiceFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// cosyVoiceHTTPError writes DashScope's HTTP error body.
func cosyVoiceHTTPError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"request_id": cosyVoiceRequestID(), "code": code, "message": msg})
}

func cosyVoiceRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
