package opus

import (
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// BenchmarkEncode16k is the per-frame cost of the bot→browser path.
func BenchmarkEncode16k(b *testing.B) {
	enc, _ := NewEncoder(DefaultEncoderConfig(16000))
	pcm := signals[1].gen(16000, 16000)
	pkt := make([]byte, 0, MaxPacketBytes)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		off := (i % 50) * 320
		pkt, _ = enc.Encode(pkt[:0], pcm[off:off+320])
		i++
	}
}

// BenchmarkDecode48k is the per-packet cost of the browser→bot path
// before resampling.
func BenchmarkDecode48k(b *testing.B) {
	enc, _ := NewEncoder(DefaultEncoderConfig(48000))
	pkts, _ := encodeAll(b, enc, signals[1].gen(48000, 48000))
	dec, _ := NewDecoder(48000)
	pcm := make(audio.PCM16, 0, 5760)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pcm, _ = dec.Decode(pcm[:0], pkts[i%len(pkts)])
		i++
	}
}
