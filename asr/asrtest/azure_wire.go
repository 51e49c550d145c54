package asrtest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

const (
	azureBadKey = "Access denied due to invalid subscription key or wrong API endpoint. " +
		"Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
	azureRate = 16000
)

// azureExchange is one recognition request being served.
type azureExchange struct {
	srv *AzureServer
	w   http.ResponseWriter
	r   *http.Request
	rec *AzureRequest
	pcm []int16
}

func (ex *azureExchange) opts() AzureOptions { return ex.srv.opts }

// serve checks headers and query before reading the body (so that a client
// sending Expect: 100-continue uploads nothing when refused), then reads the
// audio as it streams in and answers.
func (ex *azureExchange) serve() {
	if !ex.authorize() || !ex.checkQuery() || !ex.checkContentType() || !ex.readAudio() {
		return
	}
	reply := ex.opts().Script(ex.rec.Index, ex.pcm)
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ex.r.Context().Done():
			ex.srv.update(ex.rec, func(q *AzureRequest) { q.Canceled = true })
			return
		}
	}
	if reply.HTTPStatus != 0 {
		ex.fail(reply.HTTPStatus, reply.Message)
		return
	}
	ex.answer(reply)
}

func (ex *azureExchange) authorize() bool {
	key := ex.r.Header.Get("Ocp-Apim-Subscription-Key")
	tok, bearer := strings.CutPrefix(ex.r.Header.Get("Authorization"), "Bearer ")
	var kind string
	var ok bool
	switch {
	case key != "":
		kind, ok = "key", key == ex.opts().Key
	case bearer:
		kind, ok = "bearer", ex.srv.tokenValid(tok)
	}
	ex.srv.update(ex.rec, func(q *AzureRequest) { q.Auth, q.AuthOK = kind, ok })
	switch {
	case ok:
		return true
	case kind == "key":
		ex.fail(http.StatusUnauthorized, azureBadKey)
	case kind == "bearer":
		ex.fail(http.StatusUnauthorized, "Access denied due to invalid or expired authorization token.")
	default:
		ex.fail(http.StatusForbidden, "Access denied due to missing subscription key or authorization token.")
	}
	return false
}

func (ex *azureExchange) checkQuery() bool {
	rec := ex.rec
	switch {
	case rec.Language == "":
		ex.fail(http.StatusBadRequest, "The language parameter is required.")
	case !slices.Contains(ex.opts().Languages, rec.Language):
		ex.fail(http.StatusBadRequest, fmt.Sprintf("Unsupported language: %s.", rec.Language))
	case rec.Format != "" && rec.Format != "simple" && rec.Format != "detailed":
		ex.fail(http.StatusBadRequest, fmt.Sprintf("Invalid format: %s.", rec.Format))
	case rec.Profanity != "" && rec.Profanity != "masked" && rec.Profanity != "removed" && rec.Profanity != "raw":
		ex.fail(http.StatusBadRequest, fmt.Sprintf("Invalid profanity option: %s.", rec.Profanity))
	default:
		return true
	}
	return false
}

// checkContentType wants audio/wav; codecs=audio/pcm; samplerate=16000
// (this double does not decode the other documented type, Ogg Opus).
func (ex *azureExchange) checkContentType() bool {
	mt, params := parseContentType(ex.rec.ContentType)
	if mt == "audio/wav" && params["codecs"] == "audio/pcm" && params["samplerate"] == "16000" {
		return true
	}
	ex.fail(http.StatusBadRequest, fmt.Sprintf("Unsupported Content-Type %q: want audio/wav; codecs=audio/pcm; samplerate=16000.",
		ex.rec.ContentType))
	return false
}

// parseContentType splits "type; k=v; ..." leniently: the documented value
// carries an unquoted "/" (codecs=audio/pcm), which mime.ParseMediaType refuses.
func parseContentType(ct string) (string, map[string]string) {
	parts := strings.Split(ct, ";")
	params := map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return strings.ToLower(strings.TrimSpace(parts[0])), params
}

// readAudio reads the RIFF header, then PCM as it arrives, up to MaxAudio.
func (ex *azureExchange) readAudio() bool {
	br := bufio.NewReaderSize(ex.r.Body, 4096)
	rate, channels, bits, err := readRIFFHeader(br)
	if err != nil {
		if isClientGone(err) {
			ex.srv.update(ex.rec, func(q *AzureRequest) { q.Canceled = true })
			return false
		}
		ex.fail(http.StatusBadRequest, "Invalid audio: "+err.Error())
		return false
	}
	ex.srv.update(ex.rec, func(q *AzureRequest) { q.SampleRate, q.Channels, q.Bits = rate, channels, bits })
	if rate != azureRate || channels != 1 || bits != 16 {
		ex.fail(http.StatusBadRequest, fmt.Sprintf("Unsupported audio format: %d Hz, %d channels, %d bits; want 16000 Hz 16-bit mono PCM.",
			rate, channels, bits))
		return false
	}
	return ex.readPCM(br)
}

func (ex *azureExchange) readPCM(br *bufio.Reader) bool {
	buf := make([]byte, 3200)
	have := 0
	var sumSq float64
	maxSamples := int(ex.opts().MaxAudio * azureRate / time.Second)
	for {
		n, err := br.Read(buf[have:])
		have += n
		whole := have &^ 1
		over := false
		for i := 0; i < whole; i += 2 {
			if len(ex.pcm) >= maxSamples {
				over = true
				break
			}
			v := int16(binary.LittleEndian.Uint16(buf[i:]))
			ex.pcm = append(ex.pcm, v)
			sumSq += float64(v) * float64(v) / (32768 * 32768)
		}
		have = copy(buf, buf[whole:have])
		rms := math.Sqrt(sumSq / float64(max(len(ex.pcm), 1)))
		ex.srv.update(ex.rec, func(q *AzureRequest) { q.Samples, q.RMS, q.OverLimit = len(ex.pcm), rms, q.OverLimit || over })
		switch {
		case over || err == io.EOF:
			return true
		case err != nil:
			ex.srv.update(ex.rec, func(q *AzureRequest) { q.Canceled = true })
			ex.opts().Log.Debug("asrtest: azure: body cut", "request", ex.rec.Index, "err", err)
			return false
		}
	}
}

