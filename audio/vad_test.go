package audio

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// vadEvent is an event with the time at the end of the frame that caused it.
type vadEvent struct {
	ev VADEvent
	at time.Duration
}

func (e vadEvent) String() string { return fmt.Sprintf("%v@%v", e.ev, e.at) }

// runVAD feeds s in 20 ms frames and returns the events.
func runVAD(v *VAD, s PCM16, rate int) []vadEvent {
	var out []vadEvent
	n := SamplesPerFrame(rate)
	for i := 0; i+n <= len(s); i += n {
		if ev := v.Process(s[i : i+n]); ev != VADNone {
			out = append(out, vadEvent{ev, Duration(i+n, rate)})
		}
	}
	return out
}

func secs(rate int, d time.Duration) int { return int(d.Seconds() * float64(rate)) }

func TestVADSilence(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    PCM16
	}{
		{"digital silence", make(PCM16, 10*8000)},
		{"line noise at -60 dBFS", noise(10*8000, -60, 1)},
		{"line noise at -45 dBFS", noise(10*8000, -45, 2)},
	} {
		v := NewVAD(DefaultVADConfig(), 8000)
		if ev := runVAD(v, tc.s, 8000); len(ev) != 0 {
			t.Errorf("%s: events %v", tc.name, ev)
		}
	}
}

// TestVADUtterance checks start and end timing on speech-like bursts over
// -45 dBFS noise, at both telephone rates, several talkers and onsets that
// do not fall on a frame boundary.
func TestVADUtterance(t *testing.T) {
	cfg := DefaultVADConfig()
	frame := FrameDuration
	for _, rate := range []int{8000, 16000} {
		for seed := range uint64(4) {
			onset := time.Second + time.Duration(seed)*7*time.Millisecond
			length := 1500*time.Millisecond + time.Duration(seed)*500*time.Millisecond
			level := -15 - 5*float64(seed)
			t.Run(fmt.Sprintf("%dHz_talker%d_%gdBFS", rate, seed, level), func(t *testing.T) {
				s := noise(secs(rate, onset+length+2*time.Second), -45, seed)
				on := secs(rate, onset)
				mix(s[on:on+secs(rate, length)], speech(secs(rate, length), rate, level, seed))
				ev := runVAD(NewVAD(cfg, rate), s, rate)
				if len(ev) != 2 || ev[0].ev != VADSpeechStart || ev[1].ev != VADSpeechEnd {
					t.Fatalf("events %v, want one start and one end", ev)
				}
				if d := ev[0].at - onset; d < 0 || d > time.Duration(cfg.StartFrames+1)*frame {
					t.Errorf("start %v after onset, want within %d frames", d, cfg.StartFrames+1)
				}
				t.Logf("start +%v, end +%v after offset", ev[0].at-onset, ev[1].at-onset-length)
				offset := onset + length
				if d := ev[1].at - offset; d < cfg.EndSilence-frame || d > cfg.EndSilence+40*time.Millisecond {
					t.Errorf("end %v after offset, want %v (+40 ms)", d, cfg.EndSilence)
				}
			})
		}
	}
}

func TestVADIgnoresClicks(t *testing.T) {
	const rate = 8000
	s := noise(5*rate, -45, 3)
	click := mix(sine(160, rate, 1000, 0.5), noise(160, -10, 4))
	for at := rate / 2; at+320 < len(s); at += rate / 2 {
		copy(s[at:], click) // 20 ms
		if at == 2*rate {
			copy(s[at+160:], click) // one 40 ms click
		}
	}
	if ev := runVAD(NewVAD(DefaultVADConfig(), rate), s, rate); len(ev) != 0 {
		t.Errorf("clicks caused %v", ev)
	}
}

func TestVADMaxUtterance(t *testing.T) {
	const rate = 8000
	cfg := DefaultVADConfig()
	cfg.MaxUtterance = 5 * time.Second
	s := concat(noise(rate, -45, 5), mix(speech(12*rate, rate, -20, 6), noise(12*rate, -45, 7)))
	ev := runVAD(NewVAD(cfg, rate), s, rate)
	if len(ev) < 2 || ev[0].ev != VADSpeechStart || ev[1].ev != VADSpeechEnd {
		t.Fatalf("events %v", ev)
	}
	if d := ev[1].at - ev[0].at; d != cfg.MaxUtterance {
		t.Errorf("forced end %v after start, want %v", d, cfg.MaxUtterance)
	}
	for i, e := range ev {
		if want := []VADEvent{VADSpeechStart, VADSpeechEnd}[i%2]; e.ev != want {
			t.Fatalf("event %d is %v, want alternating start/end: %v", i, e.ev, ev)
		}
	}
}

