package call

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/spoken"
)

// utterance is one thing the bot says: an IVR prompt or a dialog reply.
type utterance struct {
	id            int
	text          string
	sentences     []string
	interruptible bool
	reply         bool       // a dialog reply (its heard part goes to the dialog history)
	after         func()     // runs in the loop once it has been played out
	synth         synthState // owned by the loop

	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	bounds []time.Duration // end of each sentence, in audio queued for this utterance
	queued time.Duration
	start  time.Duration // the leg's played position when the first sample was queued
	began  bool

	resumeFrom int  // first sentence not heard in full (set by heardText)
	announced  bool // its transcript is published (owned by the loop)
}

// hasAudio reports whether any of u's audio has been queued on the leg.
func (u *utterance) hasAudio() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.began
}

// unheard returns the text from the first sentence not heard in full.
func (u *utterance) unheard() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.resumeFrom >= len(u.sentences) {
		return ""
	}
	return strings.Join(u.sentences[u.resumeFrom:], "")
}

type synthState int

const (
	synthWaiting synthState = iota
	synthRunning
	synthDone
)

// playedOut reports whether the caller has heard all of u, given the leg's
// played position. An utterance still being synthesised is never played out.
func (u *utterance) playedOut(played time.Duration) bool {
	if u.synth != synthDone {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return !u.began || u.start+u.queued <= played
}

// remaining is how much of u is still to be heard at the played position.
func (u *utterance) remaining(played time.Duration) time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.start + u.queued - played
}

// heardText returns the whole sentences heard by the leg's played position
// plus the heard share of the current one, by characters.
func (u *utterance) heardText(played time.Duration) (string, float64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	playedDur := played - u.start
	if !u.began || playedDur <= 0 {
		return "", 0
	}
	var b strings.Builder
	prev := time.Duration(0)
	u.resumeFrom = len(u.bounds)
	for i, end := range u.bounds {
		s := u.sentences[i]
		if playedDur >= end {
			b.WriteString(s)
			prev = end
			continue
		}
		u.resumeFrom = i
		frac := float64(playedDur-prev) / float64(end-prev)
		n := int(frac * float64(utf8.RuneCountInString(s)))
		b.WriteString(string([]rune(s)[:n]))
		break
	}
	total := utf8.RuneCountInString(u.text)
	if total == 0 {
		return "", 0
	}
	return b.String(), float64(utf8.RuneCountInString(b.String())) / float64(total)
}

type speakDone struct {
	u   *utterance
	err error
}

type speakFirstAudio struct {
	u   *utterance
	ttf time.Duration
}

// speaker synthesises utterances one at a time and queues their audio on the leg.
type speaker struct {
	rs    map[int]*audio.Resampler // by source rate, reused across utterances
	synth tts.Synthesizer
	opt   spoken.Options // written forms → what an agent would say
	leg   Leg
	pos   func() time.Duration // the leg's queued-audio position
	note  func(time.Duration)  // advance the queued position
}

// speakBufs recycles run's read and resample buffers across utterances and
// calls (the leg copies what it queues), so a call holds none between its
// utterances.
var speakBufs = sync.Pool{New: func() any { return &speakBuf{buf: make(audio.PCM16, 1024)} }}

type speakBuf struct{ buf, out audio.PCM16 }

// run synthesises u sentence by sentence, queueing audio as it is produced, so
// the caller hears the first sentence while later ones are synthesised.
func (sp *speaker) run(u *utterance, first chan<- speakFirstAudio) error {
	b := speakBufs.Get().(*speakBuf)
	buf, out := b.buf, b.out[:0]
	defer func() { b.out = out[:0]; speakBufs.Put(b) }()
	t0 := time.Now()
	sentFirst := false
	for _, sentence := range u.sentences {
		st, err := sp.synthesize(u.ctx, spoken.Text(sentence, sp.opt))
		if errors.Is(err, tts.ErrEmptyText) {
			continue
		}
		if err != nil {
			return err
		}
		r, err := sp.resampler(st.SampleRate())
		if err != nil {
			st.Close()
			return err
		}
		for {
			n, rerr := st.Read(buf)
			if n > 0 {
				out = out[:0]
				if r != nil {
					out = r.Resample(out, buf[:n])
				} else {
					out = append(out, buf[:n]...)
				}
				if err := sp.queue(u, out); err != nil {
					st.Close()
					return err
				}
				if !sentFirst {
					sentFirst = true
					select {
					case first <- speakFirstAudio{u: u, ttf: time.Since(t0)}:
					default:
					}
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				st.Close()
				return rerr
			}
		}
		st.Close()
		u.mu.Lock()
		u.bounds = append(u.bounds, u.queued)
		u.mu.Unlock()
	}
	return nil
}

// synthesize asks for audio at the leg's rate when the provider can make it
// natively (8 kHz µ-law for a phone leg), so nothing is resampled.
func (sp *speaker) synthesize(ctx context.Context, text string) (tts.Stream, error) {
	if rs, ok := sp.synth.(tts.RateSynthesizer); ok {
		return rs.SynthesizeRate(ctx, text, sp.leg.Rate())
	}
	return sp.synth.Synthesize(ctx, text)
}

// resampler returns the converter from rate to the leg's rate, nil when none
// is needed; its filter state restarts with each sentence.
func (sp *speaker) resampler(rate int) (*audio.Resampler, error) {
	if rate == sp.leg.Rate() {
		return nil, nil
	}
	if r := sp.rs[rate]; r != nil {
		r.Reset()
		return r, nil
	}
	r, err := audio.NewResampler(rate, sp.leg.Rate())
	if err != nil {
		return nil, err
	}
	if sp.rs == nil {
		sp.rs = map[int]*audio.Resampler{}
	}
	sp.rs[rate] = r
	return r, nil
}

func (sp *speaker) queue(u *utterance, pcm audio.PCM16) error {
	// u.mu is held across the check and the (non-blocking) Enqueue so that
	// a barge-in, which cancels and then takes u.mu before flushing, never
	// sees audio of a cut utterance queued after its flush.
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.ctx.Err(); err != nil {
		return err
	}
	if err := sp.leg.Enqueue(pcm); err != nil {
		return err
	}
	d := audio.Duration(len(pcm), sp.leg.Rate())
	if !u.began {
		u.began = true
		u.start = sp.pos()
	}
	u.queued += d
	sp.note(d)
	return nil
}
