package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/yuecall/yuecall/audio"
)

// Sentinel errors. Errors returned by this package wrap one of them (or the
// context's error when the caller's context ends the call).
var (
	// ErrConfig means a Config, Line or Step is invalid.
	ErrConfig = errors.New("sim: invalid config")
	// ErrSpeech means speech for a step could not be made (espeak-ng
	// failed, a WAV file is unreadable).
	ErrSpeech = errors.New("sim: speech")
	// ErrDial means the call was not set up: no RTP port, INVITE refused or
	// unanswered, unusable SDP answer.
	ErrDial = errors.New("sim: dial failed")
	// ErrServerHangup means the server hung up while a step other than
	// WaitHangup was running.
	ErrServerHangup = errors.New("sim: server hung up")
	// ErrBotSilent means the bot did not start speaking within BotTimeout
	// when a step waited for it.
	ErrBotSilent = errors.New("sim: bot did not speak")
	// ErrTimeout means the call ran past Config.Timeout.
	ErrTimeout = errors.New("sim: call timed out")
	// ErrClosed means the Dialer is closed.
	ErrClosed = errors.New("sim: dialer closed")
)

// Defaults.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultBotTimeout  = 20 * time.Second
	DefaultBotQuiet    = 800 * time.Millisecond
	DefaultBotGap      = 300 * time.Millisecond
	DefaultLoudDBFS    = -45.0
	DefaultNoiseDBFS   = -60.0
	DefaultRTPPortMin  = 40000
	DefaultRTPPortMax  = 49999
	DefaultFrom        = "sim"
	DefaultUserAgent   = "yuecall-sim"
	DefaultVoice       = "yue"
	DefaultSpeed       = 150
	DefaultEspeak      = "espeak-ng"
	DefaultTarget      = "sip:hotline@127.0.0.1:5060"
	DefaultDTMFTone    = 100 * time.Millisecond
	DefaultDTMFGap     = 100 * time.Millisecond
	dtmfAmplitude      = 0.15 // each tone about -16.5 dB re full scale
	maxScriptSteps     = 10000
	maxSpeechDuration  = 5 * time.Minute
	DefaultSpeechLevel = -3.0 // peak of synthesised speech, dBFS
)

// Step is one thing the caller does. The actions of one step run in this
// order: Pause, WaitBot, DTMF, the speech (Say, WAV or PCM, at most one),
// WaitHangup. A step may hold several of them.
type Step struct {
	// Say is Cantonese text spoken with espeak-ng (see SpeechConfig).
	Say string `json:"say,omitempty" yaml:"say"`
	// WAV is the path of a WAV file to speak (any rate, mono or not).
	WAV string `json:"wav,omitempty" yaml:"wav"`
	// PCM is 8 kHz audio to speak as it is (Say and WAV audio is trimmed of
	// leading and trailing silence; PCM is not).
	PCM audio.PCM16 `json:"-" yaml:"-"`
	// Pause is line noise sent before anything else in the step.
	Pause time.Duration `json:"pause,omitempty" yaml:"pause"`
	// DTMF is keypad digits (0-9 * # A-D) sent as in-band tones.
	DTMF string `json:"dtmf,omitempty" yaml:"dtmf"`
	// WaitBot waits until the bot has spoken (an utterance going on when
	// the step starts counts) and then stayed quiet for Config.BotQuiet.
	WaitBot bool `json:"wait_bot,omitempty" yaml:"wait_bot"`
	// BargeInAfter starts this step's speech this long after the bot starts
	// speaking (the utterance going on, or the next one): the caller talks
	// over the bot and the Turn measures how fast the bot stops.
	BargeInAfter time.Duration `json:"barge_in_after,omitempty" yaml:"barge_in_after"`
	// Backchannel marks the speech as a short acknowledgement (嗯, 係) that
	// should not stop the bot nor be answered: its Turn has no response.
	Backchannel bool `json:"backchannel,omitempty" yaml:"backchannel"`
	// WaitHangup waits for the server to hang up (last step only). The call
	// then ends without error; a server hang-up during any other step is
	// ErrServerHangup.
	WaitHangup bool `json:"wait_hangup,omitempty" yaml:"wait_hangup"`
}

// validate checks one step; last tells whether it is the script's last.
func (s Step) validate(last bool) error {
	n := 0
	for _, set := range []bool{s.Say != "", s.WAV != "", len(s.PCM) > 0} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return errors.New("more than one of say, wav and pcm")
	case s.Pause < 0 || s.BargeInAfter < 0:
		return errors.New("negative duration")
	case s.BargeInAfter > 0 && n == 0:
		return errors.New("barge_in_after without speech")
	case s.Backchannel && n == 0:
		return errors.New("backchannel without speech")
	case s.WaitHangup && !last:
		return errors.New("wait_hangup before the last step")
	case audio.Duration(len(s.PCM), audio.Rate8k) > maxSpeechDuration:
		return errors.New("pcm longer than 5 minutes")
	}
	for _, d := range s.DTMF {
		if _, _, ok := audio.DTMFFrequencies(d); !ok {
			return fmt.Errorf("dtmf %q is not a keypad digit", d)
		}
	}
	return nil
}

