package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/call"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/sentiment"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/media/sip"
	"github.com/yuecall/yuecall/media/webrtc"
	"github.com/yuecall/yuecall/normalise"
	"github.com/yuecall/yuecall/tts/cache"
	"github.com/yuecall/yuecall/tts/spoken"
)

func cmdServe(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path, err := configPath(fs, args)
	if err != nil {
		return 2
	}
	cfg, err := LoadConfig(path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "yuecall: %v\n", err)
		return 1
	}
	log := newLogger(cfg, stderr)
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("yuecall stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// natsParts is the NATS connection and, on one node, the embedded server.
type natsParts struct {
	srv *server.Server
	nc  *nats.Conn
}

func startNATS(ctx context.Context, cfg Config, log *slog.Logger) (*natsParts, error) {
	p := &natsParts{}
	url := cfg.NATS.URL
	if url == "" {
		srv, err := events.StartServer(events.ServerConfig{Listen: cfg.NATS.Listen,
			StoreDir: filepath.Join(cfg.DataDir, "nats"), JetStream: cfg.NATS.JetStream}, log)
		if err != nil {
			return nil, err
		}
		p.srv, url = srv, srv.ClientURL()
	}
	nc, err := nats.Connect(url, nats.Name("yuecall"), nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { log.Warn("NATS disconnected", "err", err) }),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("NATS reconnected", "url", c.ConnectedUrlRedacted()) }))
	if err != nil {
		p.close()
		return nil, fmt.Errorf("nats connect %s: %w", url, err)
	}
	p.nc = nc
	if cfg.NATS.JetStream {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := events.EnsureStream(sctx, nc, events.Subjects{Prefix: cfg.NATS.SubjectPrefix}, events.StreamConfig{}); err != nil {
			p.close()
			return nil, err
		}
	}
	return p, nil
}

func (p *natsParts) close() {
	if p.nc != nil {
		_ = p.nc.Drain()
	}
	if p.srv != nil {
		p.srv.Shutdown()
		p.srv.WaitForShutdown()
	}
}

func loadMenu(path string) (ivr.Menu, error) {
	if path == "" {
		return ivr.DefaultMenu(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return ivr.Menu{}, fmt.Errorf("ivr menu: %w", err)
	}
	defer f.Close()
	return ivr.LoadMenu(f)
}

// aiGreeting is what the caller hears on reaching the AI agent.
const aiGreeting = "你好，我係粵通銀行嘅智能助理。請問有咩可以幫到你？"

func buildDeps(ctx context.Context, cfg Config, log *slog.Logger, pub *events.Publisher, m *call.Metrics, reg prometheus.Registerer) (call.Deps, error) {
	normalise.Preload()
	pack, err := loadPack(cfg.Dialog.Pack)
	if err != nil {
		return call.Deps{}, err
	}
	rec, err := newRecognizer(ctx, cfg.ASR, pack.Vocabulary(), cfg.DataDir, newASRMetrics(reg), log)
	if err != nil {
		return call.Deps{}, err
	}
	if rec == nil {
		log.Warn("ASR not configured: callers are told speech is unavailable and the IVR works by keypad. " +
			"To enable speech, set YUECALL_ASR_PROVIDER (sherpa, funasr, dashscope, openai, azure) and YUECALL_ASR_URL")
	}
	synth, prompts, err := newSynthesizer(cfg.TTS, cfg.DataDir, log)
	if err != nil {
		return call.Deps{}, err
	}
	menu, err := packMenu(cfg.IVRMenu, pack)
	if err != nil {
		return call.Deps{}, err
	}
	opt := cfg.TTS.spokenOptions()
	greeting := packGreeting(pack)
	if prompts != nil {
		go warmPrompts(ctx, prompts, append(menu.Texts(), greeting), opt, cfg.TTS.MaxChunk, log)
	}
	convOpts, err := llmOptions(cfg.Dialog, log)
	if err != nil {
		return call.Deps{}, err
	}
	anger := sentiment.DefaultConfig()
	return call.Deps{Events: pub, ASR: rec, TTS: synth, Menu: menu, VAD: audio.DefaultVADConfig(),
		Dialog: dialog.NewEngine(pack, dialog.Options{Threshold: cfg.Dialog.Threshold, Log: log}), Metrics: m, Log: log,
		AIGreeting: greeting, Spoken: opt, MaxChunk: cfg.TTS.MaxChunk, Turn: cfg.ASR.Turn,
		Subjects: events.Subjects{Prefix: cfg.NATS.SubjectPrefix}, ReviewTimeout: cfg.Dialog.ReviewTimeout,
		Anger: &anger, Conversation: convOpts}, nil
}

// warmPrompts synthesises the fixed prompts into the cache, as the call
// will ask for them: split into sentences and read out by text-for-speech.
func warmPrompts(ctx context.Context, pc *cache.Cache, texts []string, opt spoken.Options, maxChunk int, log *slog.Logger) {
	var sentences []string
	for _, t := range texts {
		sentences = append(sentences, spoken.Sentences(t, opt, maxChunk)...)
	}
	t0 := time.Now()
	// Calls always ask at their leg's rate (8 kHz phone, 16 kHz browser):
	// a provider that makes audio at a requested rate is cached per rate;
	// for one that cannot, both warm the same native audio once.
	var err error
	for _, rate := range []int{audio.Rate8k, audio.Rate16k} {
		if err == nil {
			err = pc.WarmRate(ctx, sentences, rate)
		}
	}
	if err != nil {
		log.Warn("prompt cache: warming failed; prompts are synthesised on demand", "err", err)
		return
	}
	log.Info("prompt cache warm", "prompts", len(sentences), "took", time.Since(t0).Round(time.Millisecond))
}

func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	np, err := startNATS(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer np.close()
	pub := events.NewPublisher(np.nc, events.PublisherOptions{
		Subjects: events.Subjects{Prefix: cfg.NATS.SubjectPrefix}, Log: log})
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = pub.Close(fctx)
	}()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	deps, err := buildDeps(ctx, cfg, log, pub, call.NewMetrics(reg), reg)
	if err != nil {
		return err
	}
	ctl, err := newNATSControl(np.nc, deps.Subjects)
	if err != nil {
		return err
	}
	defer ctl.close()
	deps.Registry, deps.Control = call.NewRegistry(), ctl
	dk, err := newDesk(cfg, np, deps.Registry, log)
	if err != nil {
		return err
	}
	defer dk.d.Close()
	rtpm := newRTPCollector()
	reg.MustRegister(rtpm)
	handler := sip.HandlerFunc(func(ctx context.Context, c *sip.Call) {
		rtpm.add(c.RTP)
		defer rtpm.done(c.RTP)
		call.NewSession(call.InfoFromSIP(c), call.SIPLeg{C: c}, deps).Run(ctx)
	})
	sipSrv, err := sip.NewServer(cfg.SIP, handler, log.With("component", "sip"))
	if err != nil {
		return err
	}
	rtpm.sipSrv = sipSrv
	web, err := newWebRTC(cfg.WebRTC, deps, reg, log)
	if err != nil {
		return err
	}
	return runServers(ctx, cfg, log, servers{sip: sipSrv, web: web, desk: dk}, reg, np)
}

