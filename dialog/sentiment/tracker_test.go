package sentiment

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// Turns with known text scores under the default lexicon.
const (
	angryText = "有冇搞錯，叫你哋經理出嚟" // well above Threshold
	midText   = "等咗好耐"         // between Release and Threshold
	calmText  = "好，唔該"         // 0
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for name, mut := range map[string]func(*Config){
		"threshold 0":         func(c *Config) { c.Threshold = 0 },
		"threshold above 1":   func(c *Config) { c.Threshold = 1.5 },
		"release ≥ threshold": func(c *Config) { c.Release = 0.6 },
		"release negative":    func(c *Config) { c.Release = -0.1 },
		"rearm 0":             func(c *Config) { c.RearmTurns = 0 },
		"cooldown 0":          func(c *Config) { c.Cooldown = 0 },
		"baseline 0":          func(c *Config) { c.BaselineTurns = 0 },
		"baseline too many":   func(c *Config) { c.BaselineTurns = 21 },
		"calm text":           func(c *Config) { c.CalmText = 2 },
		"voiced frames":       func(c *Config) { c.MinVoicedFrames = 0 },
		"prosody weight":      func(c *Config) { c.ProsodyWeight = -1 },
		"prosody alone":       func(c *Config) { c.ProsodyAlone = 0.6 },
		"repeat boost":        func(c *Config) { c.RepeatBoost = 1.1 },
		"repeat window":       func(c *Config) { c.RepeatWindow = 11 },
		"NaN threshold":       func(c *Config) { c.Threshold = math.NaN() },
	} {
		c := DefaultConfig()
		mut(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Validate() = %v, want ErrConfig", name, err)
		}
	}
	// An invalid config falls back to the defaults.
	if tr := NewTracker(Config{}); tr.cfg != DefaultConfig() {
		t.Errorf("NewTracker(zero) config %+v", tr.cfg)
	}
}

// alertsOf feeds texts (neutral prosody) and returns the turns that alerted
// and the turns that were angry.
func alertsOf(cfg Config, texts ...string) (alerts, angry []int) {
	tr := NewTracker(cfg)
	for i, s := range texts {
		r := tr.Observe(s, Prosody{})
		if r.Alert {
			alerts = append(alerts, i)
		}
		if r.Anger {
			angry = append(angry, i)
		}
	}
	return alerts, angry
}

