package ttstest

import (
	"errors"
	"math"
	"net/http"
	"time"
	"unicode"

	"github.com/yuecall/yuecall/audio"
)

// The OpenAI and Azure test servers "speak" a tone: ToneHz at ToneLevel of
// full scale, CharDuration per letter or digit of the text, with 10 ms
// fades. Tests can find the tone at the right frequency (proving the rate)
// and compare lengths and levels with Speech.
const (
	ToneHz       = 440.0
	ToneLevel    = 0.3
	CharDuration = 90 * time.Millisecond
	// MaxSpeech caps the audio of one request, like a real service's limit.
	MaxSpeech = 60 * time.Second
)

// SpeechDuration is how long the test servers speak text: CharDuration per
// letter or digit (punctuation and spaces are silent), at most MaxSpeech.
func SpeechDuration(text string) time.Duration {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return min(time.Duration(n)*CharDuration, MaxSpeech)
}

// Speech is the tone the test servers send for d of speech at rate.
func Speech(d time.Duration, rate int) audio.PCM16 {
	n := int(d * time.Duration(rate) / time.Second)
	out := make(audio.PCM16, n)
	fade := rate / 100
	for i := range out {
		env := 1.0
		if k := min(i, n-1-i); k < fade {
			env = 0.5 - 0.5*math.Cos(math.Pi*float64(k)/float64(fade))
		}
		v := ToneLevel * env * math.Sin(2*math.Pi*ToneHz*float64(i)/float64(rate))
		out[i] = int16(math.Round(v * 32767))
	}
	return out
}

// chunkOptions is the body pacing both servers share.
type chunkOptions struct {
	size      int           // bytes per write
	delay     time.Duration // pause after each flushed write
	holdAfter int           // wait for release after this many bytes (0: never)
	dropAfter int           // cut the connection after this many bytes (0: never)
}

// errGone means the client or the server went away while sending.
var errGone = errors.New("ttstest: connection gone")

// sendChunked writes body in flushed chunks, pausing between them, holding
// at holdAfter until release is closed and cutting the connection at
// dropAfter. progress is called with the bytes sent so far.
func sendChunked(w http.ResponseWriter, r *http.Request, body []byte, o chunkOptions,
	release, quit <-chan struct{}, progress func(int)) error {
	rc := http.NewResponseController(w)
	sent := 0
	for sent < len(body) {
		end := min(len(body), sent+o.size)
		if o.holdAfter > sent {
			end = min(end, o.holdAfter)
		}
		if o.dropAfter > sent {
			end = min(end, o.dropAfter)
		}
		if _, err := w.Write(body[sent:end]); err != nil {
			return errGone
		}
		if err := rc.Flush(); err != nil {
			return errGone
		}
		sent = end
		progress(sent)
		if sent == o.dropAfter && sent < len(body) {
			panic(http.ErrAbortHandler) // net/http closes the connection mid-body
		}
		if sent == o.holdAfter && sent < len(body) {
			if err := wait(r, release, quit, -1); err != nil {
				return err
			}
		}
		if err := wait(r, nil, quit, o.delay); err != nil {
			return err
		}
	}
	return nil
}

// wait blocks until release is closed (or, with d >= 0, until d passes),
// failing if the client or the server goes away first.
func wait(r *http.Request, release, quit <-chan struct{}, d time.Duration) error {
	var timer <-chan time.Time
	if d >= 0 {
		if d == 0 {
			return nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-release:
		return nil
	case <-timer:
		return nil
	case <-r.Context().Done():
		return errGone
	case <-quit:
		return errGone
	}
}
