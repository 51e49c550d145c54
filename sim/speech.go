package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/media/rtp"
)

// Speech preparation: trimming drops leading and trailing frames quieter
// than trimDBFS, so that the end of a clip is the end of the voice (the
// moment response latency is measured from); the clip is then scaled so
// its peak is at DefaultSpeechLevel.
const (
	trimDBFS       = -50.0
	maxSpeechBytes = 64 << 20 // espeak-ng output or WAV file read at most
)

// speechCache makes and keeps the 8 kHz audio of Say and WAV steps, once
// per text or path, for every call of a Dialer. Clips are shared read-only:
// rtp.Session.Enqueue copies them.
type speechCache struct {
	cfg SpeechConfig

	mu    sync.Mutex
	clips map[string]*clip
}

// clip is one cache entry; done is closed when pcm or err is set.
type clip struct {
	done chan struct{}
	pcm  audio.PCM16
	err  error
}

func newSpeechCache(cfg SpeechConfig) *speechCache {
	return &speechCache{cfg: cfg.withDefaults(), clips: map[string]*clip{}}
}

// forStep returns the audio a step speaks (nil when it does not speak).
func (c *speechCache) forStep(ctx context.Context, s Step) (audio.PCM16, error) {
	switch {
	case len(s.PCM) > 0:
		return s.PCM, nil
	case s.Say != "":
		return c.get(ctx, "say:"+s.Say, func() (audio.PCM16, error) { return c.synthesise(ctx, s.Say) })
	case s.WAV != "":
		return c.get(ctx, "wav:"+s.WAV, func() (audio.PCM16, error) { return loadWAV(s.WAV) })
	}
	return nil, nil
}

// get returns the cached clip for key, making it with mk if it is the
// first request; concurrent requests wait for the first. A failure is not
// cached, so a later call tries again.
func (c *speechCache) get(ctx context.Context, key string, mk func() (audio.PCM16, error)) (audio.PCM16, error) {
	for {
		c.mu.Lock()
		e, ok := c.clips[key]
		if !ok {
			e = &clip{done: make(chan struct{})}
			c.clips[key] = e
		}
		c.mu.Unlock()
		if !ok {
			return c.make(key, e, mk)
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The first request's context may have ended its attempt; try again.
		if e.err == nil || ctx.Err() != nil || !isContextErr(e.err) {
			return e.pcm, e.err
		}
	}
}

// make fills entry e of key with mk's result.
func (c *speechCache) make(key string, e *clip, mk func() (audio.PCM16, error)) (audio.PCM16, error) {
	e.pcm, e.err = mk()
	if e.err != nil {
		c.mu.Lock()
		delete(c.clips, key)
		c.mu.Unlock()
	}
	close(e.done)
	return e.pcm, e.err
}

// synthesise runs espeak-ng on text (given on stdin, so no text is taken
// for an option) and prepares its 22.05 kHz output.
func (c *speechCache) synthesise(ctx context.Context, text string) (audio.PCM16, error) {
	cmd := exec.CommandContext(ctx, c.cfg.Binary, "-v", c.cfg.Voice, "-s", strconv.Itoa(c.cfg.Speed),
		"--stdout", "--stdin")
	cmd.Stdin = strings.NewReader(text)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limitedBuffer{&out, maxSpeechBytes}, &limitedBuffer{&stderr, 4096}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: espeak-ng: %w", ErrSpeech, ctx.Err())
		}
		return nil, fmt.Errorf("%w: espeak-ng %q: %w: %s", ErrSpeech, text, err, strings.TrimSpace(stderr.String()))
	}
	pcm, rate, err := audio.ReadWAV(&out)
	if err != nil {
		return nil, fmt.Errorf("%w: espeak-ng output for %q: %w", ErrSpeech, text, err)
	}
	return prepare(pcm, rate)
}

// loadWAV reads and prepares a WAV file.
func loadWAV(path string) (audio.PCM16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSpeech, err)
	}
	defer f.Close()
	pcm, rate, err := audio.ReadWAV(&limitedReader{f, maxSpeechBytes})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSpeech, path, err)
	}
	return prepare(pcm, rate)
}

