package rtp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/sdp"
)

// TestMain fails the package if a test leaves a Session goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if g := leaked(2 * time.Second); g != "" {
			println("leaked goroutines:\n" + g)
			code = 1
		}
	}
	os.Exit(code)
}

// leaked returns the stacks of goroutines still running package code.
func leaked(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var bad []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "media/rtp.(*Session)") || strings.Contains(g, "media/rtp.(*shard).run") {
				bad = append(bad, g)
			}
		}
		if len(bad) == 0 || time.Now().After(deadline) {
			return strings.Join(bad, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLoopbackTone(t *testing.T) {
	for _, codec := range []sdp.Codec{sdp.PCMU, sdp.PCMA} {
		t.Run(codec.Name, func(t *testing.T) {
			setCodec := func(c *Config) { c.Codec = codec }
			a := newSession(t, netip.AddrPort{}, setCodec)
			b := newSession(t, a.LocalAddr(), setCodec)
			a.SetRemote(b.LocalAddr())
			got := newCollector()
			if err := b.SetSink(got); err != nil {
				t.Fatal(err)
			}
			a.Start(context.Background())
			b.Start(context.Background())
			if err := a.Enqueue(tone(Rate/2, 1000)); err != nil { // 500 ms
				t.Fatal(err)
			}
			frames := got.wait(t, 25, 3*time.Second)
			pcm := concat(frames[2:23])
			on, off := audio.Goertzel(pcm, Rate, 1000), audio.Goertzel(pcm, Rate, 1700)
			if on < 0.04 || off > on/1000 {
				t.Errorf("1 kHz %.4g, 1.7 kHz %.4g", on, off)
			}
			if s := b.Stats(); s.Lost != 0 || s.Garbage != 0 || s.PacketsIn < 25 {
				t.Errorf("receiver stats %+v", s)
			}
			if b.Remote() != a.LocalAddr() {
				t.Errorf("b did not latch to a: %v", b.Remote())
			}
		})
	}
}

// TestSocketGarbageAndSIPpDTMF sends, over real sockets, what SIPp sends
// (audio from one port, pcap DTMF from another with its own SSRC) mixed with
// garbage, and expects the audio to continue and three digits.
func TestSocketGarbageAndSIPpDTMF(t *testing.T) {
	audioSrc, dtmfSrc := listen(t), listen(t)
	s := newSession(t, addrOf(audioSrc), func(c *Config) { c.InbandDTMF = false })
	got := newCollector()
	_ = s.SetSink(got)
	s.Start(context.Background())
	to := s.LocalAddr()
	send := func(c interface {
		WriteToUDPAddrPort([]byte, netip.AddrPort) (int, error)
	}, b []byte) {
		if _, err := c.WriteToUDPAddrPort(b, to); err != nil {
			t.Fatal(err)
		}
	}
	garbage := [][]byte{{1, 2, 3}, []byte(strings.Repeat("\x40junk", 40)), rtpPacket(t, 9, 1, 1, 1, false, make([]byte, 160))}
	seq := uint16(0xFFF0) // wraps during the test
	for i, code := range []uint8{1, 2, 11} {
		send(audioSrc, rtpPacket(t, 0, seq, uint32(seq)*160, ssrcAudio, i == 0, make([]byte, 160)))
		seq++
		send(audioSrc, garbage[i])
		for _, e := range pcapEvent(code, 0) {
			send(dtmfSrc, rtpPacket(t, ptDTMF, e.seq, e.ts, ssrcPcap, e.seq == 7984, eventPayload(e.code, e.end, e.dur)))
		}
	}
	var digits []rune
	for len(digits) < 3 {
		select {
		case d := <-s.DTMF():
			digits = append(digits, d)
		case <-time.After(2 * time.Second):
			t.Fatalf("digits %q", string(digits))
		}
	}
	if string(digits) != "12#" {
		t.Errorf("digits %q, want 12#", string(digits))
	}
	got.wait(t, 3, time.Second)
	st := s.Stats()
	if st.Garbage != 2 || st.UnknownPT != 1 || st.Lost != 0 || st.DTMFDigits != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestSymmetricLatching(t *testing.T) {
	natted := listen(t) // the peer's real address, unlike its SDP
	s := newSession(t, netip.MustParseAddrPort("127.0.0.1:9"), nil)
	s.Start(context.Background())
	if _, err := natted.WriteToUDPAddrPort(rtpPacket(t, 0, 1, 0, 1, false, make([]byte, 160)), s.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.Remote() != addrOf(natted) {
		if time.Now().After(deadline) {
			t.Fatalf("remote %v, want %v", s.Remote(), addrOf(natted))
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = s.Enqueue(tone(frameSamples, 300))
	pkts, _ := readPackets(t, natted, 1, 2*time.Second)
	if pkts[0].PayloadType != 0 || len(pkts[0].Payload) != frameSamples {
		t.Errorf("packet %v", pkts[0].Header)
	}
}

// TestPacing measures, on the receiving socket, the spacing of 100 frames.
// The timing can only be judged on an unloaded machine: an attempt spoiled
// by a scheduler stall (which the pacer reports as SendLate) is retried,
// up to three attempts in all. A broken pacer fails all three.
func TestPacing(t *testing.T) {
	var problem string
	for attempt := 1; attempt <= 3; attempt++ {
		if problem = pacingRun(t); problem == "" {
			return
		}
		t.Logf("attempt %d: %s", attempt, problem)
	}
	t.Error(problem)
}

// pacingRun sends 100 frames (the last one partial) and returns what was
// wrong with their timing, or "".
func pacingRun(t *testing.T) string {
	rx := listen(t)
	s := newSession(t, addrOf(rx), nil)
	defer s.Close()
	if err := s.Enqueue(tone(100*frameSamples-40, 700)); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	pkts, at := readPackets(t, rx, 100, 5*time.Second)
	if !pkts[0].Marker {
		t.Error("first packet of the talkspurt has no marker bit")
	}
	if len(pkts[99].Payload) != frameSamples {
		t.Errorf("last payload %d bytes, want a padded full frame", len(pkts[99].Payload))
	} else if pad := pkts[99].Payload[frameSamples-40:]; !slices.Equal(pad, ulaw(make(audio.PCM16, 40))) {
		t.Errorf("last frame padded with %x, want µ-law silence", pad)
	}
	waitFor(t, func() bool { return s.Sent() == audio.Duration(100*frameSamples-40, Rate) })
	if st := s.Stats(); st.PacketsOut != 100 || st.SendLate != 0 {
		return fmt.Sprintf("stats %+v", st)
	}
	var maxGap time.Duration
	for i := 1; i < len(at); i++ {
		maxGap = max(maxGap, at[i].Sub(at[i-1]))
		p, q := pkts[i-1], pkts[i]
		if q.SequenceNumber != p.SequenceNumber+1 || q.Timestamp != p.Timestamp+160 || q.SSRC != p.SSRC || q.Marker {
			t.Fatalf("packet %d: %v after %v", i, q.Header, p.Header) // not a timing problem
		}
	}
	mean := at[99].Sub(at[0]) / 99
	t.Logf("mean gap %v, max gap %v", mean, maxGap)
	if math.Abs(float64(mean-audio.FrameDuration)) > float64(time.Millisecond) || maxGap > 40*time.Millisecond {
		return fmt.Sprintf("mean gap %v (want 20ms ± 1ms), max gap %v (want <= 40ms)", mean, maxGap)
	}
	return ""
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFlush(t *testing.T) {
	rx := listen(t)
	s := newSession(t, addrOf(rx), nil)
	if err := s.Enqueue(tone(5*Rate, 400)); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	readPackets(t, rx, 5, 2*time.Second)
	dropped := s.Flush()
	sentAtFlush := s.Sent()
	if dropped < 4*time.Second || dropped > 5*time.Second-100*time.Millisecond {
		t.Errorf("dropped %v", dropped)
	}
	if s.Pending() != 0 {
		t.Errorf("pending %v after Flush", s.Pending())
	}
	time.Sleep(100 * time.Millisecond) // five frame slots: Sent must stay put
	if grew := s.Sent() - sentAtFlush; grew > audio.FrameDuration {
		t.Errorf("Sent grew by %v after Flush", grew)
	}
	// The next utterance starts a talkspurt.
	_ = rx.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	for { // drain whatever was in flight
		if _, _, err := rx.ReadFromUDPAddrPort(make([]byte, 1500)); err != nil {
			break
		}
	}
	_ = s.Enqueue(tone(frameSamples, 400))
	pkts, _ := readPackets(t, rx, 1, time.Second)
	if !pkts[0].Marker {
		t.Error("no marker bit after Flush")
	}
}

func TestPauseHoldsAudioAndResumes(t *testing.T) {
	rx := listen(t)
	s := newSession(t, addrOf(rx), nil)
	if err := s.Enqueue(tone(Rate, 400)); err != nil { // 1 s
		t.Fatal(err)
	}
	s.Start(context.Background())
	readPackets(t, rx, 5, 2*time.Second)
	s.Pause(true)
	pendingAtPause := s.Pending()
	sentAtPause := s.Sent()
	time.Sleep(100 * time.Millisecond) // five frame slots
	if grew := s.Sent() - sentAtPause; grew > audio.FrameDuration {
		t.Errorf("Sent grew by %v while paused", grew)
	}
	if lost := pendingAtPause - s.Pending(); lost > audio.FrameDuration {
		t.Errorf("paused queue shrank by %v", lost)
	}
	_ = rx.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	for { // drain what was in flight before the pause
		if _, _, err := rx.ReadFromUDPAddrPort(make([]byte, 1500)); err != nil {
			break
		}
	}
	s.Pause(false)
	pkts, _ := readPackets(t, rx, 1, time.Second)
	if !pkts[0].Marker {
		t.Error("no marker bit on the first packet after a pause")
	}
	waitFor(t, func() bool { return s.Pending() == 0 })
	if total := s.Sent(); total < time.Second-audio.FrameDuration {
		t.Errorf("sent %v of 1s after resuming; audio was lost across the pause", total)
	}
}

func TestQueueFull(t *testing.T) {
	s := newSession(t, netip.AddrPort{}, func(c *Config) { c.SendQueue = 100 * time.Millisecond })
	if err := s.Enqueue(nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(make(audio.PCM16, 640)); err != nil { // 80 ms
		t.Fatal(err)
	}
	if err := s.Enqueue(make(audio.PCM16, 320)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("err %v, want ErrQueueFull", err)
	}
	if s.Pending() != 80*time.Millisecond || s.Stats().QueueFull != 1 {
		t.Errorf("pending %v, stats %+v", s.Pending(), s.Stats())
	}
}

func TestJitterTimerFlush(t *testing.T) {
	src := listen(t)
	s := newSession(t, addrOf(src), nil)
	got := newCollector()
	_ = s.SetSink(got)
	s.Start(context.Background())
	for _, seq := range []uint16{1, 3} { // 2 never comes, nor anything after 3
		_, _ = src.WriteToUDPAddrPort(rtpPacket(t, 0, seq, uint32(seq)*160, 1, false, make([]byte, 160)), s.LocalAddr())
	}
	got.wait(t, 3, time.Second) // 1, silence for 2, 3: the read deadline flushed the buffer
	if st := s.Stats(); st.Lost != 1 || st.Concealed != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSetSink(t *testing.T) {
	s := newSession(t, netip.AddrPort{}, nil)
	if err := s.SetSink(audio.Discard(16000)); !errors.Is(err, ErrSinkRate) {
		t.Errorf("16 kHz sink: %v", err)
	}
	if err := s.SetSink(audio.Discard(Rate)); err != nil {
		t.Error(err)
	}
	if err := s.SetSink(nil); err != nil {
		t.Error(err)
	}
}

func TestNewSessionErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   error
	}{
		{"g722", func(c *Config) { c.Codec = sdp.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000} }, ErrUnsupportedCodec},
		{"no codec", func(c *Config) { c.Codec = sdp.Codec{} }, ErrUnsupportedCodec},
		{"dtmf pt = audio pt", func(c *Config) { c.DTMFPayloadType = 0; c.Codec = sdp.PCMA; c.DTMFPayloadType = 8 }, ErrInvalidConfig},
		{"jitter too big", func(c *Config) { c.JitterFrames = 500 }, ErrInvalidConfig},
		{"negative queue", func(c *Config) { c.SendQueue = -1 }, ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mutate(&cfg)
			if _, err := NewSession(listen(t), cfg); !errors.Is(err, tt.want) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := NewSession(nil, DefaultConfig()); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("nil conn: %v", err)
	}
}

func TestCloseLifecycle(t *testing.T) {
	t.Run("close after start", func(t *testing.T) {
		s := newSession(t, netip.MustParseAddrPort("127.0.0.1:9"), nil)
		s.Start(context.Background())
		_ = s.Enqueue(tone(Rate, 300))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if g := leaked(time.Second); g != "" {
			t.Fatalf("goroutines left:\n%s", g)
		}
		if _, ok := <-s.DTMF(); ok {
			t.Error("DTMF channel not closed")
		}
		if err := s.Enqueue(tone(10, 300)); !errors.Is(err, ErrClosed) {
			t.Errorf("Enqueue after Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		s.Start(context.Background()) // no-op
		if g := leaked(0); g != "" {
			t.Fatalf("Start after Close started goroutines:\n%s", g)
		}
	})
	t.Run("context cancel", func(t *testing.T) {
		s := newSession(t, netip.AddrPort{}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		s.Start(ctx)
		cancel()
		if g := leaked(time.Second); g != "" {
			t.Fatalf("goroutines left after cancel:\n%s", g)
		}
	})
	t.Run("close without start", func(t *testing.T) {
		s := newSession(t, netip.AddrPort{}, nil)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