func TestVADNoiseFloorAdapts(t *testing.T) {
	const rate = 8000
	t.Run("steady -35 dBFS", func(t *testing.T) {
		v := NewVAD(DefaultVADConfig(), rate)
		if ev := runVAD(v, noise(10*rate, -35, 8), rate); len(ev) != 0 {
			t.Fatalf("steady noise caused %v", ev)
		}
		if f := v.NoiseFloorDB(); math.Abs(f+35) > 2 {
			t.Errorf("noise floor %.1f dBFS, want -35 ± 2", f)
		}
		// Speech well above the new floor is still found.
		s := mix(speech(2*rate, rate, -15, 9), noise(2*rate, -35, 10))
		s = concat(s, noise(rate, -35, 11))
		if ev := runVAD(v, s, rate); len(ev) != 2 {
			t.Errorf("speech over -35 dBFS noise gave %v, want start and end", ev)
		}
	})
	t.Run("slow rise from -55 to -35 dBFS", func(t *testing.T) {
		s := noise(20*rate, -20, 12)
		for i := range s {
			gain := math.Pow(10, (-35+20*float64(i)/float64(len(s)))/20)
			s[i] = sat16(float64(s[i]) * gain)
		}
		v := NewVAD(DefaultVADConfig(), rate)
		if ev := runVAD(v, s, rate); len(ev) != 0 {
			t.Fatalf("rising noise caused %v", ev)
		}
		// The floor is a minimum over the last 2 to 2.5 s, so it lags a
		// rise of 1 dB/s by up to 2.5 dB.
		if f := v.NoiseFloorDB(); f < -39 || f > -35 {
			t.Errorf("noise floor %.1f dBFS, want -39..-35", f)
		}
	})
	t.Run("step from -60 to -35 dBFS", func(t *testing.T) {
		v := NewVAD(DefaultVADConfig(), rate)
		ev := runVAD(v, concat(noise(3*rate, -60, 13), noise(12*rate, -35, 14)), rate)
		// An energy detector cannot tell a sudden noise rise from speech;
		// it must recover once the floor window has caught up.
		window := (vadFloorBlocks + 1) * vadFloorBlock
		latest := 3*time.Second + window + DefaultVADConfig().EndSilence + 100*time.Millisecond
		if len(ev) > 2 || (len(ev) == 2 && ev[1].at > latest) {
			t.Errorf("noise step gave %v, want at most one utterance ending by %v", ev, latest)
		}
		if len(ev) == 1 {
			t.Errorf("noise step left the VAD speaking: %v", ev)
		}
	})
	t.Run("lost packets", func(t *testing.T) {
		s := noise(6*rate, -45, 15)
		for at := rate; at < len(s); at += 2 * rate {
			clear(s[at : at+160]) // one silent frame every 2 s
		}
		if ev := runVAD(NewVAD(DefaultVADConfig(), rate), s, rate); len(ev) != 0 {
			t.Errorf("silent frames in noise caused %v", ev)
		}
	})
}

func TestVADResetAndDefaults(t *testing.T) {
	const rate = 16000
	v := NewVAD(VADConfig{}, rate) // zero config takes the defaults
	if v.cfg != DefaultVADConfig() {
		t.Fatalf("zero config became %+v", v.cfg)
	}
	s := concat(noise(rate, -45, 16), speech(rate, rate, -20, 17))
	if ev := runVAD(v, s, rate); len(ev) != 1 || !v.Speaking() {
		t.Fatalf("events %v speaking %v", ev, v.Speaking())
	}
	v.Reset()
	if v.Speaking() || v.NoiseFloorDB() != SilenceDBFS {
		t.Error("Reset kept state")
	}
	if v.Process(nil) != VADNone {
		t.Error("empty frame gave an event")
	}
}

func TestVADConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*VADConfig)
		ok   bool
	}{
		{"default", func(*VADConfig) {}, true},
		{"zero", func(c *VADConfig) { *c = VADConfig{} }, true},
		{"negative threshold", func(c *VADConfig) { c.StartThresholdDB = -1 }, false},
		{"huge threshold", func(c *VADConfig) { c.StartThresholdDB = 80 }, false},
		{"positive min level", func(c *VADConfig) { c.MinLevelDBFS = 3 }, false},
		{"min level below silence", func(c *VADConfig) { c.MinLevelDBFS = -130 }, false},
		{"negative start frames", func(c *VADConfig) { c.StartFrames = -1 }, false},
		{"negative end silence", func(c *VADConfig) { c.EndSilence = -time.Second }, false},
		{"negative max", func(c *VADConfig) { c.MaxUtterance = -time.Second }, false},
		{"max below end silence", func(c *VADConfig) { c.MaxUtterance = 500 * time.Millisecond }, false},
	}
	for _, tc := range tests {
		c := DefaultVADConfig()
		tc.mod(&c)
		err := c.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrVADConfig)) {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestVADEventString(t *testing.T) {
	for ev, want := range map[VADEvent]string{VADNone: "none", VADSpeechStart: "speech-start", VADSpeechEnd: "speech-end", 7: "VADEvent(7)"} {
		if got := ev.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(ev), got, want)
		}
	}
}

func TestLevels(t *testing.T) {
	square := make(PCM16, 160)
	for i := range square {
		square[i] = 32767
		if i%2 == 1 {
			square[i] = -32768
		}
	}
	tests := []struct {
		name      string
		s         PCM16
		rms, dbfs float64
	}{
		{"empty", nil, 0, -120},
		{"silence", make(PCM16, 160), 0, -120},
		{"full-scale square", square, 32767.5, 0},
		{"half-scale sine", sine(8000, 8000, 1000, 0.5), 0.5 * 32767 / math.Sqrt2, -9.03},
		{"noise at -45", noise(80000, -45, 18), 32768 * math.Pow(10, -45.0/20), -45},
		{"one LSB", PCM16{1}, 1, -90.31},
	}
	for _, tc := range tests {
		if got := RMS(tc.s); math.Abs(got-tc.rms) > 0.01*tc.rms+0.01 {
			t.Errorf("%s: RMS = %.2f, want %.2f", tc.name, got, tc.rms)
		}
		if got := DBFS(tc.s); math.Abs(got-tc.dbfs) > 0.05 {
			t.Errorf("%s: DBFS = %.2f, want %.2f", tc.name, got, tc.dbfs)
		}
	}
}

func TestVADNoAllocs(t *testing.T) {
	v := NewVAD(DefaultVADConfig(), 8000)
	frame := speechFrame(8000)
	if n := testing.AllocsPerRun(100, func() { v.Process(frame) }); n != 0 {
		t.Errorf("Process allocates %.1f times per frame", n)
	}
}

func BenchmarkVADFrame(b *testing.B) {
	v := NewVAD(DefaultVADConfig(), 16000)
	frame := speechFrame(16000)
	b.ReportAllocs()
	for b.Loop() {
		v.Process(frame)
	}
}