// prepare resamples to 8 kHz, trims silence and sets the peak level.
func prepare(pcm audio.PCM16, rate int) (audio.PCM16, error) {
	if rate != rtp.Rate {
		r, err := audio.NewResampler(rate, rtp.Rate)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSpeech, err)
		}
		out := make(audio.PCM16, 0, r.MaxOutput(len(pcm))+r.MaxOutput(64))
		out = r.Resample(out, pcm)
		pcm = r.Flush(out)
	}
	pcm = trim(pcm)
	if len(pcm) == 0 {
		return nil, fmt.Errorf("%w: no audible speech", ErrSpeech)
	}
	if audio.Duration(len(pcm), rtp.Rate) > maxSpeechDuration {
		return nil, fmt.Errorf("%w: speech longer than %v", ErrSpeech, maxSpeechDuration)
	}
	normalise(pcm, DefaultSpeechLevel)
	return pcm, nil
}

// trim drops whole frames quieter than trimDBFS at both ends.
func trim(pcm audio.PCM16) audio.PCM16 {
	loud := func(i int) bool { return audio.DBFS(pcm[i:min(i+frameSamples, len(pcm))]) >= trimDBFS }
	start := 0
	for start < len(pcm) && !loud(start) {
		start += frameSamples
	}
	if start >= len(pcm) {
		return nil
	}
	end := len(pcm)
	for end > start {
		from := max(end-frameSamples, start)
		if audio.DBFS(pcm[from:end]) >= trimDBFS {
			break
		}
		end = from
	}
	return pcm[start:end:end]
}

// normalise scales pcm in place so its peak is at peakDBFS.
func normalise(pcm audio.PCM16, peakDBFS float64) {
	var peak int
	for _, v := range pcm {
		peak = max(peak, int(math.Abs(float64(v))))
	}
	if peak == 0 {
		return
	}
	gain := 32767 * math.Pow(10, peakDBFS/20) / float64(peak)
	for i, v := range pcm {
		pcm[i] = int16(max(-32768, min(32767, math.Round(float64(v)*gain))))
	}
}

// lineSounds are the Dialer's shared read-only signals: line noise and the
// keypad tones.
type lineSounds struct {
	noise audio.PCM16          // a loop of noiseLoop
	tones map[rune]audio.PCM16 // DefaultDTMFTone of each key
	gap   audio.PCM16          // DefaultDTMFGap of noise
}

// noiseLoop is the length of the shared noise loop; noiseChunk is how much
// is queued at a time.
const (
	noiseChunk = 400 * 8 // 400 ms
	noiseLoop  = 5 * noiseChunk
)

func newLineSounds(noiseDBFS float64) (*lineSounds, error) {
	ls := &lineSounds{noise: make(audio.PCM16, noiseLoop), tones: map[rune]audio.PCM16{}}
	audio.NewNoiseGenerator(noiseDBFS, 0x51ca11).Read(ls.noise)
	ls.gap = ls.noise[:int(DefaultDTMFGap.Milliseconds())*8]
	for _, d := range "0123456789*#ABCD" {
		t := make(audio.PCM16, int(DefaultDTMFTone.Milliseconds())*8)
		if _, err := audio.GenerateDTMF(t, rtp.Rate, d, dtmfAmplitude); err != nil {
			return nil, fmt.Errorf("sim: dtmf tone %q: %w", d, err)
		}
		ls.tones[d] = t
	}
	return ls, nil
}

// tone returns the tone of a digit (lower-case a-d accepted).
func (ls *lineSounds) tone(d rune) audio.PCM16 {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	return ls.tones[d]
}

// limitedBuffer is a writer that fails once more than n bytes were written.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (w *limitedBuffer) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.n {
		return 0, fmt.Errorf("%w: output larger than %d bytes", ErrSpeech, w.n)
	}
	return w.b.Write(p)
}

// limitedReader reads at most n bytes and then fails (instead of EOF, so a
// truncated file is not taken for a whole one).
type limitedReader struct {
	r *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("%w: file larger than %d bytes", ErrSpeech, maxSpeechBytes)
	}
	p = p[:min(int64(len(p)), l.n)]
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// isContextErr reports whether err comes from a cancelled or expired context.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
