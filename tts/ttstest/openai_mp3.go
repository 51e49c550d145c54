package ttstest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// ErrNoLame means the lame MP3 encoder is not installed; the OpenAI test
// server needs it to send real MP3.
var ErrNoLame = errors.New("ttstest: lame not found: the OpenAI speech test server encodes real MP3 with it " +
	"(apt-get install lame; CI installs it)")

// EncodeMP3 encodes mono PCM16 at rate (a rate MPEG audio supports, such
// as 24000) to MP3 with the lame program, at 64 kbit/s CBR. With stereo
// the MP3 has two channels: the signal on the left and silence on the
// right. It returns ErrNoLame when lame is missing.
func EncodeMP3(ctx context.Context, pcm audio.PCM16, rate int, stereo bool) ([]byte, error) {
	path, err := exec.LookPath("lame")
	if err != nil {
		return nil, ErrNoLame
	}
	channels, mode := 1, "m"
	if stereo {
		channels, mode = 2, "s"
	}
	raw := make([]byte, 0, len(pcm)*2*channels)
	for _, v := range pcm {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(v))
		if stereo {
			raw = append(raw, 0, 0)
		}
	}
	khz := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", float64(rate)/1000), "0"), ".")
	cmd := exec.CommandContext(ctx, path, "--quiet", "-r", "-s", khz, "--bitwidth", "16",
		"--signed", "--little-endian", "-m", mode, "--cbr", "-b", "64", "-", "-")
	cmd.Stdin = bytes.NewReader(raw)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ttstest: lame: %w (%s)", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}

// mp3Cache keeps the MP3 of each signal length, so repeated requests do
// not run lame again.
type mp3Cache struct {
	mu sync.Mutex
	m  map[mp3Key][]byte
}

type mp3Key struct {
	samples int
	stereo  bool
}

// get returns the MP3 of pcm at 24 kHz, encoding it on a miss (outside the
// lock; two concurrent misses both encode, which is harmless).
func (c *mp3Cache) get(ctx context.Context, pcm audio.PCM16, stereo bool) ([]byte, error) {
	k := mp3Key{len(pcm), stereo}
	c.mu.Lock()
	b, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := EncodeMP3(ctx, pcm, OpenAIPCMRate, stereo)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[mp3Key][]byte)
	}
	c.m[k] = b
	c.mu.Unlock()
	return b, nil
}
