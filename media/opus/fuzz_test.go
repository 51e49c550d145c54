package opus

import (
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// FuzzDecode feeds arbitrary packets (outside input from the network) to a
// decoder: it must never panic, never return more than 120 ms, and stay
// usable for the next packet.
func FuzzDecode(f *testing.F) {
	enc, _ := NewEncoder(DefaultEncoderConfig(16000))
	pkts, _ := encodeAll(f, enc, signals[1].gen(16000, 1600))
	for _, p := range pkts {
		f.Add(p)
	}
	f.Add([]byte{0xfc, 0xff, 0xfe})       // SILK 60 ms, code 0, junk
	f.Add([]byte{0x0b, 0x83, 0x01, 0x02}) // code 3, VBR
	f.Add([]byte{0x7b})
	good := pkts[len(pkts)-1]
	f.Fuzz(func(t *testing.T, pkt []byte) {
		for _, rate := range []int{16000, 48000} {
			dec, err := NewDecoder(rate)
			if err != nil {
				t.Fatal(err)
			}
			out, err := dec.Decode(nil, pkt)
			if err == nil && len(out) > rate*MaxPacketDurationMs/1000 {
				t.Fatalf("%d samples from one packet", len(out))
			}
			if _, err := dec.Conceal(nil); err != nil {
				t.Fatalf("conceal after fuzz packet: %v", err)
			}
			if out, err = dec.Decode(out[:0], good); err != nil || len(out) != audio.SamplesPerFrame(rate) {
				t.Fatalf("good packet after fuzz packet: %v, %d samples", err, len(out))
			}
		}
	})
}
