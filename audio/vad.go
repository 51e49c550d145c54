package audio

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrVADConfig reports an invalid VADConfig.
var ErrVADConfig = errors.New("audio: invalid VAD config")

// SilenceDBFS is the level DBFS reports for digital silence.
const SilenceDBFS = -120.0

// VADConfig tunes the voice-activity detector. Zero fields take the
// defaults of DefaultVADConfig.
type VADConfig struct {
	// StartThresholdDB is how far above the noise floor a frame must be to
	// count as speech. Once speech has started, frames down to half this
	// margin keep it going (hysteresis).
	StartThresholdDB float64 `yaml:"start_threshold_db"`
	// MinLevelDBFS is the absolute level below which nothing counts as
	// speech, however quiet the line.
	MinLevelDBFS float64 `yaml:"min_level_dbfs"`
	// StartFrames is how many consecutive speech frames start an utterance.
	StartFrames int `yaml:"start_frames"`
	// EndSilence is how long speech must stay away to end an utterance.
	EndSilence time.Duration `yaml:"end_silence"`
	// MaxUtterance forces an end to an utterance that lasts this long.
	MaxUtterance time.Duration `yaml:"max_utterance"`
}

// DefaultVADConfig returns settings for telephone speech in 20 ms frames.
func DefaultVADConfig() VADConfig {
	return VADConfig{
		StartThresholdDB: 10,
		MinLevelDBFS:     -50,
		StartFrames:      3,
		EndSilence:       600 * time.Millisecond,
		MaxUtterance:     15 * time.Second,
	}
}

// Validate reports the first out-of-range field. Zero fields are valid
// (they mean the default).
func (c VADConfig) Validate() error {
	switch {
	case c.StartThresholdDB < 0 || c.StartThresholdDB > 60:
		return fmt.Errorf("%w: start_threshold_db %g outside 0..60", ErrVADConfig, c.StartThresholdDB)
	case c.MinLevelDBFS > 0 || c.MinLevelDBFS < SilenceDBFS:
		return fmt.Errorf("%w: min_level_dbfs %g outside -120..0", ErrVADConfig, c.MinLevelDBFS)
	case c.StartFrames < 0 || c.StartFrames > 100:
		return fmt.Errorf("%w: start_frames %d outside 0..100", ErrVADConfig, c.StartFrames)
	case c.EndSilence < 0:
		return fmt.Errorf("%w: end_silence %v is negative", ErrVADConfig, c.EndSilence)
	case c.MaxUtterance < 0:
		return fmt.Errorf("%w: max_utterance %v is negative", ErrVADConfig, c.MaxUtterance)
	}
	d := c.withDefaults()
	if d.MaxUtterance <= d.EndSilence {
		return fmt.Errorf("%w: max_utterance %v not above end_silence %v", ErrVADConfig, d.MaxUtterance, d.EndSilence)
	}
	return nil
}

// withDefaults replaces zero and negative fields by the defaults.
func (c VADConfig) withDefaults() VADConfig {
	d := DefaultVADConfig()
	if c.StartThresholdDB > 0 {
		d.StartThresholdDB = c.StartThresholdDB
	}
	if c.MinLevelDBFS < 0 {
		d.MinLevelDBFS = c.MinLevelDBFS
	}
	if c.StartFrames > 0 {
		d.StartFrames = c.StartFrames
	}
	if c.EndSilence > 0 {
		d.EndSilence = c.EndSilence
	}
	if c.MaxUtterance > 0 {
		d.MaxUtterance = c.MaxUtterance
	}
	return d
}

// VADEvent is what one frame changed.
type VADEvent int

// VAD events.
const (
	VADNone        VADEvent = iota // nothing changed
	VADSpeechStart                 // an utterance started with this frame
	VADSpeechEnd                   // the utterance ended (silence or MaxUtterance)
)

