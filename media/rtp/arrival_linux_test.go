package rtp

import (
	"context"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// stampSink blocks in its first frame until release is closed and records
// when each frame's packet arrived and when the sink was called.
type stampSink struct {
	release       chan struct{}
	arrived, read chan time.Time
}

func (s *stampSink) SampleRate() int { return Rate }

func (s *stampSink) WriteSample(audio.PCM16) error { panic("WriteSample called on an ArrivalWriter") }

func (s *stampSink) WriteSampleAt(_ audio.PCM16, at time.Time) error {
	s.arrived <- at
	s.read <- time.Now()
	<-s.release
	return nil
}

// TestArrivalStampsExcludeReaderDelay: with ArrivalStamps a frame's arrival
// time is when the kernel got the packet, even when the reading goroutine
// comes to it much later (here: held 150 ms by the previous frame's sink).
func TestArrivalStampsExcludeReaderDelay(t *testing.T) {
	waitForKernelStamps(t)
	sink := &stampSink{release: make(chan struct{}), arrived: make(chan time.Time, 4), read: make(chan time.Time, 4)}
	s := newSession(t, addrOf(listen(t)), func(c *Config) { c.ArrivalStamps, c.JitterFrames = true, 1 })
	if err := s.SetSink(sink); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	peer := listen(t)
	send := func(seq uint16) time.Time {
		before := time.Now()
		if _, err := peer.WriteToUDPAddrPort(rtpPacket(t, 0, seq, uint32(seq)*160, 7, false, ulaw(tone(160, 440))), s.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		return before
	}
	send(1)
	<-sink.arrived
	<-sink.read // the reader is now held in the sink
	sent2 := send(2)
	time.Sleep(150 * time.Millisecond)
	close(sink.release)
	arrived2, read2 := <-sink.arrived, <-sink.read
	if lag := read2.Sub(sent2); lag < 150*time.Millisecond {
		t.Fatalf("the reader was not held: frame 2 read %v after it was sent", lag)
	}
	// The kernel stamps in sendto on loopback; allow for a loaded machine,
	// far below the 150 ms the reader was held.
	if d := arrived2.Sub(sent2); d < -time.Millisecond || d > 50*time.Millisecond {
		t.Errorf("frame 2 arrived %v after it was sent; want the kernel's time, not the read's (%v)", d, read2.Sub(sent2))
	}
}

// waitForKernelStamps waits until the kernel stamps datagrams on arrival.
// Linux turns stamping on for the whole stack asynchronously (a deferred
// static-key switch) when the first socket asks; until then recvmsg stamps
// packets with the time of the read.
func waitForKernelStamps(t *testing.T) {
	t.Helper()
	c := listen(t)
	if !enableStamps(c) {
		t.Fatal("SO_TIMESTAMPNS refused")
	}
	buf, oob := make([]byte, 64), make([]byte, stampOOB)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if _, err := c.WriteToUDPAddrPort([]byte("x"), addrOf(c)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // the datagram waits in the socket
		_, oobn, _, _, err := c.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			t.Fatal(err)
		}
		if at, ok := stampOf(oob[:oobn]); ok && time.Since(at) >= 5*time.Millisecond {
			return
		}
	}
	t.Fatal("the kernel never stamped a datagram on arrival")
}

// TestSentAt: with SendTimes a Session tells when the packet carrying a
// given sample left; the receiver's kernel stamps agree.
func TestSentAt(t *testing.T) {
	waitForKernelStamps(t)
	rx := listen(t)
	s := newSession(t, addrOf(rx), func(c *Config) { c.SendTimes = true })
	if _, ok := s.SentAt(1); ok {
		t.Fatal("SentAt before anything was sent")
	}
	if err := s.Enqueue(tone(5*frameSamples-40, 700)); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	_, at := readPackets(t, rx, 5, 2*time.Second)
	waitFor(t, func() bool { return s.Sent() == audio.Duration(5*frameSamples-40, Rate) })
	for _, tt := range []struct {
		sample int64
		packet int
	}{{1, 0}, {frameSamples, 0}, {frameSamples + 1, 1}, {3 * frameSamples, 2}, {5*frameSamples - 40, 4}} {
		got, ok := s.SentAt(tt.sample)
		if d := got.Sub(at[tt.packet]); !ok || d < -5*time.Millisecond || d > 5*time.Millisecond {
			t.Errorf("SentAt(%d) = %v, %v: %v from packet %d's arrival", tt.sample, got, ok, d, tt.packet)
		}
	}
	if _, ok := s.SentAt(5 * frameSamples); ok {
		t.Error("SentAt past the last sample sent")
	}
	plain := newSession(t, addrOf(rx), nil)
	if err := plain.Enqueue(tone(frameSamples, 700)); err != nil {
		t.Fatal(err)
	}
	plain.Start(context.Background())
	waitFor(t, func() bool { return plain.Sent() > 0 })
	if _, ok := plain.SentAt(1); ok {
		t.Error("SentAt without SendTimes")
	}
}