// Config is one simulated call.
type Config struct {
	// Target is the SIP URI dialled, e.g. sip:hotline@127.0.0.1:5060.
	Target string `json:"target" yaml:"target"`
	// LocalIP, RTPPortMin and RTPPortMax are used by the package-level Call,
	// which makes a Dialer of its own; Dialer.Call uses the Dialer's Line
	// and ignores them.
	LocalIP    string `json:"local_ip,omitempty" yaml:"local_ip"`
	RTPPortMin int    `json:"rtp_port_min,omitempty" yaml:"rtp_port_min"`
	RTPPortMax int    `json:"rtp_port_max,omitempty" yaml:"rtp_port_max"`
	// Script is what the caller does, in order; after the last step the
	// caller hangs up (unless the server did).
	Script []Step `json:"script" yaml:"script"`
	// Record, when set, is the path of an 8 kHz WAV file of everything the
	// caller heard, on the call's timeline (silence where no packets came).
	Record string `json:"record,omitempty" yaml:"record"`
	// Timeout bounds the whole call; 0 means DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty" yaml:"timeout"`
	// BotTimeout bounds each wait for the bot to start speaking.
	BotTimeout time.Duration `json:"bot_timeout,omitempty" yaml:"bot_timeout"`
	// BotQuiet is how long the bot must stay quiet to have finished (WaitBot).
	BotQuiet time.Duration `json:"bot_quiet,omitempty" yaml:"bot_quiet"`
	// BotGap is the longest quiet inside one bot utterance: louder audio
	// after a longer gap starts a new utterance.
	BotGap time.Duration `json:"bot_gap,omitempty" yaml:"bot_gap"`
	// LoudDBFS is the frame level (RMS, dBFS) from which received audio
	// counts as the bot speaking; 0 means DefaultLoudDBFS.
	LoudDBFS float64 `json:"loud_dbfs,omitempty" yaml:"loud_dbfs"`
	// Log receives the call's events; nil uses the Dialer's logger.
	Log *slog.Logger `json:"-" yaml:"-"`
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Target == "" {
		c.Target = DefaultTarget
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.BotTimeout == 0 {
		c.BotTimeout = DefaultBotTimeout
	}
	if c.BotQuiet == 0 {
		c.BotQuiet = DefaultBotQuiet
	}
	if c.BotGap == 0 {
		c.BotGap = DefaultBotGap
	}
	if c.LoudDBFS == 0 {
		c.LoudDBFS = DefaultLoudDBFS
	}
	return c
}

// Validate reports the first invalid field (zero fields take defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	if _, err := parseTarget(c.Target); err != nil {
		return err
	}
	switch {
	case c.Timeout < 0 || c.BotTimeout < 0 || c.BotQuiet < 0 || c.BotGap < 0:
		return fmt.Errorf("%w: negative duration", ErrConfig)
	case c.LoudDBFS > 0 || c.LoudDBFS < audio.SilenceDBFS:
		return fmt.Errorf("%w: loud_dbfs %g outside -120..0", ErrConfig, c.LoudDBFS)
	case len(c.Script) > maxScriptSteps:
		return fmt.Errorf("%w: %d steps (max %d)", ErrConfig, len(c.Script), maxScriptSteps)
	}
	for i, s := range c.Script {
		if err := s.validate(i == len(c.Script)-1); err != nil {
			return fmt.Errorf("%w: step %d: %w", ErrConfig, i, err)
		}
	}
	return nil
}

// parseTarget parses a sip: URI that names a host.
func parseTarget(target string) (gosip.Uri, error) {
	var u gosip.Uri
	if err := gosip.ParseUri(target, &u); err != nil {
		return u, fmt.Errorf("%w: target %q: %w", ErrConfig, target, err)
	}
	if u.Host == "" || (u.Scheme != "sip" && u.Scheme != "") {
		return u, fmt.Errorf("%w: target %q is not a sip: URI with a host", ErrConfig, target)
	}
	return u, nil
}