// String returns the event's name.
func (e VADEvent) String() string {
	switch e {
	case VADNone:
		return "none"
	case VADSpeechStart:
		return "speech-start"
	case VADSpeechEnd:
		return "speech-end"
	}
	return fmt.Sprintf("VADEvent(%d)", int(e))
}

// Noise floor tracking: the floor is the minimum, over the last
// vadFloorBlocks blocks of vadFloorBlock each (2 to 2.5 s), of the frame
// power smoothed over about three frames. Speech always dips between
// syllables and words, so the minimum follows the noise; a single lost
// (silent) frame barely moves the smoothed power. A rise in the noise is
// followed within the window length, a fall at once.
const (
	vadFloorBlock  = 500 * time.Millisecond
	vadFloorBlocks = 4
	vadSmoothing   = 0.3 // weight of the new frame in the smoothed power
)

// VAD is an energy-based voice-activity detector with an adaptive noise
// floor, for telephone speech in frames of about 20 ms. It is not safe for
// concurrent use.
type VAD struct {
	cfg        VADConfig
	rate       int
	endSamples int64
	maxSamples int64
	blockLen   int64

	init     bool
	smooth   float64 // smoothed mean power, fraction of full scale
	blocks   [vadFloorBlocks]float64
	nBlocks  int
	curMin   float64 // minimum smoothed power in the current block
	blockPos int64   // samples into the current block

	speaking bool
	run      int   // consecutive speech frames while not speaking
	silence  int64 // samples since the last voiced frame while speaking
	utter    int64 // samples since the utterance started
	voiced   int64 // voiced samples in the utterance, the start window included
}

// NewVAD returns a detector for frames at rate. Zero or invalid fields of
// cfg take their defaults; call cfg.Validate first to reject them instead.
func NewVAD(cfg VADConfig, rate int) *VAD {
	cfg = cfg.withDefaults()
	rate = max(rate, 1)
	v := &VAD{
		cfg:        cfg,
		rate:       rate,
		endSamples: durSamples(cfg.EndSilence, rate),
		maxSamples: durSamples(cfg.MaxUtterance, rate),
		blockLen:   max(durSamples(vadFloorBlock, rate), 1),
	}
	v.Reset()
	return v
}

func durSamples(d time.Duration, rate int) int64 {
	return int64(d) * int64(rate) / int64(time.Second)
}

// Reset forgets the noise floor and any utterance in progress.
func (v *VAD) Reset() {
	v.init = false
	v.smooth = 0
	v.nBlocks = 0
	v.curMin = math.Inf(1)
	v.blockPos = 0
	v.speaking = false
	v.run, v.silence, v.utter = 0, 0, 0
}

// Track follows the noise floor with one frame without detecting speech,
// for audio heard while nobody listens (IVR prompts): when listening
// starts, the floor is already known and a caller who talks at once is
// not taken for line noise.
func (v *VAD) Track(frame PCM16) {
	if len(frame) > 0 {
		v.trackFloor(meanPower(frame), int64(len(frame)))
	}
}

// SetEndSilence changes how long silence must last to end the utterance
// in progress and the ones after it (turn-taking: shorter after a
// sentence-final particle, longer after a trailing conjunction). Values
// below one frame are raised to one frame.
func (v *VAD) SetEndSilence(d time.Duration) {
	v.endSamples = max(durSamples(d, v.rate), int64(SamplesPerFrame(v.rate)))
}

// Voiced is how much voiced audio the utterance in progress has had, the
// start window included; zero when nobody speaks. Barge-in waits for enough
// of it to tell talk from a backchannel.
func (v *VAD) Voiced() time.Duration {
	if !v.speaking {
		return 0
	}
	return time.Duration(v.voiced) * time.Second / time.Duration(v.rate)
}

// Silence is how long the utterance in progress has been silent since its
// last voiced frame; zero when nobody speaks.
func (v *VAD) Silence() time.Duration {
	if !v.speaking {
		return 0
	}
	return time.Duration(v.silence) * time.Second / time.Duration(v.rate)
}