// servers are the call listeners drained together on shutdown.
type servers struct {
	sip  *sip.Server
	web  *webrtc.Server
	desk *deskParts
}

func (s servers) active() int { return s.sip.Active() + s.web.Active() }

func (s servers) drain() {
	s.sip.Drain()
	s.web.Drain()
}

func (s servers) wait(ctx context.Context) error {
	if err := s.sip.Wait(ctx); err != nil {
		return err
	}
	return s.web.Wait(ctx)
}

func (s servers) abort() {
	s.sip.Abort()
	s.web.Abort()
}

// runServers starts the HTTP and SIP listeners, waits for a signal and drains.
func runServers(ctx context.Context, cfg Config, log *slog.Logger, srv servers, reg *prometheus.Registry, np *natsParts) error {
	sipSrv := srv.sip
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http listen %s: %w", cfg.HTTP.Addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !np.nc.IsConnected() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintf(w, `{"status":%q,"nats":%q,"active_calls":%d}`+"\n",
			map[bool]string{true: "ok", false: "degraded"}[np.nc.IsConnected()], np.nc.Status().String(), srv.active())
	})
	webRoutes(mux, srv.web)
	srv.desk.register(mux)
	if cfg.HTTP.Pprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		log.Warn("profiler on at /debug/pprof/ (YUECALL_PPROF)")
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	log.Info("HTTP listening", "addr", cfg.HTTP.Addr, "paths", "/ (softphone) /ws/call /desk /supervisor /compliance /login /ws/agent /healthz /metrics")
	sipCtx, stopSIP := context.WithCancel(context.Background())
	defer stopSIP()
	serveErr := make(chan error, 1)
	go func() { serveErr <- sipSrv.Serve(sipCtx) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: no new calls; waiting for active calls", "active", srv.active(), "timeout", cfg.ShutdownTimeout)
	srv.drain()
	wctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.wait(wctx); err != nil {
		log.Warn("shutdown timeout: ending remaining calls", "active", srv.active())
		srv.abort()
		actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.wait(actx)
	}
	stopSIP()
	sipSrv.Close()
	_ = srv.web.Close()
	srv.desk.agent.Drain()
	_ = srv.desk.agent.Close()
	sctx, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	_ = hs.Shutdown(sctx)
	log.Info("yuecall stopped cleanly")
	return nil
}
