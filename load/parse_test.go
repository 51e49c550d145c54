package load

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exposition = `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
process_resident_memory_bytes 1.2345e+07
process_cpu_seconds_total 3.5
yuecall_rtp_packets_lost_total 7
yuecall_sip_invites_rejected_total{status="488"} 2
yuecall_sip_invites_rejected_total{status="503",note="a \"}\" b"} 3 1700000000000
yuecall_calls_total{outcome="completed"} +Inf
bad line without value
9bad_name 1
bad{unterminated="x 1
   
`

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"go_goroutines": 42, "process_resident_memory_bytes": 12345000, "process_cpu_seconds_total": 3.5,
		"yuecall_rtp_packets_lost_total": 7, "yuecall_sip_invites_rejected_total": 5,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if len(m) != len(want)+1 { // + yuecall_calls_total (Inf)
		t.Errorf("parsed %d names: %v", len(m), m)
	}
	var s sample
	s.counters = map[string]float64{}
	s.fromMetrics(m)
	if !s.hasG || !s.hasRSS || !s.hasCPU || s.counters["lost"] != 7 || len(s.counters) != 1 {
		t.Errorf("sample %+v", s)
	}
}

func TestParseProc(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 1000000 500\n"
	cpu, err := parseStatCPU([]byte(stat))
	if err != nil || cpu != 3.0 {
		t.Errorf("cpu = %v, %v; want 3 s (300 ticks)", cpu, err)
	}
	status := "Name:\tyuecall\nVmPeak:\t  900 kB\nVmRSS:\t   2048 kB\nThreads:\t9\n"
	rss, err := parseStatusRSS([]byte(status))
	if err != nil || rss != 2048*1024 {
		t.Errorf("rss = %v, %v", rss, err)
	}
	for _, bad := range []string{"", "1234 no parens", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 x y"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("stat %q: no error", bad)
		}
	}
	if _, err := parseStatusRSS([]byte("VmRSS: lots\n")); err == nil {
		t.Error("bad VmRSS: no error")
	}
	// A fake /proc tree read end to end, and a missing pid.
	dir := t.TempDir()
	pdir := filepath.Join(dir, "77")
	if err := os.MkdirAll(pdir, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(pdir, "stat"), []byte(stat), 0o600)
	_ = os.WriteFile(filepath.Join(pdir, "status"), []byte(status), 0o600)
	if cpu, rss, err := readProc(dir, 77); err != nil || cpu != 3 || rss != 2048*1024 {
		t.Errorf("readProc = %v %v %v", cpu, rss, err)
	}
	if _, _, err := readProc(dir, 78); err == nil {
		t.Error("missing process: no error")
	}
}

func TestQuantiles(t *testing.T) {
	v := make([]float64, 100)
	for i := range v {
		v[i] = float64(100 - i) // 100 .. 1, unsorted
	}
	q := quantiles(v)
	if q != (Quantiles{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}) {
		t.Errorf("quantiles %+v", q)
	}
	if quantiles(nil) != (Quantiles{}) {
		t.Error("empty quantiles")
	}
	if q := quantiles([]float64{-5.555}); q.P50 != -5.56 || q.P99 != -5.56 {
		t.Errorf("one value: %+v", q)
	}
}

func FuzzParseMetrics(f *testing.F) {
	f.Add(exposition)
	f.Add("a{b=\"\\\\\"} 1\n")
	f.Add("x 1 2 3\n{} 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMetrics(strings.NewReader(s))
		if err != nil && len(s) < 1<<20 {
			t.Fatalf("error on %d bytes: %v", len(s), err)
		}
		for k := range m {
			if !validName(k) {
				t.Fatalf("invalid name %q", k)
			}
		}
	})
}

func FuzzParseProc(f *testing.F) {
	f.Add("1 (a) S 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 1 1 1", "VmRSS:\t 10 kB\n")
	f.Add("1 (a)) S", "VmRSS: 1 MB")
	f.Fuzz(func(t *testing.T, stat, status string) {
		if cpu, err := parseStatCPU([]byte(stat)); err == nil && cpu < 0 {
			t.Fatalf("negative cpu %v", cpu)
		}
		if rss, err := parseStatusRSS([]byte(status)); err == nil && rss < 0 {
			t.Fatalf("negative rss %v", rss)
		}
	})
}

func TestParseBucketsAndLatenessQuantile(t *testing.T) {
	page := []byte(`# HELP yuecall_rtp_pacer_lateness_seconds x
# TYPE yuecall_rtp_pacer_lateness_seconds histogram
yuecall_rtp_pacer_lateness_seconds_bucket{le="0.00025"} 900
yuecall_rtp_pacer_lateness_seconds_bucket{le="0.0005"} 960
yuecall_rtp_pacer_lateness_seconds_bucket{le="0.001"} 990
yuecall_rtp_pacer_lateness_seconds_bucket{le="0.002"} 999
yuecall_rtp_pacer_lateness_seconds_bucket{le="+Inf"} 1000
yuecall_rtp_pacer_lateness_seconds_sum 0.5
yuecall_rtp_pacer_lateness_seconds_count 1000
yuecall_rtp_pacer_lateness_seconds_bucket{le="garbage"} 1
`)
	b := ParseBuckets(page, metricPacerLateness)
	if len(b) != 5 || !math.IsInf(b[4].le, 1) {
		t.Fatalf("buckets %+v", b)
	}
	if v, ok := latenessQuantile(nil, b, 0.99); !ok || v != 1 {
		t.Errorf("p99 = %v %v, want 1 ms", v, ok)
	}
	// Only what happened between the two scrapes counts.
	from := []bucket{{0.00025, 900}, {0.0005, 950}, {0.001, 950}, {0.002, 950}, {math.Inf(1), 950}}
	if v, ok := latenessQuantile(from, b, 0.5); !ok || v != 1 {
		t.Errorf("p50 of the last 50 = %v %v, want 1 ms", v, ok)
	}
	if _, ok := latenessQuantile(b, b, 0.99); ok {
		t.Error("no sends between the scrapes: want no figure")
	}
}