func rep(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestHysteresis(t *testing.T) {
	quick := DefaultConfig()
	quick.Cooldown = 1
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	a, m, c := []string{angryText}, []string{midText}, []string{calmText}
	for _, tc := range []struct {
		name  string
		cfg   Config
		turns []string
		want  []int
	}{
		{"a run of angry turns alerts once", quick, rep(angryText, 6), []int{0}},
		{"calm openers then anger", quick, cat(c, c, a, a), []int{2}},
		{"one calm turn does not re-arm", quick, cat(a, c, a), []int{0}},
		{"two calm turns re-arm", quick, cat(a, c, c, a), []int{0, 3}},
		{"middling turns do not re-arm", quick, cat(a, m, m, m, a), []int{0}},
		{"re-armed but within cooldown", DefaultConfig(), cat(a, c, c, a, a, a, a, a, a), []int{0, 8}},
		{"cooldown passed", DefaultConfig(), cat(a, c, c, c, c, c, c, c, c, a), []int{0, 9}},
		{"never angry", quick, cat(m, c, m, c, m), nil},
	} {
		got, _ := alertsOf(tc.cfg, tc.turns...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: alerts at %v, want %v", tc.name, got, tc.want)
		}
	}
}

// calm returns a calm turn's prosody for a caller at level dBFS and pitch
// Hz.
func calm(level, pitch float64) Prosody {
	return Prosody{LevelDBFS: level, PitchHz: pitch, PitchSpreadHz: 20, SyllablesPerSec: 5, VoicedFrames: 80}
}

// heated is the same caller 9 dB louder, 30% higher, faster, a third of
// the frames shouted.
func heated(level, pitch float64) Prosody {
	return Prosody{LevelDBFS: level + 9, PitchHz: pitch * 1.3, PitchSpreadHz: 35, SyllablesPerSec: 6.5,
		VoicedFrames: 80, ShoutFrames: 25}
}

func TestBaseline(t *testing.T) {
	tr := NewTracker(DefaultConfig())
	tr.Observe("你好，我想查下結餘", calm(-26, 140))
	tr.Observe(angryText, heated(-26, 140))                    // angry words: not learnt
	tr.Observe("好呀", Prosody{LevelDBFS: -10, VoicedFrames: 3}) // too short: not learnt
	tr.Observe("我張卡號碼係", calm(-20, 180))                       // an outlier among three
	tr.Observe("係呀，冇錯", calm(-25, 150))
	tr.Observe("仲有一樣嘢", calm(0, 400)) // baseline already full
	b, n := tr.Baseline()
	if n != 3 || b.LevelDBFS != -25 || b.PitchHz != 150 || b.SyllablesPerSec != 5 {
		t.Errorf("baseline %+v from %d turns, want medians -25 dBFS, 150 Hz, 5 syl/s of 3", b, n)
	}
}

// learnt returns a tracker that has learnt a caller at level and pitch.
func learnt(level, pitch float64) *Tracker {
	tr := NewTracker(DefaultConfig())
	for _, s := range []string{"你好，我想查下我張卡", "係呀", "我想問下年費"} {
		tr.Observe(s, calm(level, pitch))
	}
	return tr
}

func TestProsodyFusion(t *testing.T) {
	textOnly := NewTracker(DefaultConfig()).Observe(midText, Prosody{})
	if textOnly.Anger || textOnly.ProsodyScore != 0 {
		t.Fatalf("%q on text alone: %+v", midText, textOnly)
	}
	// The same middling words, heated, cross the threshold.
	r := learnt(-26, 140).Observe(midText, heated(-26, 140))
	if !r.Anger || !r.Alert || r.Score <= textOnly.Score || r.ProsodyScore < 0.7 {
		t.Errorf("%q heated: %+v (text alone %.2f)", midText, r, textOnly.Score)
	}
	// Said calmly by the same caller they do not.
	if r := learnt(-26, 140).Observe(midText, calm(-26, 140)); r.Anger || r.ProsodyScore != 0 {
		t.Errorf("%q calm: %+v", midText, r)
	}
	// Angry words alone are enough; heated they score higher still.
	a := learnt(-26, 140).Observe(angryText, calm(-26, 140))
	b := learnt(-26, 140).Observe(angryText, heated(-26, 140))
	if !a.Anger || b.Score <= a.Score {
		t.Errorf("angry words calm %.2f, heated %.2f", a.Score, b.Score)
	}
	// Heated voice with calm words never alerts.
	tr := learnt(-26, 140)
	for range 10 {
		if r := tr.Observe("我想問下張卡幾時寄到", heated(-26, 140)); r.Anger || r.Score > DefaultConfig().ProsodyAlone {
			t.Fatalf("heated calm words: %+v", r)
		}
	}
}

// TestLoudSpeaker: a caller who is always loud, high and half-shouting
// (a bad line, a loud talker) is their own baseline: no anger on calm
// words, and middling words stay below the threshold.
func TestLoudSpeaker(t *testing.T) {
	loud := Prosody{LevelDBFS: -9, PitchHz: 230, PitchSpreadHz: 40, SyllablesPerSec: 6, VoicedFrames: 90, ShoutFrames: 45}
	tr := NewTracker(DefaultConfig())
	for i, s := range []string{"喂，你好", "我想查下我張卡", "係呀", "我住喺沙田", "好", "多謝"} {
		if r := tr.Observe(s, loud); r.Anger || r.Score > DefaultConfig().ProsodyAlone {
			t.Errorf("turn %d %q: %+v", i, s, r)
		}
	}
	if r := tr.Observe(midText, loud); r.Anger || r.ProsodyScore != 0 {
		t.Errorf("%q in the caller's usual voice: %+v", midText, r)
	}
}

func TestRepetition(t *testing.T) {
	tr := NewTracker(DefaultConfig())
	first := tr.Observe("等咗好耐", Prosody{})
	tr.Observe("係", Prosody{})
	again := tr.Observe("我都話等咗好耐", Prosody{})
	if again.TextScore <= first.TextScore {
		t.Errorf("repeated complaint %.2f not above first %.2f", again.TextScore, first.TextScore)
	}
	tr = NewTracker(DefaultConfig())
	tr.Observe("等咗好耐", Prosody{})
	for range 3 {
		tr.Observe("係", Prosody{})
	}
	if late := tr.Observe("等咗好耐", Prosody{}); late.TextScore != first.TextScore {
		t.Errorf("complaint outside the window %.2f, want %.2f", late.TextScore, first.TextScore)
	}
}

// BenchmarkTracker reports turns per second through Observe with prosody.
func BenchmarkTracker(b *testing.B) {
	turns := []string{"你好，我想查下我張信用卡嘅結餘", midText, "我想 check 下個 balance 唔該", angryText}
	tr := learnt(-26, 140)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Observe(turns[i%len(turns)], heated(-26, 140))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}
