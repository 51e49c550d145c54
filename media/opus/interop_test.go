package opus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/yuecall/yuecall/audio"
)

// Interop with libopus through Debian's opus-tools (CI installs them).
//
// Bit-exactness is checked through the range coder's final state
// (RFC 6716 §4.1): opusdec --save-range prints it for every packet. The
// encoder and any conformant decoder end each packet in the same state, so
// equal ranges mean libopus read exactly the bits our encoder meant, and
// that our decoder read exactly the bits libopus's encoder meant. At
// 48 kHz our decoder's PCM is also compared sample by sample with opusdec's.

var bandEdges = []float64{100, 500, 1000, 2000, 4000, 7000}

// TestInteropEncoderToOpusdec encodes with our Encoder, muxes to Ogg Opus
// with the test muxer and decodes with opusdec.
func TestInteropEncoderToOpusdec(t *testing.T) {
	cases := []struct {
		sig  signal
		rate int
	}{
		{signals[0], 16000},
		{signals[1], 16000},
		{signals[1], 48000},
	}
	for _, tc := range cases {
		t.Run(tc.sig.name+"/"+itoa(tc.rate), func(t *testing.T) {
			dir := t.TempDir()
			in := tc.sig.gen(tc.rate, 2*tc.rate)
			enc, err := NewEncoder(DefaultEncoderConfig(tc.rate))
			if err != nil {
				t.Fatal(err)
			}
			// One frame of silence flushes the encoder's lookahead.
			pkts, rngs := encodeAll(t, enc, append(in, make(audio.PCM16, enc.FrameSamples())...))
			var ogg bytes.Buffer
			if err := writeOggOpus(&ogg, pkts, enc.Lookahead(), tc.rate, len(in)*48000/tc.rate); err != nil {
				t.Fatal(err)
			}
			opusFile, wavFile, rngFile := filepath.Join(dir, "in.opus"), filepath.Join(dir, "out.wav"), filepath.Join(dir, "rng.txt")
			if err := os.WriteFile(opusFile, ogg.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, "opusdec", "--quiet", "--no-dither", "--rate", itoa(tc.rate), "--save-range", rngFile, opusFile, wavFile)
			checkRanges(t, "opusdec", readRanges(t, rngFile), rngs)
			got, rate := readWAVFile(t, wavFile)
			if rate != tc.rate || len(got) != len(in) {
				t.Fatalf("opusdec gave %d samples at %d Hz, want %d at %d (pre-skip and end trim)", len(got), rate, len(in), tc.rate)
			}
			compare(t, tc.sig.name, in, got, tc.rate)
		})
	}
}

// TestInteropOpusencToDecoder encodes a WAV with opusenc, demuxes the Ogg
// packets with the test demuxer and decodes them with our Decoder at
// 48 kHz, then brings the result to 16 kHz with audio.Resampler as the
// WebRTC leg does.
func TestInteropOpusencToDecoder(t *testing.T) {
	const rate = 16000
	cases := []struct {
		name string
		sig  signal
		args []string
	}{
		{"tone-32k", signals[0], []string{"--bitrate", "32"}},
		{"speech-32k-hybrid", signals[1], []string{"--bitrate", "32", "--speech"}},
		{"speech-12k-silk-fec", signals[1], []string{"--bitrate", "12", "--speech", "--expect-loss", "10"}},
		{"speech-60ms", signals[1], []string{"--bitrate", "24", "--framesize", "60"}},
		{"speech-10ms", signals[1], []string{"--bitrate", "48", "--framesize", "10"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := tc.sig.gen(rate, 2*rate)
			wavIn, opusFile := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.opus")
			refWAV, rngFile := filepath.Join(dir, "ref.wav"), filepath.Join(dir, "rng.txt")
			writeWAVFile(t, wavIn, in, rate)
			run(t, "opusenc", append(append([]string{"--quiet"}, tc.args...), wavIn, opusFile)...)
			run(t, "opusdec", "--quiet", "--no-dither", "--rate", "48000", "--save-range", rngFile, opusFile, refWAV)
			raw, err := os.ReadFile(opusFile)
			if err != nil {
				t.Fatal(err)
			}
			stream, err := readOggOpus(raw)
			if err != nil {
				t.Fatal(err)
			}
			got48, rngs := decodeAll(t, stream.packets, 48000)
			checkRanges(t, "our decoder", rngs, readRanges(t, rngFile))
			got48 = got48[stream.preSkip:]
			ref, _ := readWAVFile(t, refWAV)
			if len(got48) < len(ref) {
				t.Fatalf("decoded %d samples, opusdec %d", len(got48), len(ref))
			}
			if snr := snrDB(ref, got48[:len(ref)]); snr < 60 {
				t.Errorf("our 48 kHz decode differs from opusdec's: SNR %.1f dB, want >= 60", snr)
			} else {
				t.Logf("our 48 kHz decode vs opusdec's over %d samples: SNR %.1f dB", len(ref), snr)
			}
			compare(t, tc.sig.name, in, downsample(t, got48, rate)[:len(in)], rate)
		})
	}
}

