package rtp

import (
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// ev is one telephone-event packet and the time since the previous one.
type ev struct {
	after time.Duration
	seq   uint16
	ts    uint32
	code  uint8
	end   bool
	dur   uint16
}

// pcapEvent is what /usr/share/sip-tester/dtmf_2833_N.pcap holds (read with
// tshark): SSRC 0x0E05384E, seq 7984-7991, timestamp 13280 for every digit,
// duration 0..2240 in steps of 320 every 20 ms, the E bit on the last three
// (identical) packets.
func pcapEvent(code uint8, gapBefore time.Duration) []ev {
	var out []ev
	for i := range 7 {
		after := 20 * time.Millisecond
		if i == 0 {
			after = gapBefore
		}
		out = append(out, ev{after, 7984 + uint16(i), 13280, code, false, uint16(320 * i)})
	}
	for i := range 3 {
		after := time.Duration(0)
		if i == 0 {
			after = 20 * time.Millisecond
		}
		out = append(out, ev{after, 7991, 13280, code, true, 2240})
	}
	return out
}

// phoneEvent is what a desk phone sends: start packet, updates every 50 ms,
// three end packets 20 ms apart.
func phoneEvent(seq uint16, ts uint32, code uint8, updates int) []ev {
	out := []ev{{0, seq, ts, code, false, 400}}
	for i := 1; i <= updates; i++ {
		out = append(out, ev{50 * time.Millisecond, seq + uint16(i), ts, code, false, uint16(400 + 400*i)})
	}
	end := uint16(400 + 400*updates + 80)
	for i := range 3 {
		out = append(out, ev{20 * time.Millisecond, seq + uint16(updates+1+i), ts, code, true, end})
	}
	return out
}

func join(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRFC4733(t *testing.T) {
	const gap = 400 * time.Millisecond
	tests := []struct {
		name   string
		events []ev
		want   string
	}{
		{"sipp pcap, one digit", pcapEvent(1, 0), "1"},
		{"sipp 12# (same timestamp, seq, ssrc for every digit)",
			join(pcapEvent(1, 0), pcapEvent(2, gap), pcapEvent(11, gap)), "12#"},
		{"sipp 11: byte-identical replay", join(pcapEvent(1, 0), pcapEvent(1, gap)), "11"},
		{"desk phone 5*0", join(phoneEvent(100, 8000, 5, 3), phoneEvent(110, 16000, 10, 2), phoneEvent(120, 24000, 0, 4)), "5*0"},
		{"letters A-D", join(phoneEvent(1, 100, 12, 1), phoneEvent(10, 200, 13, 1), phoneEvent(20, 300, 14, 1), phoneEvent(30, 400, 15, 1)), "ABCD"},
		{"start packets lost: end only", phoneEvent(1, 100, 7, 0)[1:], "7"},
		{"end packets lost, same digit again with a new timestamp",
			join(phoneEvent(1, 1000, 9, 3)[:4], phoneEvent(10, 5000, 9, 3)), "99"},
		{"end packet late after the next event started",
			[]ev{{0, 1, 100, 1, false, 400}, {20 * time.Millisecond, 2, 100, 1, true, 480},
				{100 * time.Millisecond, 3, 2000, 2, false, 400}, {time.Millisecond, 2, 100, 1, true, 480}}, "12"},
		{"reordered update right after the end", []ev{{0, 1, 100, 3, false, 400}, {0, 3, 100, 3, true, 880},
			{5 * time.Millisecond, 2, 100, 3, false, 800}}, "3"},
		{"long event continues with timestamp + 0xFFFF (RFC 4733 §2.5.1.3)",
			[]ev{{0, 1, 5000, 4, false, 0xFFFF}, {50 * time.Millisecond, 2, 5000 + 0xFFFF, 4, false, 400},
				{50 * time.Millisecond, 3, 5000 + 0xFFFF, 4, true, 800}}, "4"},
		{"flash (16) and tones (>16) ignored", []ev{{0, 1, 100, 16, false, 0}, {0, 2, 200, 40, true, 0}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			for _, e := range tt.events {
				h.now = h.now.Add(e.after)
				h.event(t, e.seq, e.ts, e.code, e.end, e.dur)
			}
			if got := string(h.digits); got != tt.want {
				t.Errorf("digits %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRFC4733WithAudio interleaves SIPp-style events (their own SSRC,
// sequence and timestamps, no marker bit) with the audio stream.
func TestRFC4733WithAudio(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.InbandDTMF = false })
	seq := uint16(30000)
	for _, e := range join(pcapEvent(1, 0), pcapEvent(2, 0)) {
		h.audio(t, seq, nil)
		seq++
		h.event(t, e.seq, e.ts, e.code, e.end, e.dur)
	}
	if string(h.digits) != "12" {
		t.Errorf("digits %q", string(h.digits))
	}
	if s := h.c.snapshot(); s.Lost != 0 || s.Late != 0 || s.Duplicates != 0 {
		t.Errorf("events disturbed the audio stream: %+v", s)
	}
	if short := rtpPacket(t, ptDTMF, 1, 1, 1, false, []byte{1, 2}); true {
		h.r.handle(short, peer, h.now)
		if len(h.digits) != 2 {
			t.Error("short event payload produced a digit")
		}
	}
}

// dtmfAudio returns µ-law packets of `digit` for dur, then silence for pause.
func dtmfFrames(t *testing.T, digit rune, dur, pause time.Duration) []audio.PCM16 {
	t.Helper()
	pcm, err := audio.GenerateDTMF(make(audio.PCM16, audio.SamplesPerFrame(Rate)*int(dur/audio.FrameDuration)), Rate, digit, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	pcm = append(pcm, make(audio.PCM16, audio.SamplesPerFrame(Rate)*int(pause/audio.FrameDuration))...)
	var frames []audio.PCM16
	for i := 0; i < len(pcm); i += frameSamples {
		frames = append(frames, pcm[i:i+frameSamples])
	}
	return frames
}

func TestInbandDTMF(t *testing.T) {
	tests := []struct {
		name    string
		inband  bool
		rfcAgo  time.Duration // an RFC 4733 packet this long before the tones; 0 = none
		newSSRC bool          // the audio source changes after that packet
		digits  string
		wantOut string
	}{
		{"detected", true, 0, false, "159#", "159#"},
		{"off", false, 0, false, "159#", ""},
		{"suppressed right after RFC 4733", true, 300 * time.Millisecond, false, "2", ""},
		{"still suppressed long after RFC 4733", true, 30 * time.Second, false, "2", ""},
		{"listened to again after the source changes", true, 300 * time.Millisecond, true, "2", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.InbandDTMF = tt.inband })
			if tt.rfcAgo > 0 {
				h.event(t, 1, 1, 16, true, 0) // a flash event: no digit, but proves the peer uses RFC 4733
				h.now = h.now.Add(tt.rfcAgo)
			}
			if tt.newSSRC {
				// Audio from the source that sent the event; the tones below
				// come from another SSRC.
				h.r.handle(rtpPacket(t, 0, 1, 0, 0xbeef, false, ulaw(make(audio.PCM16, frameSamples))), peer, h.now)
			}
			seq := uint16(0)
			for _, d := range tt.digits {
				for _, f := range dtmfFrames(t, d, 100*time.Millisecond, 100*time.Millisecond) {
					h.audio(t, seq, f)
					seq++
				}
			}
			if got := string(h.digits); got != tt.wantOut {
				t.Errorf("digits %q, want %q", got, tt.wantOut)
			}
		})
	}
}
