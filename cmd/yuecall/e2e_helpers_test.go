package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/events"
)

// needTools fails (does not skip) when a real peer is missing: `make test`
// installs them; a skipped end-to-end test would hide a broken feature.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; run without -short")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: run `make deps-test` (apt-get install sip-tester espeak-ng sox tshark)", tool)
		}
	}
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// the same port must be free for TCP too (SIP listens on both)
		p := c.LocalAddr().(*net.UDPAddr).Port
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			l.Close()
			return p
		}
		return freePort(t, network)
	default:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
}

// testServer is `yuecall serve` run in-process on free loopback ports.
type testServer struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan error
	nc     *nats.Conn
	mu     sync.Mutex
	msgs   []events.Message
	logs   *lockedWriter
}

func startServe(t *testing.T, mutate func(*Config)) *testServer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.NATS.Listen = fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	cfg.HTTP.Addr = fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	cfg.SIP.Addr = fmt.Sprintf("127.0.0.1:%d", freePort(t, "udp"))
	cfg.SIP.RTPPortMin, cfg.SIP.RTPPortMax = 30000+2*(os.Getpid()%2000), 30000+2*(os.Getpid()%2000)+99
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.LogLevel = "debug"
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{cfg: cfg, done: make(chan error, 1), logs: &lockedWriter{w: &bytes.Buffer{}}}
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	log := slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() { ts.done <- serve(ctx, cfg, log) }()
	ts.waitHealthy(t)
	nc, err := nats.Connect("nats://" + cfg.NATS.Listen)
	if err != nil {
		t.Fatal(err)
	}
	ts.nc = nc
	if _, err := nc.Subscribe("yuecall.>", func(m *nats.Msg) {
		var env events.Envelope
		if err := json.Unmarshal(m.Data, &env); err != nil {
			t.Errorf("event on %s is not an envelope: %v", m.Subject, err)
			return
		}
		ts.mu.Lock()
		ts.msgs = append(ts.msgs, events.Message{Subject: m.Subject, Envelope: env})
		ts.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (ts *testServer) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-ts.done:
			t.Fatalf("serve exited early: %v\n%s", err, ts.logs.String())
		default:
		}
		res, err := http.Get("http://" + ts.cfg.HTTP.Addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server not healthy in time\n%s", ts.logs.String())
}

func (ts *testServer) stop(t *testing.T) {
	if ts.nc != nil {
		ts.nc.Close()
	}
	ts.cancel()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("serve did not stop within 15 s")
	}
	if t.Failed() {
		t.Logf("server log:\n%s", ts.logs.String())
	}
}

// events returns the envelopes received so far, in arrival order.
func (ts *testServer) events() []events.Message {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]events.Message(nil), ts.msgs...)
}

