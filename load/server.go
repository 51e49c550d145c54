package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Metric names read from the server's /metrics. The first four are the Go
// and process collectors of prometheus/client_golang; the dropped-frame
// counters are yuecall's (cmd/yuecall/rtpmetrics.go).
const (
	metricGoroutines = "go_goroutines"
	metricRSS        = "process_resident_memory_bytes"
	metricCPU        = "process_cpu_seconds_total"
)

// droppedCounters maps the Report's names of dropped-frame causes to the
// server's counters. A counter the server does not export is listed in
// Report.Unavailable.
var droppedCounters = []struct{ name, metric string }{
	{"lost", "yuecall_rtp_packets_lost_total"},
	{"send_late", "yuecall_rtp_send_late_total"},
	{"queue_full", "yuecall_rtp_send_queue_full_total"},
}

// Limits on what is read from the server.
const (
	maxMetricsBody = 8 << 20
	maxProcFile    = 64 << 10
	scrapeTimeout  = 2 * time.Second
	// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
	// it is 100 on every Linux platform Go supports.
	clockTicks = 100
)

// sample is one look at the server. Fields the server did not give are
// flagged missing by the has* booleans.
type sample struct {
	at                   time.Time
	active               int // our calls in progress
	cpu                  float64
	rss                  float64 // bytes
	goroutines           float64
	hasCPU, hasRSS, hasG bool
	counters             map[string]float64 // dropped-frame counters by Report name
	lateness             []bucket           // the server pacer's lateness histogram (cumulative)
}

// prober reads the server's metrics and /proc entries.
type prober struct {
	url    string
	pid    int
	procFS string // "/proc"; tests point it elsewhere
	client *http.Client
}

// probe takes one sample; errors are returned joined but whatever could be
// read is kept.
func (p *prober) probe(ctx context.Context) (sample, error) {
	s := sample{at: time.Now(), counters: map[string]float64{}}
	var errs []error
	if p.url != "" {
		m, b, err := p.scrapeAll(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		s.fromMetrics(m)
		s.lateness = b
	}
	if p.pid > 0 {
		cpu, rss, err := readProc(p.procFS, p.pid)
		if err != nil {
			errs = append(errs, err)
		} else {
			s.cpu, s.rss, s.hasCPU, s.hasRSS = cpu, rss, true, true
		}
	}
	return s, errors.Join(errs...)
}

// fromMetrics copies what m has into s.
func (s *sample) fromMetrics(m map[string]float64) {
	if v, ok := m[metricGoroutines]; ok {
		s.goroutines, s.hasG = v, true
	}
	if v, ok := m[metricRSS]; ok {
		s.rss, s.hasRSS = v, true
	}
	if v, ok := m[metricCPU]; ok {
		s.cpu, s.hasCPU = v, true
	}
	for _, c := range droppedCounters {
		if v, ok := m[c.metric]; ok {
			s.counters[c.name] = v
		}
	}
}

// scrape fetches and parses the metrics page.
func (p *prober) scrape(ctx context.Context) (map[string]float64, error) {
	m, _, err := p.scrapeAll(ctx)
	return m, err
}

// scrapeAll fetches the metrics page and returns its sums by name and the
// pacer's lateness buckets.
func (p *prober) scrapeAll(ctx context.Context) (map[string]float64, []bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("load: metrics: %w", err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	res, err := p.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("load: metrics: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("load: metrics: HTTP %d", res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxMetricsBody))
	if err != nil {
		return nil, nil, fmt.Errorf("load: metrics: %w", err)
	}
	m, err := ParseMetrics(bytes.NewReader(body))
	return m, ParseBuckets(body, metricPacerLateness), err
}

// ParseMetrics reads the Prometheus text exposition format (version 0.0.4)
// and returns, per metric name, the sum of its samples over all label
// sets. Comments, blank lines and malformed lines are skipped; only a
// read error fails.
func ParseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, _, v, ok := parseSampleLine(sc.Text())
		if ok {
			out[name] += v
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("load: metrics: %w", err)
	}
	return out, nil
}

// parseSampleLine parses `name{label="value",...} value [timestamp]` into
// the name, the label block without its braces, and the value.
func parseSampleLine(line string) (name, labels string, v float64, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", "", 0, false
	}
	end := strings.IndexAny(line, "{ \t")
	if end <= 0 {
		return "", "", 0, false
	}
	name, rest := line[:end], line[end:]
	if rest[0] == '{' {
		e := labelsEnd(rest)
		if e < 0 {
			return "", "", 0, false
		}
		labels, rest = rest[1:e], rest[e+1:]
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 || !validName(name) {
		return "", "", 0, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return "", "", 0, false
	}
	return name, labels, v, true
}

// labelsEnd returns the index of the '}' closing the label set that s
// starts with, honouring quoted values with backslash escapes; -1 if none.
func labelsEnd(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '}':
			return i
		}
	}
	return -1
}

// validName reports whether s is a Prometheus metric name.
func validName(s string) bool {
	for i, r := range s {
		ok := r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return s != ""
}

// readProc returns a process's CPU time (user + system, seconds) from
// /proc/PID/stat and its resident memory (bytes) from /proc/PID/status.
func readProc(procFS string, pid int) (cpu, rss float64, err error) {
	dir := procFS + "/" + strconv.Itoa(pid)
	stat, err := readSmall(dir + "/stat")
	if err != nil {
		return 0, 0, err
	}
	if cpu, err = parseStatCPU(stat); err != nil {
		return 0, 0, err
	}
	status, err := readSmall(dir + "/status")
	if err != nil {
		return 0, 0, err
	}
	rss, err = parseStatusRSS(status)
	return cpu, rss, err
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProcFile))
	if err != nil {
		return nil, fmt.Errorf("load: %s: %w", path, err)
	}
	return b, nil
}

// parseStatCPU reads utime and stime (fields 14 and 15, proc(5)) from the
// contents of /proc/PID/stat. The command name (field 2) is in parentheses
// and may hold spaces and parentheses, so fields are counted after the
// last ')'.
func parseStatCPU(b []byte) (float64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("load: /proc stat: no command name")
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, errors.New("load: /proc stat: too few fields")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("load: /proc stat: bad utime or stime")
	}
	return float64(ut+st) / clockTicks, nil
}

// parseStatusRSS reads VmRSS (kB) from the contents of /proc/PID/status.
func parseStatusRSS(b []byte) (float64, error) {
	for line := range strings.SplitSeq(string(b), "\n") {
		v, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			break
		}
		return float64(kb) * 1024, nil
	}
	return 0, errors.New("load: /proc status: no VmRSS")
}