// BenchmarkRxChain is the caller-side path of one 20 ms frame: G.711 µ-law
// decode, 8 -> 16 kHz resample, VAD.
func BenchmarkRxChain(b *testing.B) {
	payload := EncodeULaw(nil, speechFrame(8000))
	r := mustResampler(b, 8000, 16000)
	v := NewVAD(DefaultVADConfig(), 16000)
	pcm := make(PCM16, 0, len(payload))
	wide := make(PCM16, 0, r.MaxOutput(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		pcm = DecodeULaw(pcm[:0], payload)
		wide = r.Resample(wide[:0], pcm)
		v.Process(wide)
	}
}

// A caller who talks the moment listening starts is detected within the
// start window when the floor was tracked while nobody listened.
func TestVADTrackThenCancelKeepsFloor(t *testing.T) {
	cfg := DefaultVADConfig()
	rate := 8000
	v := NewVAD(cfg, rate)
	n := SamplesPerFrame(rate)
	quiet := noise(secs(rate, time.Second), -60, 3)
	for i := 0; i+n <= len(quiet); i += n {
		v.Track(quiet[i : i+n])
	}
	if v.Speaking() {
		t.Fatal("Track started an utterance")
	}
	v.Cancel()
	ev := runVAD(v, speech(secs(rate, 1500*time.Millisecond), rate, -30, 1), rate)
	if len(ev) == 0 || ev[0].ev != VADSpeechStart {
		t.Fatalf("events %v, want a start", ev)
	}
	if ev[0].at > time.Duration(cfg.StartFrames+1)*FrameDuration {
		t.Errorf("start at %v, want within %d frames", ev[0].at, cfg.StartFrames+1)
	}
	// Without the tracked floor the first speech frame becomes the floor.
	cold := runVAD(NewVAD(cfg, rate), speech(secs(rate, 1500*time.Millisecond), rate, -30, 1), rate)
	if len(cold) > 0 && cold[0].at <= ev[0].at {
		t.Logf("cold start also quick (%v)", cold[0].at)
	}
	v.Process(speech(n, rate, -20, 2))
	v.Cancel()
	if v.Speaking() {
		t.Error("Cancel left an utterance in progress")
	}
}

func TestVADSetEndSilence(t *testing.T) {
	rate := 8000
	for _, end := range []time.Duration{300 * time.Millisecond, 1200 * time.Millisecond} {
		v := NewVAD(DefaultVADConfig(), rate)
		v.SetEndSilence(end)
		length := time.Second
		s := concat(noise(secs(rate, time.Second), -60, 1), speech(secs(rate, length), rate, -20, 1),
			noise(secs(rate, 2*time.Second), -60, 2))
		ev := runVAD(v, s, rate)
		if len(ev) != 2 || ev[1].ev != VADSpeechEnd {
			t.Fatalf("end %v: events %v", end, ev)
		}
		if d := ev[1].at - 2*time.Second; d < end-FrameDuration || d > end+60*time.Millisecond {
			t.Errorf("end silence %v: utterance ended %v after the speech", end, d)
		}
	}
}

func TestVADVoicedAndSilence(t *testing.T) {
	rate := 8000
	v := NewVAD(DefaultVADConfig(), rate)
	n := SamplesPerFrame(rate)
	quiet := noise(secs(rate, time.Second), -60, 1)
	for i := 0; i+n <= len(quiet); i += n {
		v.Process(quiet[i : i+n])
	}
	if v.Voiced() != 0 || v.Silence() != 0 {
		t.Fatalf("voiced %v silence %v before speech", v.Voiced(), v.Silence())
	}
	burst := speech(secs(rate, 200*time.Millisecond), rate, -15, 3)
	tone := NewToneGenerator(rate, 0.2, 300)
	tone.Read(burst) // steady voiced signal: every frame counts
	for i := 0; i+n <= len(burst); i += n {
		v.Process(burst[i : i+n])
	}
	if !v.Speaking() {
		t.Fatal("no utterance after a 200 ms burst")
	}
	if got := v.Voiced(); got < 180*time.Millisecond || got > 200*time.Millisecond {
		t.Errorf("voiced %v after a 200 ms burst", got)
	}
	for i := 0; i < 5; i++ {
		v.Process(quiet[i*n : (i+1)*n])
	}
	if got := v.Silence(); got != 100*time.Millisecond {
		t.Errorf("silence %v after five quiet frames", got)
	}
}

// After a loud key tone and no frames at all (silence suppression), speech
// is still heard as speech once listening starts with AssumeQuiet.
func TestVADAssumeQuietAfterTone(t *testing.T) {
	rate := 8000
	v := NewVAD(DefaultVADConfig(), rate)
	n := SamplesPerFrame(rate)
	tone := make(PCM16, 5*n)
	NewToneGenerator(rate, 0.3, 697, 1209).Read(tone)
	for i := 0; i+n <= len(tone); i += n {
		v.Track(tone[i : i+n])
	}
	v.AssumeQuiet()
	if got := v.NoiseFloorDB(); got > DefaultVADConfig().MinLevelDBFS+1 {
		t.Fatalf("floor %.1f dBFS after AssumeQuiet", got)
	}
	voice := make(PCM16, secs(rate, 600*time.Millisecond))
	NewToneGenerator(rate, 0.05, 180, 360).Read(voice) // about -29 dBFS
	ev := runVAD(v, voice, rate)
	if len(ev) == 0 || ev[0].ev != VADSpeechStart {
		t.Fatalf("events %v: speech after the tone not detected", ev)
	}
	if got := v.Voiced(); got < 500*time.Millisecond {
		t.Errorf("voiced %v of 600 ms: speech partly taken for silence", got)
	}
}

// A quieter floor tracked before listening starts is kept.
func TestVADAssumeQuietKeepsLowerFloor(t *testing.T) {
	rate := 8000
	v := NewVAD(DefaultVADConfig(), rate)
	n := SamplesPerFrame(rate)
	quiet := noise(secs(rate, time.Second), -70, 4)
	for i := 0; i+n <= len(quiet); i += n {
		v.Track(quiet[i : i+n])
	}
	before := v.NoiseFloorDB()
	v.AssumeQuiet()
	if got := v.NoiseFloorDB(); got != before || got > -65 {
		t.Errorf("floor %.1f dBFS after AssumeQuiet, was %.1f", got, before)
	}
}