// waitEvent waits for an event of type typ and returns all events so far.
func (ts *testServer) waitEvent(t *testing.T, typ string, within time.Duration) []events.Message {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		msgs := ts.events()
		for _, m := range msgs {
			if m.Envelope.Type == typ {
				return msgs
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s event within %v; got %s", typ, within, describe(ts.events()))
	return nil
}

func describe(msgs []events.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n  %s %s %s", m.Subject, m.Envelope.Type, m.Envelope.Data)
	}
	return b.String()
}

// speech makes a headless µ-law file of Cantonese text spoken by espeak-ng,
// padded with silence so a VAD sees the end of the turn.
func speech(t *testing.T, dir, text string) string {
	t.Helper()
	src := filepath.Join(dir, "src.wav")
	runCmd(t, "espeak-ng", "-v", "yue", "-s", "150", "-w", src, text)
	out := filepath.Join(dir, "caller.ulaw")
	runCmd(t, "sox", src, "-t", "raw", "-r", "8000", "-c", "1", "-e", "mu-law", "-b", "8", out, "pad", "0.3", "1.5", "norm", "-3")
	return out
}

func runCmd(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// sippCall describes one scripted caller.
type sippCall struct {
	Target       string
	Speech       string // µ-law file
	Digits       []string
	BeforeDTMF   int // ms
	BeforeSpeech int
	AfterSpeech  int
	LocalPort    int
	MediaPort    int
}

var digitPcap = map[string]string{"*": "star", "#": "pound"}

func runSipp(t *testing.T, c sippCall) {
	t.Helper()
	dir := t.TempDir()
	tmpl := template.Must(template.ParseFiles("testdata/caller.xml.tmpl"))
	f, err := os.Create(filepath.Join(dir, "scenario.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tmpl.Execute(f, c); err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.Mkdir(filepath.Join(dir, "dtmf"), 0o755)
	for _, d := range c.Digits {
		name := d
		if n, ok := digitPcap[d]; ok {
			name = n
		}
		if err := os.Symlink("/usr/share/sip-tester/dtmf_2833_"+name+".pcap", filepath.Join(dir, "dtmf", d+".pcap")); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(c.Speech, filepath.Join(dir, "caller.ulaw")); err != nil {
		t.Fatal(err)
	}
	total := c.BeforeDTMF + 400*len(c.Digits) + c.BeforeSpeech + c.AfterSpeech + 20000
	cmd := exec.Command("sipp", c.Target, "-sf", "scenario.xml", "-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(c.LocalPort), "-mp", strconv.Itoa(c.MediaPort), "-m", "1", "-l", "1", "-nostdin",
		"-timeout", strconv.Itoa(total/1000)+"s", "-timeout_error", "-recv_timeout", "15s",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		t.Fatalf("sipp failed: %v\n%s\n%s", err, tail(string(out), 2000), errs)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// capture records UDP datagrams sent to port on loopback with tshark.
type capture struct {
	cmd  *exec.Cmd
	file string
	port int
}

func startCapture(t *testing.T, port int) *capture {
	t.Helper()
	file := filepath.Join(t.TempDir(), "rtp.pcapng")
	cmd := exec.Command("tshark", "-i", "lo", "-f", fmt.Sprintf("udp dst port %d", port), "-w", file, "-q")
	stderr := &lockedWriter{w: &bytes.Buffer{}}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// tshark says "Capturing on 'Loopback: lo'" once it listens
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "Capturing on") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &capture{cmd: cmd, file: file, port: port}
}

// rtpToCaller stops the capture and returns the PCMU payloads sent to the caller.
func (c *capture) rtpToCaller(t *testing.T) [][]byte {
	t.Helper()
	return c.rtpToCallerSince(t, time.Time{})
}

// rtpToCallerSince stops the capture and returns the PCMU payloads sent to
// the caller from since on.
func (c *capture) rtpToCallerSince(t *testing.T, since time.Time) [][]byte {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	_ = c.cmd.Process.Signal(os.Interrupt)
	_ = c.cmd.Wait()
	out := runCmd(t, "tshark", "-r", c.file, "-d", fmt.Sprintf("udp.port==%d,rtp", c.port),
		"-Y", "rtp.p_type == 0", "-T", "fields", "-e", "frame.time_epoch", "-e", "rtp.payload")
	var payloads [][]byte
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		sec, err := strconv.ParseFloat(f[0], 64)
		if err != nil || time.Unix(0, int64(sec*1e9)).Before(since) {
			continue
		}
		if b, err := hex.DecodeString(strings.ReplaceAll(f[1], ":", "")); err == nil {
			payloads = append(payloads, b)
		}
	}
	return payloads
}

// speechFrames counts 20 ms µ-law payloads louder than -35 dBFS.
func speechFrames(payloads [][]byte) int {
	n := 0
	var pcm audio.PCM16
	for _, p := range payloads {
		pcm = audio.DecodeULaw(pcm[:0], p)
		if audio.DBFS(pcm) > -35 {
			n++
		}
	}
	return n
}
