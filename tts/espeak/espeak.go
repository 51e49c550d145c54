package espeak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
)

// ErrNotInstalled means the espeak-ng binary was not found.
var ErrNotInstalled = errors.New("espeak: espeak-ng not found (apt-get install espeak-ng)")

// Config selects the voices and their prosody.
type Config struct {
	Binary string `yaml:"binary"` // default "espeak-ng" from PATH
	// Voice is the Cantonese voice, also used for a language Voices leaves
	// empty; default "yue".
	Voice string `yaml:"voice"`
	// Voices picks the voice per language (tts.LanguageOf): by default
	// en-us for English and cmn for Mandarin.
	Voices tts.Voices `yaml:"voices"`
	Speed  int        `yaml:"speed"` // words per minute, 80..450; default 150
	Pitch  int        `yaml:"pitch"` // 0..99; default 50
}

// DefaultConfig returns the Cantonese voice at a calm phone pace, with
// espeak-ng's American English and Mandarin voices for those languages.
func DefaultConfig() Config {
	return Config{Binary: "espeak-ng", Voice: "yue",
		Voices: tts.Voices{English: "en-us", Mandarin: "cmn"}, Speed: 150, Pitch: 50}
}

// voiceName is what an espeak-ng voice name may hold; it never starts
// with '-', so it cannot be read as a flag.
var voiceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+./-]*$`)

// Validate reports a bad setting.
func (c Config) Validate() error {
	switch {
	case c.Voice == "" && c.Voices.Cantonese == "":
		return errors.New("espeak: voice is empty")
	case c.Speed < 80 || c.Speed > 450:
		return fmt.Errorf("espeak: speed %d out of range 80..450", c.Speed)
	case c.Pitch < 0 || c.Pitch > 99:
		return fmt.Errorf("espeak: pitch %d out of range 0..99", c.Pitch)
	}
	for _, v := range []string{c.Voice, c.Voices.Cantonese, c.Voices.English, c.Voices.Mandarin} {
		if v != "" && !voiceName.MatchString(v) {
			return fmt.Errorf("espeak: bad voice name %q", v)
		}
	}
	return nil
}

// voice returns the voice for lang.
func (c Config) voice(lang string) string {
	if v := c.Voices.For(lang); v != "" {
		return v
	}
	return c.Voice
}

// Synthesizer runs espeak-ng.
type Synthesizer struct {
	cfg  Config
	path string
	log  *slog.Logger
}

var _ tts.Synthesizer = (*Synthesizer)(nil)

// New checks the configuration and that espeak-ng is installed.
func New(cfg Config, log *slog.Logger) (*Synthesizer, error) {
	if cfg.Binary == "" {
		cfg.Binary = "espeak-ng"
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	path, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Synthesizer{cfg: cfg, path: path, log: log}, nil
}

// Synthesize starts espeak-ng for text, in the voice for
// tts.LanguageOf(ctx, text). Text holding SSML break tags
// (<break time="300ms"/>) is sent as SSML (-m) with any other markup
// escaped, so the pauses are heard and the rest is read as written; text
// starting with <speak> is passed through as SSML. The text goes on stdin,
// never on the command line, so it cannot be mistaken for a flag and does
// not show in process listings.
func (s *Synthesizer) Synthesize(ctx context.Context, text string) (tts.Stream, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, tts.ErrEmptyText
	}
	args, input := s.command(ctx, text)
	cmd := exec.CommandContext(ctx, s.path, args...)
	cmd.Stdin = strings.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("espeak: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("espeak: start: %w", err)
	}
	st := &stream{cmd: cmd, out: out, stderr: &stderr}
	wr, err := audio.NewWAVReader(out)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("espeak: reading output: %w (%s)", err, strings.TrimSpace(stderr.String()))
	}
	st.wav = wr
	return st, nil
}

type stream struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr *bytes.Buffer
	wav    *audio.WAVReader
	once   sync.Once
	err    error
}

func (s *stream) SampleRate() int { return s.wav.SampleRate() }

func (s *stream) Read(p audio.PCM16) (int, error) {
	n, err := s.wav.Read(p)
	if errors.Is(err, io.EOF) {
		if werr := s.wait(); werr != nil {
			return n, werr
		}
	}
	return n, err
}

func (s *stream) wait() error {
	s.once.Do(func() {
		if err := s.cmd.Wait(); err != nil {
			s.err = fmt.Errorf("espeak: %w (%s)", err, strings.TrimSpace(s.stderr.String()))
		}
	})
	return s.err
}

func (s *stream) Close() error {
	if s.cmd.ProcessState == nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	_ = s.out.Close()
	s.wait()
	return nil
}
