package call

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/sentiment"
	"github.com/yuecall/yuecall/events"
	"github.com/yuecall/yuecall/ivr"
	"github.com/yuecall/yuecall/redact"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/spoken"
)

// State is where a call is.
type State int

// Call states.
const (
	StateIVR     State = iota // menu
	StateAI                   // the AI agent listens and answers
	StateHandoff              // waiting for (or with) a human; the AI keeps transcribing
	StateEnding               // saying goodbye; hang up after playout
)

func (s State) String() string {
	switch s {
	case StateIVR:
		return "ivr"
	case StateAI:
		return "ai"
	case StateHandoff:
		return "handoff"
	case StateEnding:
		return "ending"
	}
	return "unknown"
}

// Deps are the shared parts a Session uses; one Deps serves every call.
type Deps struct {
	Events     events.Emitter
	ASR        asr.Recognizer // nil: no speech recognition, keypad only
	TTS        tts.Synthesizer
	Dialog     *dialog.Engine
	Menu       ivr.Menu
	VAD        audio.VADConfig
	Metrics    *Metrics
	Log        *slog.Logger
	AIGreeting string        // said when the caller reaches the AI agent
	MaxCall    time.Duration // hard cap on a call's length
	// Spoken says how written forms (amounts, phone numbers, rates) are
	// read out; MaxChunk is the longest piece of a reply synthesised at
	// once, in characters (default 60).
	Spoken   spoken.Options
	MaxChunk int
	// Turn decides, from the partial transcript, how much silence ends the
	// caller's turn (Cantonese particles end it sooner, conjunctions
	// later). Nil: the VAD's fixed end silence.
	Turn interface {
		EndSilence(partial string) time.Duration
	}
	// Control brings humans' commands (accept, hand back, review
	// decisions) from the desk; nil: no desk. Subjects names the call's
	// control subjects. Registry lets an accepted agent's browser join.
	Control  Control
	Subjects events.Subjects
	Registry *Registry
	// ReviewTimeout is how long a caller waits for a compliance decision
	// on an AI draft before a human takes over (default 2 minutes).
	ReviewTimeout time.Duration
	// Anger configures the per-call anger detector (text + prosody); nil
	// turns it off.
	Anger *sentiment.Config
	// Conversation are options for each call's dialog (a Generator, the
	// tools' HTTP client); the caller's number is added per call.
	Conversation []dialog.ConversationOption
}

// Session is one call. Create it with NewSession and call Run once.
type Session struct {
	info  Info
	leg   Leg
	d     Deps
	log   *slog.Logger
	tr    tracker
	ctx   context.Context // cancelled when Run ends; stops every goroutine
	start time.Time

	state    State
	menu     *ivr.Machine
	ivrState ivr.State // last menu state published
	conv     *dialog.Conversation
	lis      *listener

	speechEv  chan speechEvent
	asrEv     chan asrMsg
	streamEv  chan streamMsg
	spDone    chan speakDone
	spFirst   chan speakFirstAudio
	evDropped atomic.Uint64

	queuedPos atomic.Int64 // audio ever queued on the leg minus audio flushed
	sp        *speaker
	playing   []*utterance // queued or playing, in order; the first unfinished one synthesises
	synthBusy bool         // a speaker run is going (possibly of an utterance already cut)
	nextUtt   int
	playTimer *time.Timer
	ivrTimer  *time.Timer
	pause     pendingBargeIn
	ivrAfter  time.Duration // a menu timeout that starts when playout ends

	streams     map[int]asr.Stream
	heard       map[int]*heardUtt // by utterance number
	lastPartial string
	interrupted *utterance // cut by barge-in; resumed if that was only a backchannel
	turns       int
	lastIntent  string
	handedOff   bool
	outcome     string
	reason      string
	tail        []events.TranscriptLine

	// Humans on the call (desk): owned by the loop.
	ctrlEv       chan ctrlMsg
	joinEv       chan joinReq
	humanGone    chan party
	done         chan struct{} // closed when Run returns
	humans       [nParties]*human
	grants       map[string]*grant // by one-time token
	br           *bridge
	brStop       context.CancelFunc
	ctrlStops    []func()
	handoffQueue string
	review       *pendingReview
	reviewTimer  *time.Timer

	anger       *sentiment.Tracker // nil: no anger detection
	lastProsody audio.Prosody      // of the caller utterance being answered
	gen         *dialog.Reply      // a reply being generated (Sentences open)
	genCh       <-chan string
}

// NewSession prepares a call; nothing runs until Run.
func NewSession(info Info, leg Leg, d Deps) *Session {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.AIGreeting == "" {
		d.AIGreeting = "你好，我係粵通銀行嘅智能助理。請問有咩可以幫到你？"
	}
	if d.MaxCall <= 0 {
		d.MaxCall = 2 * time.Hour
	}
	if d.MaxChunk <= 0 {
		d.MaxChunk = 60
	}
	s := &Session{info: info, leg: leg, d: d,
		log:      d.Log.With("call_id", info.ID, "channel", info.Channel),
		speechEv: make(chan speechEvent, speechEvents), asrEv: make(chan asrMsg, 8),
		streamEv: make(chan streamMsg, 4), spDone: make(chan speakDone, 4),
		spFirst: make(chan speakFirstAudio, 4), streams: map[int]asr.Stream{},
		heard: map[int]*heardUtt{}, ctrlEv: make(chan ctrlMsg, 16), joinEv: make(chan joinReq, 4),
		humanGone: make(chan party, 4), done: make(chan struct{}), grants: map[string]*grant{}}
	s.lis = newListener(leg.Rate(), d.VAD, s.speechEv, &s.evDropped)
	s.sp = &speaker{synth: d.TTS, opt: d.Spoken, leg: leg,
		pos:  func() time.Duration { return time.Duration(s.queuedPos.Load()) },
		note: func(d time.Duration) { s.queuedPos.Add(int64(d)) }}
	s.menu = ivr.NewMachine(d.Menu, ivr.Options{SpeechAvailable: d.ASR != nil, Log: s.log})
	if d.Dialog != nil {
		opts := append([]dialog.ConversationOption{dialog.WithCaller(info.From)}, d.Conversation...)
		s.conv = d.Dialog.NewConversation(opts...)
	}
	if d.Anger != nil {
		s.anger = sentiment.NewTracker(*d.Anger)
		s.lis.metered = true
	}
	return s
}

