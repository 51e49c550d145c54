package opus

import (
	"errors"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

func TestEncoderConfigValidate(t *testing.T) {
	ok := DefaultEncoderConfig(16000)
	cases := []struct {
		name string
		mod  func(*EncoderConfig)
		ok   bool
	}{
		{"default", func(*EncoderConfig) {}, true},
		{"48k music", func(c *EncoderConfig) { c.Rate, c.Application = 48000, Music }, true},
		{"rate 44100", func(c *EncoderConfig) { c.Rate = 44100 }, false},
		{"rate 0", func(c *EncoderConfig) { c.Rate = 0 }, false},
		{"bitrate low", func(c *EncoderConfig) { c.Bitrate = 5999 }, false},
		{"bitrate high", func(c *EncoderConfig) { c.Bitrate = 510001 }, false},
		{"complexity 11", func(c *EncoderConfig) { c.Complexity = 11 }, false},
		{"complexity -1", func(c *EncoderConfig) { c.Complexity = -1 }, false},
		{"loss 101", func(c *EncoderConfig) { c.PacketLossPercent = 101 }, false},
		{"application 7", func(c *EncoderConfig) { c.Application = 7 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			err := c.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			if _, err := NewEncoder(c); (err == nil) != tc.ok {
				t.Fatalf("NewEncoder() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if _, err := NewDecoder(22050); !errors.Is(err, ErrConfig) {
		t.Fatalf("NewDecoder(22050) = %v, want ErrConfig", err)
	}
}

// TestRoundTrip encodes a tone at each rate and finds it after decoding
// at the same rate.
func TestRoundTrip(t *testing.T) {
	for _, rate := range []int{8000, 16000, 24000, 48000} {
		t.Run(itoa(rate), func(t *testing.T) {
			enc, err := NewEncoder(DefaultEncoderConfig(rate))
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder(rate)
			if err != nil {
				t.Fatal(err)
			}
			in := signals[0].gen(rate, rate/2)
			pkts, _ := encodeAll(t, enc, in)
			var out audio.PCM16
			for _, p := range pkts {
				if out, err = dec.Decode(out, p); err != nil {
					t.Fatal(err)
				}
			}
			if len(out) != len(in) {
				t.Fatalf("decoded %d samples, want %d", len(out), len(in))
			}
			tail := out[len(out)/2:]
			if !audio.FindTone(tail, rate, 440) {
				t.Fatalf("440 Hz not found: ratio %.3f", audio.ToneRatio(tail, rate, 440))
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	enc, err := NewEncoder(DefaultEncoderConfig(16000))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 160, 319, 321, 640} {
		dst := []byte{1, 2}
		got, err := enc.Encode(dst, make(audio.PCM16, n))
		if !errors.Is(err, ErrFrameSize) || len(got) != 2 {
			t.Errorf("%d samples: err %v, len %d; want ErrFrameSize and dst unchanged", n, err, len(got))
		}
	}
	got, err := enc.Encode([]byte{9}, make(audio.PCM16, 320))
	if err != nil || len(got) < 2 || got[0] != 9 {
		t.Fatalf("append to dst: %v %v", got, err)
	}
}

// TestDecodeCorruptAndConceal feeds garbage between good packets: the
// garbage is refused, the decoder goes on, and Conceal fills a lost packet.
func TestDecodeCorruptAndConceal(t *testing.T) {
	enc, _ := NewEncoder(DefaultEncoderConfig(16000))
	dec, _ := NewDecoder(16000)
	pkts, _ := encodeAll(t, enc, signals[0].gen(16000, 16000/5))
	var out audio.PCM16
	var err error
	if out, err = dec.Decode(out, pkts[0]); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, {}, {0xff}, {0x03, 0xff}, make([]byte, 2000)} {
		n := len(out)
		if out, err = dec.Decode(out, bad); !errors.Is(err, ErrCorrupt) || len(out) != n {
			t.Errorf("packet %x: err %v, %d new samples; want ErrCorrupt and none", bad[:min(len(bad), 4)], err, len(out)-n)
		}
	}
	n := len(out)
	if out, err = dec.Conceal(out); err != nil || len(out)-n != 320 {
		t.Fatalf("Conceal: %v, %d samples, want 320", err, len(out)-n)
	}
	for _, p := range pkts[2:] {
		if out, err = dec.Decode(out, p); err != nil {
			t.Fatal(err)
		}
	}
	if tail := out[len(out)-1600:]; !audio.FindTone(tail, 16000, 440) {
		t.Fatalf("tone lost after garbage and concealment")
	}
}

func TestNoAllocs(t *testing.T) {
	enc, _ := NewEncoder(DefaultEncoderConfig(16000))
	dec, _ := NewDecoder(48000)
	frame := signals[1].gen(16000, 320)
	pkt := make([]byte, 0, MaxPacketBytes)
	pcm := make(audio.PCM16, 0, 48000*MaxPacketDurationMs/1000)
	if a := testing.AllocsPerRun(50, func() {
		pkt, _ = enc.Encode(pkt[:0], frame)
		pcm, _ = dec.Decode(pcm[:0], pkt)
	}); a != 0 {
		t.Fatalf("%v allocations per encode+decode, want 0", a)
	}
}
