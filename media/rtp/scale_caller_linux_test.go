package rtp

import (
	"encoding/binary"
	"flag"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

var scaleDuplex = flag.Bool("scale.duplex", false,
	"BenchmarkScale: also send every session 50 packets/s of caller audio, which it decodes, as on a real node")

// scaleCaller plays the far end of every call in duplex mode: one 20 ms
// µ-law packet to every session per period, sent from the socket the
// session sends to (so that symmetric RTP latches onto that same socket).
// Callers are spread over callerSlots phases of the period, as independent
// peers would be. It runs on a locked thread so its CPU can be subtracted from the node's.
const callerSlots = 20 // one every millisecond

type scaleCaller struct {
	cpu    [3]time.Duration // thread CPU at each window phase
	sentIn uint64           // packets sent inside the window
	quit   chan struct{}
	wg     sync.WaitGroup
}

func (c *scaleCaller) start(r *scaleRun) (stop func()) {
	c.quit = make(chan struct{})
	to := make([]netip.AddrPort, r.n)
	for i, s := range r.sessions {
		to[i] = s.LocalAddr()
	}
	c.wg.Go(func() { c.run(r, to) })
	return c.stop
}

func (c *scaleCaller) stop() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	c.wg.Wait()
}

func (c *scaleCaller) run(r *scaleRun, to []netip.AddrPort) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pkt := make([]byte, 12+frameSamples)
	pkt[0], pkt[1] = 0x80, 0 // RTP v2, PCMU
	audio.EncodeULaw(pkt[:12], tone(frameSamples, 300))
	seq := make([]uint16, r.n)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	seen := int32(0)
	c.cpu[0] = threadCPU()
	t0 := time.Now()
	for k := 1; ; k++ { // slot k of callerSlots per 20 ms period
		timer.Reset(time.Until(t0.Add(time.Duration(k) * audio.FrameDuration / callerSlots)))
		select {
		case <-c.quit:
			for seen < 2 {
				seen++
				c.cpu[seen] = threadCPU()
			}
			return
		case <-timer.C:
		}
		for ph := r.w.phase.Load(); seen < ph; {
			seen++
			c.cpu[seen] = threadCPU()
		}
		ts := uint32(k/callerSlots) * frameSamples
		for i := k % callerSlots; i < len(to); i += callerSlots {
			binary.BigEndian.PutUint16(pkt[2:], seq[i])
			binary.BigEndian.PutUint32(pkt[4:], ts)
			binary.BigEndian.PutUint32(pkt[8:], uint32(i))
			if _, err := r.rx[i%r.nrx].conn.WriteToUDPAddrPort(pkt, to[i]); err == nil && seen == 1 {
				c.sentIn++
			}
			seq[i]++
		}
	}
}
