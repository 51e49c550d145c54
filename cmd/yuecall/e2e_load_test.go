package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoadShort is the CI load run: `yuecall serve` (built without -race,
// synthetic providers) in its own process and `yuecall load` with 50
// concurrent simulated SIP callers for 30 s. It fails on any failed call,
// dropped frame or goroutine left behind on the server.
func TestLoadShort(t *testing.T) {
	needTools(t, "espeak-ng")
	dir := t.TempDir()
	bin := filepath.Join(dir, "yuecall")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t, "udp"))
	env := append(os.Environ(),
		"YUECALL_DATA_DIR="+filepath.Join(dir, "data"), "YUECALL_HTTP_ADDR="+httpAddr, "YUECALL_SIP_ADDR="+sipAddr,
		fmt.Sprintf("YUECALL_NATS_LISTEN=127.0.0.1:%d", freePort(t, "tcp")),
		"YUECALL_ASR_PROVIDER=synthetic", "YUECALL_TTS_PROVIDER=synthetic", "YUECALL_ASR_SAMPLE_RATE=8000",
		"YUECALL_SYNTHETIC_TTS_CHAR=40ms", "YUECALL_RTP_PORT_MIN=31000", "YUECALL_RTP_PORT_MAX=31999",
		"YUECALL_LOG_LEVEL=warn")
	serve := exec.Command(bin, "serve")
	serve.Env = env
	logs := &lockedWriter{w: &bytes.Buffer{}}
	serve.Stdout, serve.Stderr = logs, logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- serve.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = serve.Process.Kill()
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", tail(logs.String(), 4000))
		}
	}()
	metrics := "http://" + httpAddr + "/metrics"
	waitMetric(t, metrics, "go_goroutines", 20*time.Second)
	idle := waitMetric(t, metrics, "go_goroutines", time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "report.json")
	load := exec.CommandContext(ctx, bin, "load", "-calls", "50", "-hold", "30s", "-ramp-up", "5s",
		"-ramp-down", "2s", "-pid", strconv.Itoa(serve.Process.Pid), "-json", "-out", out)
	load.Env = env
	res, err := load.CombinedOutput()
	t.Logf("yuecall load:\n%s", tail(string(res), 6000))
	if err != nil {
		t.Fatalf("yuecall load: %v (exit 3 means calls failed)", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Completed     int     `json:"calls_completed"`
		Failed        int     `json:"calls_failed"`
		FramesDropped int     `json:"frames_dropped"`
		SendJitterP99 float64 `json:"send_jitter_ms_p99"`
		Overhead      struct {
			P50, P95, P99 float64
		} `json:"overhead_ms"`
		BargeIn struct {
			P50, P95 float64
		} `json:"bargein_stop_ms"`
		MemPerCallKB      float64 `json:"mem_per_call_kb"`
		GoroutinesPerCall float64 `json:"goroutines_per_call"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, b)
	}
	t.Logf("report: %+v", rep)
	if rep.Failed != 0 || rep.Completed < 50 {
		t.Errorf("%d calls failed, %d completed", rep.Failed, rep.Completed)
	}
	if rep.FramesDropped != 0 {
		t.Errorf("%d frames dropped", rep.FramesDropped)
	}
	// every call's goroutines end with the call
	deadline := time.Now().Add(15 * time.Second)
	g := waitMetric(t, metrics, "go_goroutines", time.Second)
	for g > idle+5 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		g = waitMetric(t, metrics, "go_goroutines", time.Second)
	}
	if g > idle+5 {
		t.Errorf("server goroutines %v after the run, %v idle before: leaked", g, idle)
	}
}

// waitMetric scrapes url until the unlabelled metric name appears.
func waitMetric(t *testing.T, url, name string, within time.Duration) float64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if v, ok := scrape(url, name); ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s at %s within %v", name, url, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func scrape(url, name string) (float64, bool) {
	res, err := http.Get(url)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(res.Body, 4<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, err := strconv.ParseFloat(f[1], 64)
			return v, err == nil
		}
	}
	return 0, false
}
