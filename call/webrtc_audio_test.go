package call

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/webrtc/webrtctest"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/spoken"
)

// Levels and voices of the WebRTC tests.
const (
	botLoudDBFS    = -40 // a bot frame above this is heard
	callerLoudDBFS = -35 // the caller's speech onset
	lineNoiseDBFS  = -60 // a headset microphone's floor
	// botSpeed is espeak-ng's rate for the bot (words a minute): faster
	// than the default 150 so that the menu's answer to key 1 takes 2.4 s
	// of every call, not 5.4 s.
	botSpeed = 300
)

// callerSpeech is espeak-ng's Cantonese text at 16 kHz inside line
// noise, as a headset microphone gives it: lead of noise, the speech with
// the noise under it, then trail of noise.
func callerSpeech(tb testing.TB, text string, lead, trail time.Duration) audio.PCM16 {
	tb.Helper()
	out, err := exec.Command("espeak-ng", "-v", "yue", "-s", "150", "--stdout", text).Output()
	if err != nil {
		tb.Fatalf("espeak-ng: %v", err)
	}
	pcm, rate, err := audio.ReadWAV(bytes.NewReader(out))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := audio.NewResampler(rate, webrtctest.Rate)
	if err != nil {
		tb.Fatal(err)
	}
	return withLineNoise(r.Flush(r.Resample(nil, pcm)), lead, trail)
}

// withLineNoise puts sig between lead and trail of line noise and adds
// the noise under it too.
func withLineNoise(sig audio.PCM16, lead, trail time.Duration) audio.PCM16 {
	n := int(lead.Seconds() * webrtctest.Rate)
	out := make(audio.PCM16, n+len(sig)+int(trail.Seconds()*webrtctest.Rate))
	audio.NewNoiseGenerator(lineNoiseDBFS, 11).Read(out)
	for i, s := range sig {
		out[n+i] = int16(max(-32768, min(32767, int32(out[n+i])+int32(s))))
	}
	return out
}

// spokenPCM is what the Session's speaker queues for text at 16 kHz:
// sentence by sentence (spoken.Split, spoken.Text), each resampled from a
// fresh filter, as speak.go does.
func spokenPCM(tb testing.TB, synth tts.Synthesizer, text string) audio.PCM16 {
	tb.Helper()
	var out audio.PCM16
	buf := make(audio.PCM16, 4096)
	for _, sentence := range spoken.Split(text, 60) {
		st, err := synth.Synthesize(context.Background(), spoken.Text(sentence, spoken.Options{}))
		if err != nil {
			tb.Fatal(err)
		}
		r, err := audio.NewResampler(st.SampleRate(), webrtctest.Rate)
		if err != nil {
			tb.Fatal(err)
		}
		for {
			k, err := st.Read(buf)
			out = r.Resample(out, buf[:k])
			if err != nil {
				break
			}
		}
		st.Close()
	}
	return out
}

// loudRun returns the first frame index at or after from that begins n
// loud frames in a row, plus two frames of margin.
func loudRun(tb testing.TB, pcm audio.PCM16, from, n int) int {
	tb.Helper()
	size := audio.SamplesPerFrame(webrtctest.Rate)
	run := 0
	for i := from; (i+1)*size <= len(pcm); i++ {
		if audio.DBFS(pcm[i*size:(i+1)*size]) <= botLoudDBFS {
			run = 0
			continue
		}
		if run++; run == n {
			return i - n + 1 + 2
		}
	}
	tb.Fatalf("the greeting has no %d loud frames in a row", n)
	return 0
}

// firstAt is the index of the first frame that arrived at or after t.
func firstAt(f []webrtctest.Frame, t time.Time) int {
	i, _ := slices.BinarySearchFunc(f, t, func(f webrtctest.Frame, t time.Time) int { return f.At.Compare(t) })
	return i
}

// waitSentLoud waits until the client has sent a loud frame after from.
func waitSentLoud(ctx context.Context, tb testing.TB, cl *webrtctest.Client, from time.Time) webrtctest.Frame {
	tb.Helper()
	for ctx.Err() == nil {
		if f, ok := webrtctest.FirstLoud(cl.Sent(), from, callerLoudDBFS); ok {
			return f
		}
		time.Sleep(10 * time.Millisecond) // sent frames have no notification; the pacer adds one per 20 ms
	}
	tb.Fatal("the caller's sound was never sent")
	return webrtctest.Frame{}
}

// waitQuiet waits until no bot audio has arrived for quiet and returns
// when the last frame arrived.
func waitQuiet(ctx context.Context, tb testing.TB, cl *webrtctest.Client, quiet time.Duration) time.Time {
	tb.Helper()
	for ctx.Err() == nil {
		f := cl.Received()
		if last := f[len(f)-1].At; time.Since(last) >= quiet {
			return last
		}
		time.Sleep(50 * time.Millisecond) // waiting for time to pass without audio
	}
	tb.Fatal("the bot never fell silent")
	return time.Time{}
}

// longestGap is the longest time between two arrivals in [from, to).
func longestGap(frames []webrtctest.Frame, from, to time.Time) time.Duration {
	var gap time.Duration
	prev := from
	for _, f := range frames {
		if f.At.Before(from) || !f.At.Before(to) {
			continue
		}
		gap = max(gap, f.At.Sub(prev))
		prev = f.At
	}
	return gap
}

// percentiles returns the nearest-rank p50, p95 and max of ds.
func percentiles(ds []time.Duration) (p50, p95, worst time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return rank(0.50), rank(0.95), s[len(s)-1]
}