// publish masks nothing itself: callers pass masked text.
func (s *Session) publish(p events.Payload) {
	if s.d.Events != nil {
		s.d.Events.Emit(s.info.ID, p)
	}
}

// offsetMs is the call-relative time of t in ms (transcript offsets).
func (s *Session) offsetMs(t time.Time) int64 { return t.Sub(s.start).Milliseconds() }

func (s *Session) sinceStart() int64 { return s.offsetMs(time.Now()) }

// Run drives the call until it ends and returns its outcome.
func (s *Session) Run(parent context.Context) string {
	ctx, cancel := context.WithCancel(parent)
	s.ctx = ctx
	s.start = time.Now()
	s.playTimer = newStoppedTimer()
	s.ivrTimer = newStoppedTimer()
	s.pause.timer = newStoppedTimer()
	s.reviewTimer = newStoppedTimer()
	s.d.Metrics.callStarted()
	s.publish(events.CallStarted{Channel: s.info.Channel, Direction: "inbound",
		From: redact.Text(s.info.From), To: s.info.To, Codec: s.info.Codec})
	s.log.Info("call started")
	s.d.Registry.add(s)
	s.listenControl()
	s.leg.SetSink(s.lis)
	s.apply(s.menu.Start())
	s.loop(ctx)
	s.d.Registry.remove(s)
	close(s.done)
	s.releaseHumans()
	s.cancelStream()
	s.lis.enable(false)
	s.leg.SetSink(nil)
	s.stopSpeaking()
	cancel()
	for _, st := range s.streams {
		st.Close()
	}
	s.tr.Wait()
	s.playTimer.Stop()
	s.ivrTimer.Stop()
	s.pause.timer.Stop()
	s.reviewTimer.Stop()
	if s.handedOff && s.outcome == "completed" {
		s.outcome = "handoff"
	}
	s.publish(events.CallEnded{Outcome: s.outcome, Reason: s.reason,
		DurationMs: time.Since(s.start).Milliseconds(), Turns: s.turns, LastIntent: s.lastIntent})
	s.d.Metrics.callEnded(s.outcome)
	if n := s.evDropped.Load(); n > 0 {
		s.log.Warn("speech events dropped", "count", n)
	}
	s.log.Info("call ended", "outcome", s.outcome, "reason", s.reason, "turns", s.turns)
	return s.outcome
}

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

func (s *Session) loop(ctx context.Context) {
	maxCall := time.NewTimer(s.d.MaxCall)
	defer maxCall.Stop()
	for {
		select {
		case <-s.leg.Done():
			s.end(s.outcomeOnHangup(), "caller_hangup")
			return
		case <-ctx.Done():
			select {
			case <-s.leg.Done(): // the transport ended the call and its context together
				s.end(s.outcomeOnHangup(), "caller_hangup")
			default:
				s.end("shutdown", "server_shutdown")
				s.hangup()
			}
			return
		case <-maxCall.C:
			s.end("completed", "max_duration")
			s.hangup()
			return
		case d := <-s.leg.DTMF():
			s.onDigit(d)
		case e := <-s.speechEv:
			s.onSpeech(e)
		case m := <-s.streamEv:
			s.onStream(m)
		case m := <-s.asrEv:
			s.onASR(m)
		case f := <-s.spFirst:
			s.d.Metrics.observeTTS(f.ttf)
			s.announceHead()
		case d := <-s.spDone:
			s.onSpeakDone(d)
		case <-s.playTimer.C:
			if s.checkPlayout() {
				return
			}
		case <-s.ivrTimer.C:
			s.apply(s.menu.Timeout())
		case <-s.pause.timer.C:
			s.judgeBargeIn()
		case m := <-s.ctrlEv:
			s.onControl(m)
		case j := <-s.joinEv:
			s.onJoin(j)
		case p := <-s.humanGone:
			s.onHumanGone(p)
		case <-s.reviewTimer.C:
			s.onReviewTimeout()
		case sentence, ok := <-s.genCh:
			s.onSentence(sentence, ok)
		}
		if s.outcome != "" {
			return
		}
	}
}

func (s *Session) outcomeOnHangup() string {
	if s.state == StateIVR && s.turns == 0 {
		return "abandoned"
	}
	return "completed"
}

func (s *Session) end(outcome, reason string) {
	if s.outcome == "" {
		s.outcome, s.reason = outcome, reason
	}
}

func (s *Session) hangup() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.leg.Hangup(ctx); err != nil {
		s.log.Warn("hangup failed", "err", err)
	}
}

func (s *Session) setState(st State) {
	if st == s.state {
		return
	}
	s.log.Info("state", "from", s.state.String(), "to", st.String())
	s.state = st
	s.lis.enable(s.d.ASR != nil && (st == StateAI || st == StateHandoff))
}

func (s *Session) addTail(speaker, text string) {
	s.tail = append(s.tail, events.TranscriptLine{Speaker: speaker, Text: text})
	if len(s.tail) > 8 {
		s.tail = s.tail[len(s.tail)-8:]
	}
}