// AssumeQuiet caps the noise floor at MinLevelDBFS as listening starts,
// keeping a lower floor tracked meanwhile (Track). The floor only moves
// when frames arrive, so a caller that sends nothing between a key tone
// and speech (silence suppression, Opus DTX) would otherwise leave it at
// the tone's level and have its first words taken for noise. A louder line
// raises it again within the floor window.
func (v *VAD) AssumeQuiet() {
	quiet := math.Pow(10, v.cfg.MinLevelDBFS/10)
	if v.init && v.floorPower() <= quiet {
		return
	}
	v.init, v.smooth = true, quiet
	v.nBlocks = 0
	v.curMin = v.smooth
	v.blockPos = 0
}

// Cancel abandons any utterance in progress and keeps the noise floor.
func (v *VAD) Cancel() {
	v.speaking = false
	v.run, v.silence, v.utter = 0, 0, 0
}

// Speaking reports whether an utterance is in progress.
func (v *VAD) Speaking() bool { return v.speaking }

// NoiseFloorDB returns the current noise floor estimate in dBFS.
func (v *VAD) NoiseFloorDB() float64 {
	if !v.init {
		return SilenceDBFS
	}
	return powerDB(v.floorPower())
}

// Process classifies one frame and returns the event it caused.
func (v *VAD) Process(frame PCM16) VADEvent {
	if len(frame) == 0 {
		return VADNone
	}
	p := meanPower(frame)
	v.trackFloor(p, int64(len(frame)))
	level := powerDB(p)
	floor := max(powerDB(v.floorPower()), v.cfg.MinLevelDBFS-v.cfg.StartThresholdDB)
	if !v.speaking {
		if level >= floor+v.cfg.StartThresholdDB {
			v.run++
		} else {
			v.run = 0
		}
		if v.run < v.cfg.StartFrames {
			return VADNone
		}
		v.speaking, v.silence, v.utter = true, 0, 0
		v.voiced = int64(v.run) * int64(len(frame))
		v.run = 0
		return VADSpeechStart
	}
	v.utter += int64(len(frame))
	if level >= floor+v.cfg.StartThresholdDB/2 {
		v.silence = 0
		v.voiced += int64(len(frame))
	} else {
		v.silence += int64(len(frame))
	}
	if v.silence >= v.endSamples || v.utter >= v.maxSamples {
		v.speaking, v.silence, v.utter = false, 0, 0
		return VADSpeechEnd
	}
	return VADNone
}

// trackFloor feeds one frame's power into the minimum-statistics tracker.
func (v *VAD) trackFloor(p float64, n int64) {
	if !v.init {
		v.init, v.smooth = true, p
	} else {
		v.smooth += vadSmoothing * (p - v.smooth)
	}
	v.curMin = min(v.curMin, v.smooth)
	v.blockPos += n
	if v.blockPos < v.blockLen {
		return
	}
	copy(v.blocks[1:], v.blocks[:vadFloorBlocks-1])
	v.blocks[0] = v.curMin
	v.nBlocks = min(v.nBlocks+1, vadFloorBlocks)
	v.curMin = v.smooth
	v.blockPos = 0
}

// floorPower returns the minimum smoothed power over the window.
func (v *VAD) floorPower() float64 {
	m := v.curMin
	for _, b := range v.blocks[:v.nBlocks] {
		m = min(m, b)
	}
	return m
}

// powerDB converts a power (fraction of full scale) to dB, SilenceDBFS at 0.
func powerDB(p float64) float64 {
	if p <= 1e-12 {
		return SilenceDBFS
	}
	return max(10*math.Log10(p), SilenceDBFS)
}

// RMS returns the root mean square of s in sample units (0 to 32768).
func RMS(s PCM16) float64 {
	return math.Sqrt(meanPower(s)) * 32768
}

// DBFS returns the RMS level of s in dB relative to full scale (32768),
// SilenceDBFS (-120) for silence or an empty slice.
func DBFS(s PCM16) float64 { return powerDB(meanPower(s)) }
