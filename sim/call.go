package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
	"github.com/yuecall/yuecall/media/sdp"
)

// byeTimeout bounds the BYE transaction at the end of a call.
const byeTimeout = 5 * time.Second

// Who ended a call (Result.EndedBy).
const (
	EndedByCaller = "caller"
	EndedByServer = "server"
)

// Turn is one utterance of the caller and what the bot did about it. Times
// are measured at the caller: when its packets left and the bot's arrived,
// to within one 20 ms frame.
type Turn struct {
	// Step is the index of the script step that spoke.
	Step int `json:"step"`
	// Backchannel copies Step.Backchannel: no response is expected.
	Backchannel bool `json:"backchannel,omitempty"`
	// SpeechStart and SpeechEnd are the caller's voice on the wire, from
	// the moment the call was answered.
	SpeechStart time.Duration `json:"speech_start_ns"`
	SpeechEnd   time.Duration `json:"speech_end_ns"`
	// Answered tells whether the bot started an utterance after SpeechEnd
	// (and before the caller's next speech); ResponseLatency is from
	// SpeechEnd to the first loud frame of that utterance.
	Answered        bool          `json:"answered"`
	ResponseLatency time.Duration `json:"response_latency_ns"`
	// BargeIn tells whether the bot was speaking when the caller started.
	// BotStopped tells whether it then went quiet before the caller ended,
	// and BargeInStop is from SpeechStart to its last loud frame.
	BargeIn     bool          `json:"barge_in,omitempty"`
	BotStopped  bool          `json:"bot_stopped,omitempty"`
	BargeInStop time.Duration `json:"barge_in_stop_ns,omitempty"`
}

// Result is what one call measured. Err (also returned by Call) is nil
// when the script ran to its end.
type Result struct {
	CallID    string `json:"call_id"` // the SIP Call-ID
	Turns     []Turn `json:"turns"`
	StepsDone int    `json:"steps_done"`
	// RTP counters of the caller's session: sent by the caller, received
	// from the server, and lost on the way from the server.
	PacketsSent     uint64 `json:"packets_sent"`
	PacketsReceived uint64 `json:"packets_received"`
	PacketsLost     uint64 `json:"packets_lost"`
	// RxJitterMs is the RFC 3550 §6.4.1 interarrival jitter of the server's
	// audio at the end of the call.
	RxJitterMs float64 `json:"rx_jitter_ms"`
	// SendJitterP99Ms is the 99th percentile of |arrival interval - 20 ms|
	// between consecutive frames of the server's audio (pauses longer than
	// 100 ms excluded); SendJitter holds all of them for merging.
	SendJitterP99Ms float64   `json:"send_jitter_p99_ms"`
	SendJitter      Histogram `json:"-"`
	// SetupTime is INVITE to 200 OK; Duration is 200 OK to the end.
	SetupTime time.Duration `json:"setup_ns"`
	Duration  time.Duration `json:"duration_ns"`
	// EndedBy is EndedByCaller or EndedByServer ("" when never answered).
	EndedBy string `json:"ended_by,omitempty"`
	Err     error  `json:"-"`
	Error   string `json:"error,omitempty"`
}

// leg is an answered call's dialog and media.
type leg struct {
	dlg      *sipgo.DialogClientSession
	sess     *rtp.Session
	mon      *monitor
	answered time.Time
}

// Call dials cfg.Target on this Dialer's line, runs cfg.Script and hangs up.
// Errors wrap ErrConfig, ErrSpeech, ErrDial, ErrServerHangup, ErrBotSilent,
// ErrTimeout, ErrClosed or the context's error.
func (d *Dialer) Call(ctx context.Context, cfg Config) (res Result, err error) {
	defer func() {
		if res.Err = err; err != nil {
			res.Error = err.Error()
		}
	}()
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	cfg = cfg.withDefaults()
	if err := d.begin(); err != nil {
		return res, err
	}
	defer d.calls.Done()
	ctx, cancel := context.WithTimeoutCause(ctx, cfg.Timeout, ErrTimeout)
	defer cancel()
	defer context.AfterFunc(d.ctx, func() { cancel() })()
	log := cfg.Log
	if log == nil {
		log = d.log
	}
	clips := make([]audio.PCM16, len(cfg.Script))
	for i, s := range cfg.Script {
		if clips[i], err = d.speech.forStep(ctx, s); err != nil {
			return res, fmt.Errorf("step %d: %w", i, ctxErr(ctx, err))
		}
	}
	start := time.Now()
	l, err := d.dial(ctx, cfg, log, &res)
	if err != nil {
		return res, ctxErr(ctx, err)
	}
	res.SetupTime = l.answered.Sub(start)
	c := newCaller(ctx, cfg, log.With("sip_call_id", res.CallID), l, d.sounds)
	err = c.run(clips)
	return res, ctxErr(ctx, l.end(ctx, cfg, c, &res, err))
}

// end hangs up unless the server did, stops the media and fills res with
// what the call measured. It returns err joined with any failure to end.
func (l *leg) end(ctx context.Context, cfg Config, c *caller, res *Result, err error) error {
	res.StepsDone = c.stepsDone
	res.EndedBy = EndedByServer
	if !c.serverHungUp {
		sent, herr := l.hangup(ctx)
		if sent {
			res.EndedBy = EndedByCaller
		}
		err = errors.Join(err, herr)
	}
	res.Duration = time.Since(l.answered)
	return l.finish(cfg, c, res, err)
}