// decodeAll decodes packets at rate and returns the PCM and the final
// range after each packet.
func decodeAll(t *testing.T, packets [][]byte, rate int) (audio.PCM16, []uint32) {
	t.Helper()
	dec, err := NewDecoder(rate)
	if err != nil {
		t.Fatal(err)
	}
	var pcm audio.PCM16
	var rngs []uint32
	for i, p := range packets {
		if pcm, err = dec.Decode(pcm, p); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		rngs = append(rngs, dec.FinalRange())
	}
	return pcm, rngs
}

// downsample converts 48 kHz PCM to rate and removes the filter delay.
func downsample(t *testing.T, pcm audio.PCM16, rate int) audio.PCM16 {
	t.Helper()
	r, err := audio.NewResampler(48000, rate)
	if err != nil {
		t.Fatal(err)
	}
	out := r.Flush(r.Resample(nil, pcm))
	skip := int(r.Delay().Seconds()*float64(rate) + 0.5)
	return out[skip:]
}

// checkRanges asserts equal per-packet final ranges.
func checkRanges(t *testing.T, who string, got, want []uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d packet ranges, want %d", who, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: packet %d final range %d, want %d (bitstream mismatch)", who, i, got[i], want[i])
		}
	}
	t.Logf("%s: all %d packet final ranges match", who, len(want))
}

// compare checks that got (decoded) carries in (the original): aligned
// within 1 ms (speech only: a pure tone correlates at every period), same level within 1 dB for the tone or 1.5 dB for speech,
// the tone found by Goertzel, and each speech band within 3 dB.
func compare(t *testing.T, name string, in, got audio.PCM16, rate int) {
	t.Helper()
	l := 0
	if name != "tone440" {
		l = lag(in, got, rate/200)
	}
	if abs(l) > rate/1000 {
		t.Errorf("decoded audio is shifted %d samples (pre-skip wrong?)", l)
	}
	start, end := rate/10, len(in)-rate/100 // skip the codec's start-up transient
	a, b := in[start:end], got[start+l:end+l]
	dIn, dGot := audio.DBFS(a), audio.DBFS(b)
	t.Logf("%s: level in %.1f dBFS, out %.1f dBFS, waveform SNR %.1f dB", name, dIn, dGot, snrDB(a, b))
	if name == "tone440" {
		if !audio.FindTone(b, rate, 440) || dGot-dIn > 1 || dIn-dGot > 1 {
			t.Errorf("tone: ratio %.3f, level %.1f dB vs %.1f dB", audio.ToneRatio(b, rate, 440), dGot, dIn)
		}
		return
	}
	if dGot-dIn > 1.5 || dIn-dGot > 1.5 {
		t.Errorf("speech level %.1f dBFS, want %.1f ± 1.5", dGot, dIn)
	}
	bi, bo := bandsDB(a, rate, bandEdges), bandsDB(b, rate, bandEdges)
	for i := range bi {
		if d := bo[i] - bi[i]; d > 3 || d < -3 {
			t.Errorf("band %g-%g Hz: %.1f dB, want %.1f ± 3", bandEdges[i], bandEdges[i+1], bo[i], bi[i])
		}
	}
	t.Logf("%s: band powers in %.1f dB, out %.1f dB", name, bi, bo)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
