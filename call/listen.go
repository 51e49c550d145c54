package call

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
)

// speechKind is what the audio path tells the loop.
type speechKind int

const (
	speechStart speechKind = iota // VAD heard speech begin
	speechEnd                     // VAD heard the end of the utterance
)

type speechEvent struct {
	kind    speechKind
	utt     int
	at      time.Time
	prosody audio.Prosody // speechEnd: the utterance's level and pitch (when metered)
}

const (
	// speechEvents is the listener's event buffer: a start and an end per
	// utterance, read at once by the owner; a full buffer drops and counts
	// (evDropped). 8 is 1 KiB per call; it was 32 (4 KiB).
	speechEvents    = 8
	prerollFrames   = 15               // 300 ms kept before the VAD fires
	maxPending      = 10 * time.Second // audio buffered while the ASR stream connects
	backchannelSpan = 300 * time.Millisecond
)

// pendingPool recycles the buffers that hold a turn's first audio while
// its ASR stream connects: one per caller turn, a steady source of garbage
// under load before. Buffers that grew past pendingPoolMax are dropped.
var pendingPool sync.Pool // of *audio.PCM16

const pendingPoolMax = 32000 // samples: 2 s at 16 kHz

// newPending returns an empty buffer with room for n samples.
func newPending(n int) audio.PCM16 {
	if p, ok := pendingPool.Get().(*audio.PCM16); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make(audio.PCM16, 0, n)
}

// freePending recycles p, which nothing may use afterwards.
func freePending(p audio.PCM16) {
	if c := cap(p); c > 0 && c <= pendingPoolMax {
		pendingPool.Put(&p)
	}
}

// pendingFrames is the pending buffer's first capacity: the pre-roll and
// 200 ms more. It is allocated when speech starts and dropped once the
// stream has it, so an idle call holds none.
const pendingFrames = prerollFrames + 10

// listener is the caller-audio sink: VAD, pre-roll and the ASR stream of the
// current utterance. WriteSample runs on the media goroutine; the loop calls
// enable, attach and detach. The mutex is held only for non-blocking work.
type listener struct {
	rate    int
	baseEnd time.Duration // end-of-turn silence before any partial is known
	events  chan<- speechEvent
	drops   *atomic.Uint64

	mu      sync.Mutex
	enabled bool
	vad     *audio.VAD
	preroll []audio.PCM16 // ring of the last frames before speech
	prPos   int
	pending audio.PCM16 // speech heard before the stream was attached
	utt     int
	stream  audio.Writer
	closer  asr.Stream
	meter   *audio.ProsodyMeter // made at the first speech when metering is on
	metered bool                // measure prosody (anger detection)
}

func newListener(rate int, vcfg audio.VADConfig, events chan<- speechEvent, drops *atomic.Uint64) *listener {
	base := audio.DefaultVADConfig().EndSilence
	if vcfg.EndSilence > 0 {
		base = vcfg.EndSilence
	}
	l := &listener{rate: rate, baseEnd: base, events: events, drops: drops, vad: audio.NewVAD(vcfg, rate)}
	n := audio.SamplesPerFrame(rate)
	l.preroll = make([]audio.PCM16, prerollFrames)
	for i := range l.preroll {
		l.preroll[i] = make(audio.PCM16, 0, n)
	}
	return l
}

func (l *listener) SampleRate() int { return l.rate }

// WriteSample runs the VAD on one caller frame and routes it.
func (l *listener) WriteSample(f audio.PCM16) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.enabled {
		l.vad.Track(f) // keep the noise floor while nobody listens
		return nil
	}
	switch l.vad.Process(f) {
	case audio.VADSpeechStart:
		l.utt++
		l.vad.SetEndSilence(l.baseEnd)
		if l.metered && l.meter == nil {
			l.meter = audio.NewProsodyMeter(l.rate)
		}
		if l.meter != nil {
			l.meter.Reset()
		}
		freePending(l.pending)
		l.pending = l.drainPreroll(newPending(pendingFrames * len(f)))
		l.notify(speechEvent{kind: speechStart, utt: l.utt, at: time.Now()})
	case audio.VADSpeechEnd:
		l.route(f)
		l.endUtterance()
		return nil
	}
	if !l.vad.Speaking() {
		l.pushPreroll(f)
		return nil
	}
	l.route(f)
	return nil
}

func (l *listener) route(f audio.PCM16) {
	if l.meter != nil {
		_ = l.meter.Write(f)
	}
	if l.stream != nil {
		_ = l.stream.WriteSample(f)
		return
	}
	if audio.Duration(len(l.pending)+len(f), l.rate) <= maxPending {
		l.pending = append(l.pending, f...)
	}
}

func (l *listener) endUtterance() {
	if l.closer != nil {
		_ = l.closer.CloseSend()
		l.stream, l.closer = nil, nil
		freePending(l.pending)
		l.pending = nil // between utterances a call holds no pending audio
	}
	e := speechEvent{kind: speechEnd, utt: l.utt, at: time.Now()}
	if l.meter != nil {
		e.prosody = l.meter.Result()
	}
	l.notify(e)
}

func (l *listener) notify(e speechEvent) {
	select {
	case l.events <- e:
	default:
		l.drops.Add(1)
	}
}

func (l *listener) pushPreroll(f audio.PCM16) {
	l.preroll[l.prPos] = append(l.preroll[l.prPos][:0], f...)
	l.prPos = (l.prPos + 1) % len(l.preroll)
}

func (l *listener) drainPreroll(dst audio.PCM16) audio.PCM16 {
	for i := 0; i < len(l.preroll); i++ {
		fr := &l.preroll[(l.prPos+i)%len(l.preroll)]
		dst = append(dst, (*fr)...)
		*fr = (*fr)[:0]
	}
	return dst
}

// enable turns listening on or off (off: IVR menus, shutdown).
func (l *listener) enable(on bool) {
	l.mu.Lock()
	if on && !l.enabled {
		l.vad.AssumeQuiet()
	}
	l.enabled = on
	if !on {
		l.vad.Cancel()
	}
	l.mu.Unlock()
}

// attach gives utterance utt its ASR stream. It returns false when the
// utterance is no longer current; the stream is then closed by the caller.
// If the utterance already ended, the buffered audio is sent and the stream's
// send side closed at once.
func (l *listener) attach(utt int, st asr.Stream, w audio.Writer) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if utt != l.utt {
		return false
	}
	if len(l.pending) > 0 {
		_ = w.WriteSample(l.pending) // a Writer keeps no slice: the buffer can go back
	}
	freePending(l.pending)
	l.pending = nil
	if !l.vad.Speaking() {
		_ = st.CloseSend()
		return true
	}
	l.stream, l.closer = w, st
	return true
}

// setEndSilence changes the silence that ends utterance utt, if it is
// still being spoken (turn-taking from its partial transcript).
func (l *listener) setEndSilence(utt int, d time.Duration) {
	l.mu.Lock()
	if utt == l.utt && l.vad.Speaking() {
		l.vad.SetEndSilence(d)
	}
	l.mu.Unlock()
}

// voice reports how much voiced audio utterance utt has had, how long it
// has been silent, and whether it is still going on.
func (l *listener) voice(utt int) (voiced, silence time.Duration, speaking bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if utt != l.utt || !l.vad.Speaking() {
		return 0, 0, false
	}
	return l.vad.Voiced(), l.vad.Silence(), true
}