// dial sends the INVITE with our offer, waits for the answer, ACKs it and
// starts the media. res.CallID is set as soon as it is known.
func (d *Dialer) dial(ctx context.Context, cfg Config, log *slog.Logger, res *Result) (*leg, error) {
	target, err := parseTarget(cfg.Target)
	if err != nil {
		return nil, err
	}
	conn, err := d.ports.Listen()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDial, err)
	}
	local := sdp.Local{Addr: d.ip, Port: conn.LocalAddr().(*net.UDPAddr).Port, DTMF: true,
		SessionID: uint64(time.Now().UnixNano()), SessionName: "yuecall-sim"}
	from := &gosip.FromHeader{Address: gosip.Uri{Scheme: "sip", User: d.line.From, Host: d.ip.String()},
		Params: gosip.NewParams()}
	from.Params.Add("tag", gosip.GenerateTagN(16))
	ct := gosip.ContentTypeHeader("application/sdp")
	dlg, err := d.dialogs.Invite(ctx, target, sdp.Offer(local), &ct, from)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: invite: %w", ErrDial, err)
	}
	if h := dlg.InviteRequest.CallID(); h != nil {
		res.CallID = h.Value()
	}
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		dlg.Close()
		conn.Close()
		return nil, fmt.Errorf("%w: %w", ErrDial, err)
	}
	l := &leg{dlg: dlg, answered: time.Now()}
	if err := dlg.Ack(ctx); err != nil {
		dlg.Close()
		conn.Close()
		return nil, fmt.Errorf("%w: ack: %w", ErrDial, err)
	}
	if err := l.startMedia(ctx, conn, local, cfg, log); err != nil {
		conn.Close()
		_, _ = l.hangup(ctx)
		return nil, fmt.Errorf("%w: answer: %w", ErrDial, err)
	}
	return l, nil
}

// startMedia reads the SDP answer and starts the RTP session on conn (which
// the caller closes on error) with the monitor as its sink.
func (l *leg) startMedia(ctx context.Context, conn *net.UDPConn, local sdp.Local, cfg Config, log *slog.Logger) error {
	neg, err := sdp.ParseAnswer(l.dlg.InviteResponse.Body(), local)
	if err != nil {
		return err
	}
	if !neg.CanSend() {
		return fmt.Errorf("answer direction %s", neg.Direction)
	}
	rcfg := rtp.NewConfig(neg)
	rcfg.InbandDTMF, rcfg.Log = false, log
	// Time the bot's packets by when the kernel received them, not when
	// this process got round to reading them: a thousand callers on the
	// server's machine would otherwise add their own scheduling delay.
	rcfg.ArrivalStamps = true
	rcfg.SendTimes = true // and its own speech by when it left (Session.SentAt)
	rcfg.SendQueue = maxSpeechDuration + time.Minute
	if l.sess, err = rtp.NewSession(conn, rcfg); err != nil {
		return err
	}
	l.mon = newMonitor(cfg.LoudDBFS, cfg.BotGap, cfg.Record != "", l.answered)
	_ = l.sess.SetSink(l.mon) // the monitor's rate is the session's
	l.sess.Start(ctx)
	return nil
}

// hangup sends BYE unless the dialog has ended, then forgets the dialog.
// It reports whether it sent the BYE.
func (l *leg) hangup(ctx context.Context) (bool, error) {
	defer l.dlg.Close()
	select {
	case <-l.dlg.Context().Done():
		return false, nil
	default:
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), byeTimeout)
	defer cancel()
	if err := l.dlg.Bye(ctx); err != nil {
		return true, fmt.Errorf("sim: bye: %w", err)
	}
	return true, nil
}

// finish stops the media and fills the measurements of res.
func (l *leg) finish(cfg Config, c *caller, res *Result, err error) error {
	_ = l.sess.Close()
	st := l.sess.Stats()
	res.PacketsSent, res.PacketsReceived, res.PacketsLost = st.PacketsOut, st.PacketsIn, st.Lost
	res.RxJitterMs = st.JitterMs
	hist, rec, _ := l.mon.results()
	res.SendJitter = hist
	res.SendJitterP99Ms = float64(hist.Quantile(0.99)) / float64(time.Millisecond)
	res.Turns = c.turns(l.mon.snapshot())
	if cfg.Record != "" {
		err = errors.Join(err, writeRecording(cfg.Record, rec))
	}
	return err
}

// writeRecording writes the heard audio as an 8 kHz WAV file.
func writeRecording(path string, pcm audio.PCM16) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sim: record: %w", err)
	}
	w := bufio.NewWriter(f)
	err = audio.WriteWAV(w, pcm, rtp.Rate)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sim: record: %w", err)
	}
	return nil
}

// ctxErr replaces an error caused by the end of ctx with the reason ctx
// ended (ErrTimeout for the call's own timeout).
func ctxErr(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if errors.Is(err, cause) {
		return err
	}
	return fmt.Errorf("%w (%w)", cause, err)
}
