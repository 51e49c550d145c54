package sentiment

import "slices"

// Prosody cues against the caller's baseline. Each maps a ratio or a
// difference linearly onto [0, 1] between its start and its full value.
const (
	loudStartDB  = 2.0  // louder than the baseline by this much starts to count
	loudFullDB   = 10.0 // and counts in full here (+6 dB scores 0.5)
	pitchStart   = 1.05 // pitch ratio
	pitchFull    = 1.35 // (+20% scores 0.5)
	rateStart    = 1.1  // speech-rate ratio
	rateFull     = 1.5
	spreadStart  = 1.2 // pitch-spread ratio
	spreadFull   = 2.0
	shoutFullFra = 0.3 // shouted fraction of voiced frames above the baseline's
)

// Weights of the prosody cues; their sum is capped at 1.
const (
	loudWeight   = 0.45
	pitchWeight  = 0.3
	rateWeight   = 0.15
	spreadWeight = 0.1
	shoutWeight  = 0.4
)

// ramp maps v linearly from start (0) to full (1), clamped.
func ramp(v, start, full float64) float64 {
	return min(max((v-start)/(full-start), 0), 1)
}

// prosodyScore rates how far p is from the caller's baseline, in [0, 1].
// Before any baseline exists only shouting counts.
func (t *Tracker) prosodyScore(p Prosody) float64 {
	if p.VoicedFrames < t.cfg.MinVoicedFrames {
		return 0
	}
	shout := float64(p.ShoutFrames) / float64(p.VoicedFrames)
	b, n := t.Baseline()
	if n == 0 {
		return min(1, shoutWeight*ramp(shout, 0, shoutFullFra))
	}
	s := shoutWeight * ramp(shout-t.baseShout(), 0, shoutFullFra)
	s += loudWeight * ramp(p.LevelDBFS-b.LevelDBFS, loudStartDB, loudFullDB)
	if p.PitchHz > 0 && b.PitchHz > 0 {
		s += pitchWeight * ramp(p.PitchHz/b.PitchHz, pitchStart, pitchFull)
	}
	if p.SyllablesPerSec > 0 && b.SyllablesPerSec > 0 {
		s += rateWeight * ramp(p.SyllablesPerSec/b.SyllablesPerSec, rateStart, rateFull)
	}
	if p.PitchSpreadHz > 0 && b.PitchSpreadHz > 0 {
		s += spreadWeight * ramp(p.PitchSpreadHz/b.PitchSpreadHz, spreadStart, spreadFull)
	}
	return min(s, 1)
}

// baseShout is the median shouted fraction of the baseline turns.
func (t *Tracker) baseShout() float64 {
	var v [maxBaseline]float64
	for i, p := range t.base[:t.nBase] {
		v[i] = float64(p.ShoutFrames) / float64(max(p.VoicedFrames, 1))
	}
	s := v[:t.nBase]
	slices.Sort(s)
	return s[len(s)/2]
}