// Line is the caller's network end, shared by every call of a Dialer.
type Line struct {
	// LocalIP is the address for SIP and RTP; default 127.0.0.1.
	LocalIP string `json:"local_ip" yaml:"local_ip"`
	// SIPPort is the local SIP UDP port; 0 picks a free one.
	SIPPort int `json:"sip_port" yaml:"sip_port"`
	// RTPPortMin and RTPPortMax bound the even RTP ports used.
	RTPPortMin int `json:"rtp_port_min" yaml:"rtp_port_min"`
	RTPPortMax int `json:"rtp_port_max" yaml:"rtp_port_max"`
	// From is the caller's user part in From and Contact.
	From string `json:"from" yaml:"from"`
	// UserAgent is the User-Agent header.
	UserAgent string `json:"user_agent" yaml:"user_agent"`
	// Speech configures espeak-ng for Say steps.
	Speech SpeechConfig `json:"speech" yaml:"speech"`
	// NoiseDBFS is the line noise sent between utterances (RMS, dBFS).
	NoiseDBFS float64 `json:"noise_dbfs" yaml:"noise_dbfs"`
}

// DefaultLine returns a loopback line with defaults.
func DefaultLine() Line {
	return Line{LocalIP: "127.0.0.1", RTPPortMin: DefaultRTPPortMin, RTPPortMax: DefaultRTPPortMax,
		From: DefaultFrom, UserAgent: DefaultUserAgent, Speech: DefaultSpeechConfig(), NoiseDBFS: DefaultNoiseDBFS}
}

// withDefaults fills zero fields from DefaultLine.
func (l Line) withDefaults() Line {
	d := DefaultLine()
	if l.LocalIP == "" {
		l.LocalIP = d.LocalIP
	}
	if l.RTPPortMin == 0 && l.RTPPortMax == 0 {
		l.RTPPortMin, l.RTPPortMax = d.RTPPortMin, d.RTPPortMax
	}
	if l.From == "" {
		l.From = d.From
	}
	if l.UserAgent == "" {
		l.UserAgent = d.UserAgent
	}
	if l.NoiseDBFS == 0 {
		l.NoiseDBFS = d.NoiseDBFS
	}
	l.Speech = l.Speech.withDefaults()
	return l
}

// Validate reports the first invalid field (zero fields take defaults).
func (l Line) Validate() error {
	l = l.withDefaults()
	if _, err := netip.ParseAddr(l.LocalIP); err != nil {
		return fmt.Errorf("%w: local_ip %q is not an IP address", ErrConfig, l.LocalIP)
	}
	switch {
	case l.SIPPort < 0 || l.SIPPort > 65535:
		return fmt.Errorf("%w: sip_port %d", ErrConfig, l.SIPPort)
	case l.RTPPortMin < 1024 || l.RTPPortMax > 65535 || l.RTPPortMin+1 >= l.RTPPortMax:
		return fmt.Errorf("%w: rtp port range %d-%d", ErrConfig, l.RTPPortMin, l.RTPPortMax)
	case l.NoiseDBFS > -20 || l.NoiseDBFS < audio.SilenceDBFS:
		return fmt.Errorf("%w: noise_dbfs %g outside -120..-20", ErrConfig, l.NoiseDBFS)
	}
	var u gosip.Uri
	if err := gosip.ParseUri("sip:"+l.From+"@127.0.0.1", &u); err != nil || u.User != l.From {
		return fmt.Errorf("%w: from %q is not a SIP user part", ErrConfig, l.From)
	}
	return l.Speech.Validate()
}

// SpeechConfig says how Say steps are synthesised.
type SpeechConfig struct {
	// Binary is the espeak-ng executable.
	Binary string `json:"binary" yaml:"binary"`
	// Voice is the espeak-ng voice (-v), default yue (Cantonese).
	Voice string `json:"voice" yaml:"voice"`
	// Speed is words per minute (-s).
	Speed int `json:"speed" yaml:"speed"`
}

// DefaultSpeechConfig returns espeak-ng, voice yue, 150 words per minute.
func DefaultSpeechConfig() SpeechConfig {
	return SpeechConfig{Binary: DefaultEspeak, Voice: DefaultVoice, Speed: DefaultSpeed}
}

func (s SpeechConfig) withDefaults() SpeechConfig {
	d := DefaultSpeechConfig()
	if s.Binary == "" {
		s.Binary = d.Binary
	}
	if s.Voice == "" {
		s.Voice = d.Voice
	}
	if s.Speed == 0 {
		s.Speed = d.Speed
	}
	return s
}

// Validate reports the first invalid field.
func (s SpeechConfig) Validate() error {
	s = s.withDefaults()
	if s.Speed < 80 || s.Speed > 450 {
		return fmt.Errorf("%w: speech speed %d outside 80..450", ErrConfig, s.Speed)
	}
	for _, r := range s.Voice {
		if !(r == '-' || r == '_' || r == '+' || (r >= '0' && r <= '9') || (r|0x20 >= 'a' && r|0x20 <= 'z')) {
			return fmt.Errorf("%w: speech voice %q", ErrConfig, s.Voice)
		}
	}
	return nil
}
