package rtp

// BenchmarkScale (issue 8): many sessions sending G.711 at once on loopback,
// measured at the receiving sockets with kernel arrival timestamps
// (SO_TIMESTAMPNS) and drop counters (SO_RXQ_OVFL). It only runs under
// -bench and takes about duration + 1 s:
//
//	go test ./media/rtp -run '^$' -bench Scale -benchtime 1x -args -scale.sessions 1000 -scale.duration 5s [-scale.duplex]
//
// Each session gets a tone topped up every 50 ms, so it sends every 20 ms.
// A few receiving sockets (one locked goroutine each) read all the streams.
// With -scale.duplex every session also receives and decodes a caller's
// stream, sent from the socket it sends to, as on a real node. Reported:
// |gap − 20 ms| between consecutive packets of a session (pooled p50, p99,
// p99.9, max; per-session p99s), packets sent vs expected, sequence gaps,
// kernel drops and timestamp jumps, goroutines and heap per session, CPU per
// session-second (getrusage; the test's receivers and caller measured on
// their own threads and subtracted) and Close latency.

import (
	"context"
	"encoding/binary"
	"flag"
	"math"
	"net"
	"net/netip"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sdp"
)

var (
	scaleSessions  = flag.Int("scale.sessions", 1000, "BenchmarkScale: concurrent sessions")
	scaleDuration  = flag.Duration("scale.duration", 5*time.Second, "BenchmarkScale: measured window")
	scaleReceivers = flag.Int("scale.receivers", 4, "BenchmarkScale: receiving sockets, one goroutine each")
)

const (
	poolStep = 10 * time.Microsecond  // pooled gap-error histogram resolution
	poolLen  = 10_000                 // up to 100 ms; the last bucket holds everything beyond
	flowStep = 100 * time.Microsecond // per-session histogram resolution
	flowLen  = 256                    // up to 25.5 ms
)

// window is the measured interval, in kernel-stamp nanoseconds (CLOCK_REALTIME).
type window struct {
	start, end atomic.Int64
	phase      atomic.Int32 // 0 warm-up, 1 measuring, 2 done: receivers snapshot their CPU on each change
}

// flow is what one receiver learns about one session; owned by that receiver.
type flow struct {
	have             bool
	seq              uint16
	ts               uint32
	at               int64 // arrival of the previous packet
	first, last, n   int64 // arrivals inside the window
	seqGaps, tsJumps int64
	maxErr           int64
	hist             [flowLen]uint32
}

// scaleRx is one receiving socket and its goroutine's findings.
type scaleRx struct {
	conn  *net.UDPConn
	pool  [poolLen]uint32
	drops [3]uint32        // kernel drop counter (SO_RXQ_OVFL) seen at each phase
	cpu   [3]time.Duration // thread CPU at each phase
}

