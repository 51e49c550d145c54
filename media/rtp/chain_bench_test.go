package rtp

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// vadSink is what the call's listener does with a caller frame, minus the
// ASR stream: resample to the ASR rate (when it differs) and run the VAD.
type vadSink struct {
	r    *audio.Resampler // nil: the ASR takes 8 kHz
	v    *audio.VAD
	wide audio.PCM16
}

func (s *vadSink) SampleRate() int { return Rate }

func (s *vadSink) WriteSample(f audio.PCM16) error {
	if s.r != nil {
		s.wide = s.r.Resample(s.wide[:0], f)
		f = s.wide
	}
	s.v.Process(f)
	return nil
}

// BenchmarkReceiveToVAD is the caller's side of one 20 ms frame on the SIP
// leg, from datagram to VAD decision: RTP parse, reorder buffer, G.711
// decode, in-band DTMF detection, resampling to the ASR's rate and the VAD.
func BenchmarkReceiveToVAD(b *testing.B) {
	for _, asrRate := range []int{8000, 16000} {
		b.Run(map[int]string{8000: "asr-8k", 16000: "asr-16k"}[asrRate], func(b *testing.B) {
			h := newHarness(b, nil)
			sink := &vadSink{v: audio.NewVAD(audio.DefaultVADConfig(), asrRate)}
			if asrRate != Rate {
				r, err := audio.NewResampler(Rate, asrRate)
				if err != nil {
					b.Fatal(err)
				}
				sink.r, sink.wide = r, make(audio.PCM16, 0, r.MaxOutput(frameSamples))
			}
			h.box.Store(&sinkBox{w: sink})
			speech := make(audio.PCM16, frameSamples)
			audio.NewSpeechLikeGenerator(Rate, -20, 1).Read(speech)
			pkt := rtpPacket(b, 0, 0, 0, ssrcAudio, false, ulaw(speech))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				binary.BigEndian.PutUint16(pkt[2:], uint16(i))
				binary.BigEndian.PutUint32(pkt[4:], uint32(i)*frameSamples)
				h.r.handle(pkt, peer, h.now)
			}
		})
	}
}

// BenchmarkTTSToPacket is the bot's side of one 20 ms frame on the SIP
// leg: a synthesiser chunk at its own rate resampled to 8 kHz, queued
// (G.711 encoded into the send queue's pooled blocks), then one pacer
// tick: pop, RTP header, write to a loopback socket.
func BenchmarkTTSToPacket(b *testing.B) {
	for _, ttsRate := range []int{8000, 16000, 22050} {
		b.Run(map[int]string{8000: "tts-8k", 16000: "tts-16k", 22050: "tts-22k"}[ttsRate], func(b *testing.B) {
			cfg := DefaultConfig().withDefaults()
			enc, _, _ := codecFuncs(cfg.Codec)
			var c counters
			var remote atomic.Pointer[netip.AddrPort]
			to := addrOf(listen(b)) // nobody reads: the kernel drops what overflows
			remote.Store(&to)
			s := newSender(listen(b), cfg, enc, &c, &remote)
			var r *audio.Resampler
			chunk := make(audio.PCM16, audio.SamplesPerFrame(ttsRate))
			audio.NewSpeechLikeGenerator(ttsRate, -20, 2).Read(chunk)
			out := make(audio.PCM16, 0, 2*frameSamples)
			if ttsRate != Rate {
				var err error
				if r, err = audio.NewResampler(ttsRate, Rate); err != nil {
					b.Fatal(err)
				}
				out = make(audio.PCM16, 0, r.MaxOutput(len(chunk)))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				out = out[:0]
				if r != nil {
					out = r.Resample(out, chunk)
				} else {
					out = append(out, chunk...)
				}
				if !s.push(out) {
					b.Fatal("queue full")
				}
				s.Tick(0)
			}
			b.StopTimer()
			if c.packetsOut.Load() < uint64(b.N)/2 || c.sendErrors.Load() != 0 {
				b.Fatalf("%d packets out of %d frames, %d errors", c.packetsOut.Load(), b.N, c.sendErrors.Load())
			}
		})
	}
}