func isClientGone(err error) bool {
	return err != nil && !errors.Is(err, errRIFF)
}

var errRIFF = errors.New("not a RIFF/WAVE PCM header")

// readRIFFHeader reads a WAV header up to the start of the data chunk,
// tolerating placeholder sizes, and returns its format.
func readRIFFHeader(br *bufio.Reader) (rate, channels, bits int, err error) {
	var hdr [12]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, 0, 0, fmt.Errorf("%w: body of %d bytes", errRIFF, 0)
		}
		return 0, 0, 0, err
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return 0, 0, 0, fmt.Errorf("%w: body starts with %q", errRIFF, hdr[:4])
	}
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return 0, 0, 0, fmt.Errorf("%w: no data chunk", errRIFF)
		}
		id, size := string(ch[:4]), binary.LittleEndian.Uint32(ch[4:])
		switch {
		case id == "data" && haveFmt:
			return rate, channels, bits, nil
		case id == "data":
			return 0, 0, 0, fmt.Errorf("%w: data chunk before fmt chunk", errRIFF)
		case id == "fmt " && size >= 16 && size <= 64:
			f := make([]byte, size)
			if _, err := io.ReadFull(br, f); err != nil {
				return 0, 0, 0, fmt.Errorf("%w: short fmt chunk", errRIFF)
			}
			le := binary.LittleEndian
			if tag := le.Uint16(f[0:]); tag != 1 {
				return 0, 0, 0, fmt.Errorf("%w: format tag %#04x is not PCM", errRIFF, tag)
			}
			channels, rate, bits = int(le.Uint16(f[2:])), int(le.Uint32(f[4:])), int(le.Uint16(f[14:]))
			haveFmt = true
		case size <= 1<<16:
			if _, err := br.Discard(int(size + size&1)); err != nil {
				return 0, 0, 0, fmt.Errorf("%w: short %q chunk", errRIFF, id)
			}
		default:
			return 0, 0, 0, fmt.Errorf("%w: %q chunk of %d bytes before the data", errRIFF, id, size)
		}
	}
}

// fail answers an error status with Azure's JSON error body and records it.
func (ex *azureExchange) fail(status int, msg string) {
	ex.srv.update(ex.rec, func(q *AzureRequest) { q.HTTPStatus = status })
	writeAzureError(ex.w, status, msg)
}

// writeAzureError writes {"error":{"code":"401","message":"..."}}.
func writeAzureError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": strconv.Itoa(status), "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// azureNBest is one detailed alternative, fields in the service's order.
type azureNBest struct {
	Confidence float64 `json:"Confidence"`
	Lexical    string  `json:"Lexical"`
	ITN        string  `json:"ITN"`
	MaskedITN  string  `json:"MaskedITN"`
	Display    string  `json:"Display"`
}

// azureReply is the JSON answer; Offset and Duration are numbers or strings.
type azureReply struct {
	RecognitionStatus string       `json:"RecognitionStatus"`
	Offset            any          `json:"Offset"`
	Duration          any          `json:"Duration"`
	DisplayText       string       `json:"DisplayText,omitempty"`
	NBest             []azureNBest `json:"NBest,omitempty"`
}

// answer writes the recognition result in the requested format.
func (ex *azureExchange) answer(reply AzureReply) {
	status := reply.Status
	if status == "" {
		status = "Success"
		if reply.Text == "" {
			status = "NoMatch"
		}
	}
	off, dur := speechTicks(ex.pcm)
	out := azureReply{RecognitionStatus: status, Offset: off, Duration: dur}
	if ex.opts().OffsetsAsStrings {
		out.Offset, out.Duration = strconv.FormatInt(off, 10), strconv.FormatInt(dur, 10)
	}
	if status == "Success" {
		out.DisplayText = reply.Text
		if ex.rec.Format == "detailed" {
			conf := reply.Confidence
			if conf == 0 {
				conf = 0.9
			}
			lex := lexical(reply.Text)
			out.NBest = []azureNBest{{Confidence: conf, Lexical: lex, ITN: lex, MaskedITN: lex, Display: reply.Text}}
		}
	}
	ex.srv.update(ex.rec, func(q *AzureRequest) {
		q.HTTPStatus, q.RecognitionStatus, q.Text = http.StatusOK, status, out.DisplayText
	})
	body, _ := json.Marshal(out) // plain values always marshal
	ex.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	ex.w.Write(body)
}

// lexical is the text without punctuation or spaces, as Lexical shows it.
func lexical(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// speechTicks finds the voiced span of pcm (10 ms windows above SilenceRMS)
// and returns its offset and duration in 100 ns ticks.
func speechTicks(pcm []int16) (offset, duration int64) {
	const win = azureRate / 100
	first, last := -1, -1
	for i := 0; i+win <= len(pcm); i += win {
		if rms, _ := pcmStats(pcm[i : i+win]); rms >= SilenceRMS {
			if first < 0 {
				first = i
			}
			last = i + win
		}
	}
	if first < 0 {
		return int64(len(pcm)) * 625, 0
	}
	return int64(first) * 625, int64(last-first) * 625 // 10^7 / 16000 ticks per sample
}