func newScaleRx(b *testing.B) *scaleRx {
	c := listen(b)
	if err := c.SetReadBuffer(4 << 20); err != nil {
		b.Fatal(err)
	}
	raw, err := c.SyscallConn()
	if err != nil {
		b.Fatal(err)
	}
	_ = raw.Control(func(fd uintptr) {
		for _, opt := range []int{syscall.SO_TIMESTAMPNS, syscall.SO_RXQ_OVFL} {
			if err := syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	return &scaleRx{conn: c}
}

// run reads until the socket is closed, on a locked thread so its CPU can
// be told apart from the senders'.
func (r *scaleRx) run(w *window, port *[65536]int32, flows []flow) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf, oob := make([]byte, 1500), make([]byte, 128)
	seen := int32(0)
	r.cpu[0] = threadCPU()
	for {
		n, oobn, _, from, err := r.conn.ReadMsgUDPAddrPort(buf, oob)
		if ph := w.phase.Load(); ph != seen || err != nil {
			for seen < min(ph, 2) || (err != nil && seen < 2) {
				seen++
				r.cpu[seen] = threadCPU()
				r.drops[seen] = r.drops[seen-1]
			}
		}
		if err != nil {
			return
		}
		at, drops := parseCmsg(oob[:oobn])
		r.drops[seen] = drops
		idx := port[from.Port()]
		if n < 12 || idx < 0 || at == 0 {
			continue
		}
		f := &flows[idx]
		f.observe(binary.BigEndian.Uint16(buf[2:]), binary.BigEndian.Uint32(buf[4:]), at, w.start.Load(), w.end.Load(), &r.pool)
	}
}

func (f *flow) observe(seq uint16, ts uint32, at, ws, we int64, pool *[poolLen]uint32) {
	in := at >= ws && at <= we
	if f.have && in && f.at >= ws {
		if seq != f.seq+1 {
			f.seqGaps += int64(seq - f.seq - 1)
		} else {
			if ts != f.ts+frameSamples {
				f.tsJumps++
			}
			e := at - f.at - int64(audio.FrameDuration)
			if e < 0 {
				e = -e
			}
			f.maxErr = max(f.maxErr, e)
			f.hist[min(e/int64(flowStep), flowLen-1)]++
			pool[min(e/int64(poolStep), poolLen-1)]++
		}
	}
	if in {
		if f.n == 0 {
			f.first = at
		}
		f.last = at
		f.n++
	}
	f.have, f.seq, f.ts, f.at = true, seq, ts, at
}

// parseCmsg returns the SO_TIMESTAMPNS arrival (ns) and the SO_RXQ_OVFL
// drop counter from a datagram's control messages, without allocating.
func parseCmsg(oob []byte) (at int64, drops uint32) {
	const hdr = syscall.SizeofCmsghdr
	for len(oob) >= hdr {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			break
		}
		data := oob[hdr:l]
		switch {
		case h.Level == syscall.SOL_SOCKET && h.Type == syscall.SO_TIMESTAMPNS && len(data) >= 16:
			ts := (*syscall.Timespec)(unsafe.Pointer(&data[0]))
			at = ts.Nano()
		case h.Level == syscall.SOL_SOCKET && h.Type == syscall.SO_RXQ_OVFL && len(data) >= 4:
			drops = binary.NativeEndian.Uint32(data)
		}
		oob = oob[min(len(oob), (l+7)&^7):]
	}
	return at, drops
}

func threadCPU() time.Duration { return rusageCPU(syscall.RUSAGE_THREAD) }

func rusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scaleRun is one measurement.
type scaleRun struct {
	n, nrx            int
	rx                []*scaleRx
	flows             []flow
	port              [65536]int32
	w                 window
	sessions          []*Session
	heap, goroutines  float64 // per session
	procCPU           time.Duration
	measured          time.Duration
	stats             Stats // sums over the sessions of the counters' growth in the window
	caller            *scaleCaller
	closeMax, closeAv time.Duration
	rt                [2][]metrics.Sample // runtime metrics at both ends of the window
}

// runtimeSamples reads the GC count and the scheduling latency histogram.
func runtimeSamples() []metrics.Sample {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	return s
}

// runtimeDelta returns the GCs in the window and the p99 and maximum time
// goroutines waited to run once runnable.
func (r *scaleRun) runtimeDelta() (gcs uint64, p99, maxWait time.Duration) {
	gcs = r.rt[1][0].Value.Uint64() - r.rt[0][0].Value.Uint64()
	h0, h1 := r.rt[0][1].Value.Float64Histogram(), r.rt[1][1].Value.Float64Histogram()
	var total uint64
	counts := make([]uint64, len(h1.Counts))
	for i := range counts {
		counts[i] = h1.Counts[i] - h0.Counts[i]
		total += counts[i]
	}
	var seen uint64
	for i, c := range counts {
		if c == 0 {
			continue
		}
		seen += c
		edge := time.Duration(min(h1.Buckets[i+1], 1e3) * 1e9) // upper edge; +Inf as 1000 s
		if p99 == 0 && seen >= total*99/100 {
			p99 = edge
		}
		maxWait = edge
	}
	return gcs, p99, maxWait
}

// BenchmarkScale: see the top of the file.
func BenchmarkScale(b *testing.B) {
	for range b.N {
		r := &scaleRun{n: *scaleSessions, nrx: *scaleReceivers}
		r.run(b)
		r.report(b)
	}
}

func (r *scaleRun) run(b *testing.B) {
	for i := range r.port {
		r.port[i] = -1
	}
	r.flows = make([]flow, r.n)
	var wg sync.WaitGroup
	for range r.nrx {
		rx := newScaleRx(b)
		r.rx = append(r.rx, rx)
	}
	r.w.start.Store(math.MaxInt64)
	r.w.end.Store(math.MaxInt64)
	for _, rx := range r.rx {
		wg.Go(func() { rx.run(&r.w, &r.port, r.flows) })
	}
	heap0, g0 := heapNow(), runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.start(b, ctx)
	stopFeed := r.feed()
	if *scaleDuplex {
		r.caller = &scaleCaller{}
		stopCaller := r.caller.start(r)
		defer stopCaller()
	}
	time.Sleep(time.Second) // warm-up: every session started and talking
	r.heap = float64(heapNow()-heap0) / float64(r.n)
	r.goroutines = float64(runtime.NumGoroutine()-g0) / float64(r.n)
	r.measure()
	if r.caller != nil {
		r.caller.stop()
	}
	stopFeed()
	r.closeAll()
	for _, rx := range r.rx {
		_ = rx.conn.Close()
	}
	wg.Wait()
}

// start opens and starts the sessions, each sending to one receiver.
func (r *scaleRun) start(b *testing.B, ctx context.Context) {
	for i := range r.n {
		cfg := NewConfig(sdp.Negotiated{Codec: sdp.PCMU, DTMFPayloadType: ptDTMF, Remote: addrOf(r.rx[i%r.nrx].conn)})
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewSession(conn, cfg)
		if err != nil {
			b.Fatal(err)
		}
		r.port[s.LocalAddr().Port()] = int32(i)
		if *scaleDuplex {
			_ = s.SetSink(audio.Discard(Rate))
		}
		r.sessions = append(r.sessions, s)
	}
	for _, s := range r.sessions {
		s.Start(ctx)
	}
}

// feed keeps 100–300 ms of tone queued on every session, as TTS playout would.
func (r *scaleRun) feed() (stop func()) {
	chunk := tone(10*frameSamples, 440)
	done := make(chan struct{})
	var wg sync.WaitGroup
	top := func() {
		for _, s := range r.sessions {
			if s.Pending() < 100*time.Millisecond {
				_ = s.Enqueue(chunk)
			}
		}
	}
	top()
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				top()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// measure runs the window: counters and CPU are taken at both ends.
func (r *scaleRun) measure() {
	before := r.sumStats()
	r.rt[0] = runtimeSamples()
	cpu0, t0 := rusageCPU(syscall.RUSAGE_SELF), time.Now()
	r.w.start.Store(t0.UnixNano())
	r.w.phase.Store(1)
	time.Sleep(*scaleDuration)
	t1 := time.Now()
	r.w.end.Store(t1.UnixNano())
	r.w.phase.Store(2)
	r.procCPU, r.measured = rusageCPU(syscall.RUSAGE_SELF)-cpu0, t1.Sub(t0)
	r.rt[1] = runtimeSamples()
	after := r.sumStats()
	r.stats = Stats{
		PacketsOut: after.PacketsOut - before.PacketsOut,
		PacketsIn:  after.PacketsIn - before.PacketsIn,
		Lost:       after.Lost - before.Lost,
		Late:       after.Late - before.Late,
		SendLate:   after.SendLate - before.SendLate,
		SendErrors: after.SendErrors - before.SendErrors,
	}
	time.Sleep(50 * time.Millisecond) // let every receiver see phase 2
}

func (r *scaleRun) sumStats() Stats {
	var t Stats
	for _, s := range r.sessions {
		st := s.Stats()
		t.PacketsOut, t.PacketsIn = t.PacketsOut+st.PacketsOut, t.PacketsIn+st.PacketsIn
		t.Lost, t.Late = t.Lost+st.Lost, t.Late+st.Late
		t.SendLate, t.SendErrors = t.SendLate+st.SendLate, t.SendErrors+st.SendErrors
	}
	return t
}

func (r *scaleRun) closeAll() {
	var total time.Duration
	for _, s := range r.sessions {
		t := time.Now()
		_ = s.Close()
		d := time.Since(t)
		total += d
		r.closeMax = max(r.closeMax, d)
	}
	r.closeAv = total / time.Duration(r.n)
}

func heapNow() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// quantile returns the upper edge of the bucket holding quantile q of h.
func quantile(h []uint32, step time.Duration, q float64) time.Duration {
	var total uint64
	for _, c := range h {
		total += uint64(c)
	}
	want, seen := uint64(math.Ceil(q*float64(total))), uint64(0)
	for i, c := range h {
		if seen += uint64(c); seen >= want && seen > 0 {
			return time.Duration(i+1) * step
		}
	}
	return 0
}

// findings are the receivers' observations summed over sessions.
type findings struct {
	pool                   []uint32 // pooled gap-error histogram
	rxCPU                  time.Duration
	drops                  uint32
	recv, seqGaps, tsJumps int64
	worstMax               time.Duration
	p99s                   []time.Duration // per-session p99, sorted
	minMean, maxMean       time.Duration   // per-session mean gap
}

func (r *scaleRun) findings() findings {
	f := findings{pool: make([]uint32, poolLen), minMean: math.MaxInt64}
	for _, rx := range r.rx {
		for i, c := range rx.pool {
			f.pool[i] += c
		}
		f.rxCPU += rx.cpu[2] - rx.cpu[1]
		f.drops += rx.drops[2] - rx.drops[1]
	}
	for i := range r.flows {
		fl := &r.flows[i]
		f.recv, f.seqGaps, f.tsJumps = f.recv+fl.n, f.seqGaps+fl.seqGaps, f.tsJumps+fl.tsJumps
		f.worstMax = max(f.worstMax, time.Duration(fl.maxErr))
		f.p99s = append(f.p99s, quantile(fl.hist[:], flowStep, 0.99))
		if fl.n > 1 {
			mean := time.Duration((fl.last - fl.first) / (fl.n - 1))
			f.minMean, f.maxMean = min(f.minMean, mean), max(f.maxMean, mean)
		}
	}
	slices.Sort(f.p99s)
	return f
}

func (r *scaleRun) report(b *testing.B) {
	f := r.findings()
	expected := float64(r.n) * float64(r.measured) / float64(audio.FrameDuration)
	sessSec := float64(r.n) * r.measured.Seconds()
	p50, p99, p999 := quantile(f.pool, poolStep, 0.5), quantile(f.pool, poolStep, 0.99), quantile(f.pool, poolStep, 0.999)
	b.Logf("%d sessions, %d receivers, window %v, GOMAXPROCS %d", r.n, r.nrx, r.measured.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	b.Logf("gap error |gap-20ms| all gaps: p50 %v p99 %v p99.9 %v max %v", p50, p99, p999, f.worstMax)
	b.Logf("per-session p99 (100µs buckets): median %v, worst %v; mean gap per session %v..%v",
		f.p99s[len(f.p99s)/2], f.p99s[len(f.p99s)-1], f.minMean, f.maxMean)
	b.Logf("packets: expected %.0f, sent %d (%.4f), received %d; seq gaps %d, kernel rx drops %d, ts jumps (ticks without a frame) %d, send-late resyncs %d, send errors %d",
		expected, r.stats.PacketsOut, float64(r.stats.PacketsOut)/expected, f.recv, f.seqGaps, f.drops, f.tsJumps, r.stats.SendLate, r.stats.SendErrors)
	var callerCPU time.Duration
	if r.caller != nil {
		callerCPU = r.caller.cpu[2] - r.caller.cpu[1]
		b.Logf("duplex: caller sent %d packets to the sessions in the window; sessions received %d, lost %d, late %d",
			r.caller.sentIn, r.stats.PacketsIn, r.stats.Lost, r.stats.Late)
	}
	node := r.procCPU - f.rxCPU - callerCPU
	b.Logf("per session: %.2f goroutines, %.0f heap bytes; CPU per session-second: process %v = test receivers %v + test caller %v + node side %v; Close avg %v max %v",
		r.goroutines, r.heap, perSessSec(r.procCPU, sessSec), perSessSec(f.rxCPU, sessSec), perSessSec(callerCPU, sessSec),
		perSessSec(node, sessSec), r.closeAv, r.closeMax)
	gcs, schedP99, schedMax := r.runtimeDelta()
	b.Logf("runtime in the window: %d GCs; goroutine run-queue wait p99 %v, max %v (histogram bucket edges)", gcs, schedP99, schedMax)
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(f.worstMax.Microseconds()), "max-µs")
	b.ReportMetric(float64(r.stats.PacketsOut)/expected, "sent/expected")
	b.ReportMetric(float64(f.seqGaps+f.tsJumps), "dropped")
	b.ReportMetric(r.goroutines, "goroutines/session")
	b.ReportMetric(r.heap, "heapB/session")
	b.ReportMetric(float64(perSessSec(node, sessSec).Microseconds()), "node-cpu-µs/session-s")
}

func perSessSec(d time.Duration, sessSec float64) time.Duration {
	return time.Duration(float64(d) / sessSec)
}
