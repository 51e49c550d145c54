package asrtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// maxOpenAIBody is the API's default request size limit (25 MiB, quoted in its 413).
const maxOpenAIBody = 26214400

// whisperLanguages are Whisper's two-letter codes (whisper/tokenizer.py
// LANGUAGES); the API validates language against ISO-639-1.
var whisperLanguages = strings.Fields(`en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro
da hu ta no th ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km
sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt ln ha ba jw su`)

// languageNames are the names verbose_json reports for common codes.
var languageNames = map[string]string{"zh": "chinese", "yue": "cantonese", "en": "english", "ja": "japanese"}

var audioExts = []string{"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"}

// openaiExchange is one transcription request being served.
type openaiExchange struct {
	srv  *OpenAIServer
	w    http.ResponseWriter
	r    *http.Request
	rec  *OpenAIRequest
	file []byte
	pcm  []int16
	rate int
}

func (ex *openaiExchange) opts() OpenAIOptions { return ex.srv.opts }

func (ex *openaiExchange) field(name string) string {
	ex.srv.mu.Lock()
	defer ex.srv.mu.Unlock()
	if v := ex.rec.Fields[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// serve checks the request in the order the API reports problems and answers it.
func (ex *openaiExchange) serve() {
	if !ex.authorize() || !ex.readForm() || !ex.checkParams() || !ex.decodeFile() {
		return
	}
	reply := ex.opts().Script(ex.rec.Index, ex.pcm, ex.rate)
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ex.r.Context().Done():
			ex.srv.update(ex.rec, func(q *OpenAIRequest) { q.Canceled = true })
			return
		}
	}
	if reply.Status != 0 {
		ex.fail(reply.Status, reply.Type, "", reply.Code, reply.Message)
		return
	}
	ex.answer(reply.Segments)
}

func (ex *openaiExchange) authorize() bool {
	h := ex.r.Header.Get("Authorization")
	token, bearer := strings.CutPrefix(h, "Bearer ")
	key := ex.opts().Key
	ok := key == "" || bearer && token == key
	ex.srv.update(ex.rec, func(q *OpenAIRequest) {
		switch {
		case bearer:
			q.Auth = "bearer"
		case h != "":
			q.Auth = "other"
		}
		q.AuthOK = ok
	})
	switch {
	case ok:
		return true
	case h == "":
		ex.fail(http.StatusUnauthorized, "invalid_request_error", "", "",
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth "+
				"(i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.")
	default:
		ex.fail(http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key",
			fmt.Sprintf("Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.",
				maskKey(strings.TrimSpace(token))))
	}
	return false
}

// maskKey shows a key the way the API's 401 does: the first three and last
// four characters.
func maskKey(k string) string {
	if len(k) < 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

// readForm parses the multipart body, recording the fields and the file.
func (ex *openaiExchange) readForm() bool {
	ct := ex.r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		ex.fail(http.StatusBadRequest, "invalid_request_error", "", "",
			fmt.Sprintf("Invalid Content-Type header (%s), expected multipart/form-data.", ct))
		return false
	}
	body := http.MaxBytesReader(ex.w, ex.r.Body, ex.opts().MaxBytes)
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return true
		}
		if err == nil {
			err = ex.readPart(part)
		}
		if err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				ex.fail(http.StatusRequestEntityTooLarge, "server_error", "", "",
					fmt.Sprintf("Maximum content size limit (%d) exceeded.", ex.opts().MaxBytes))
				return false
			}
			ex.fail(http.StatusBadRequest, "invalid_request_error", "", "", "Could not parse multipart form")
			return false
		}
	}
}

func (ex *openaiExchange) readPart(part *multipart.Part) error {
	defer part.Close()
	name := part.FormName()
	if name == "file" && part.FileName() != "" {
		data, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		ex.file = data
		ex.srv.update(ex.rec, func(q *OpenAIRequest) {
			q.FileName, q.FileType, q.FileBytes = part.FileName(), part.Header.Get("Content-Type"), len(data)
		})
		return nil
	}
	v, err := io.ReadAll(io.LimitReader(part, 1<<20))
	if err != nil {
		return err
	}
	ex.srv.update(ex.rec, func(q *OpenAIRequest) {
		q.Fields[name] = append(q.Fields[name], string(v))
		switch name {
		case "model":
			q.Model = string(v)
		case "language":
			q.Language = string(v)
		case "prompt":
			q.Prompt = string(v)
		case "response_format":
			q.ResponseFormat = string(v)
		}
	})
	return nil
}

// checkParams validates model, response_format and language.
func (ex *openaiExchange) checkParams() bool {
	model, format, lang := ex.field("model"), ex.field("response_format"), ex.field("language")
	switch {
	case model == "":
		ex.fail(http.StatusBadRequest, "invalid_request_error", "", "", "you must provide a model parameter")
	case !ex.opts().serves(model):
		ex.fail(http.StatusNotFound, "invalid_request_error", "", "model_not_found",
			fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model))
	case format != "" && !slices.Contains([]string{"json", "text", "srt", "verbose_json", "vtt"}, format):
		ex.fail(http.StatusBadRequest, "invalid_request_error", "response_format", "invalid_value",
			fmt.Sprintf("Invalid value: '%s'. Supported values are: 'json', 'text', 'srt', 'verbose_json', and 'vtt'.", format))
	case strings.HasPrefix(model, "gpt-") && format != "" && format != "json" && format != "text":
		ex.fail(http.StatusBadRequest, "invalid_request_error", "response_format", "unsupported_value",
			fmt.Sprintf("response_format '%s' is not compatible with model '%s'. Use 'json' or 'text' instead.", format, model))
	case lang != "" && !ex.languageOK(model, lang):
		ex.fail(http.StatusBadRequest, "invalid_request_error", "language", "invalid_language_format",
			fmt.Sprintf("Invalid language '%s'. Language parameter must be specified in ISO-639-1 format.", lang))
	default:
		return true
	}
	return false
}

// languageOK: ISO-639-1 codes Whisper knows; yue only on large-v3-like models.
func (ex *openaiExchange) languageOK(model, lang string) bool {
	if lang == "yue" {
		return slices.Contains(ex.opts().YueModels, model)
	}
	return slices.Contains(whisperLanguages, lang)
}

// decodeFile checks the upload and decodes it (WAV only in this double).
func (ex *openaiExchange) decodeFile() bool {
	name := ex.rec.FileName
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	switch {
	case ex.file == nil:
		ex.fail(http.StatusBadRequest, "invalid_request_error", "file", "missing_required_parameter",
			"Missing required parameter: 'file'.")
		return false
	case !slices.Contains(audioExts, ext):
		ex.fail(http.StatusBadRequest, "invalid_request_error", "file", "invalid_value",
			"Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']")
		return false
	}
	wr, err := audio.NewWAVReader(bytes.NewReader(ex.file))
	var pcm audio.PCM16
	if err == nil {
		pcm, _, err = audio.ReadWAV(bytes.NewReader(ex.file))
	}
	if err != nil {
		ex.srv.opts.Log.Warn("asrtest: openai: undecodable file", "name", name, "err", err)
		ex.fail(http.StatusBadRequest, "invalid_request_error", "file", "invalid_value",
			"Audio file might be corrupted or unsupported")
		return false
	}
	ex.pcm, ex.rate = pcm, wr.SampleRate()
	rms, _ := pcmStats(pcm)
	ex.srv.update(ex.rec, func(q *OpenAIRequest) {
		q.SampleRate, q.Channels, q.Samples, q.RMS = wr.SampleRate(), wr.Channels(), len(pcm), rms
	})
	if audio.Duration(len(pcm), ex.rate) < 100*time.Millisecond {
		ex.fail(http.StatusBadRequest, "invalid_request_error", "file", "audio_too_short",
			"Audio file is too short. Minimum audio length is 0.1 seconds.")
		return false
	}
	return true
}

// fail answers an OpenAI error body and records it.
func (ex *openaiExchange) fail(status int, typ, param, code, msg string) {
	ex.srv.update(ex.rec, func(q *OpenAIRequest) { q.Status, q.ErrorCode, q.ErrorMessage = status, code, msg })
	writeOpenAIError(ex.w, status, typ, param, code, msg)
}

// writeOpenAIError writes {"error":{"message","type","param","code"}}, with
// null for an empty param or code.
func writeOpenAIError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": null(param), "code": null(code),
	}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// openaiSegment is a verbose_json segment, fields in the API's order.
type openaiSegment struct {
	ID               int     `json:"id"`
	Seek             int     `json:"seek"`
	Start            float64 `json:"start"`
	End              float64 `json:"end"`
	Text             string  `json:"text"`
	Tokens           []int   `json:"tokens"`
	Temperature      float64 `json:"temperature"`
	AvgLogprob       float64 `json:"avg_logprob"`
	CompressionRatio float64 `json:"compression_ratio"`
	NoSpeechProb     float64 `json:"no_speech_prob"`
}

// openaiVerbose is a verbose_json reply, fields in the API's order.
type openaiVerbose struct {
	Task     string          `json:"task"`
	Language string          `json:"language"`
	Duration float64         `json:"duration"`
	Text     string          `json:"text"`
	Segments []openaiSegment `json:"segments"`
}

// answer writes the transcript in the requested response_format.
func (ex *openaiExchange) answer(script []OpenAISegment) {
	dur := float64(len(ex.pcm)) / float64(ex.rate)
	segs := timeSegments(script, dur)
	var text strings.Builder
	for _, s := range segs {
		text.WriteString(s.Text)
	}
	ex.srv.update(ex.rec, func(q *OpenAIRequest) { q.Status, q.Text = http.StatusOK, text.String() })
	w := ex.w
	switch ex.field("response_format") {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, text.String()+"\n")
	case "srt", "vtt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, subtitles(segs, ex.field("response_format") == "vtt"))
	case "verbose_json":
		lang := ex.field("language")
		name, ok := languageNames[lang]
		if !ok {
			name = "chinese"
		}
		writeJSON(w, openaiVerbose{Task: "transcribe", Language: name, Duration: round2(dur),
			Text: text.String(), Segments: segs})
	default:
		writeJSON(w, map[string]any{"text": text.String()})
	}
}

// timeSegments gives scripted segments their times, spreading untimed
// ones evenly over dur seconds.
func timeSegments(script []OpenAISegment, dur float64) []openaiSegment {
	out := make([]openaiSegment, len(script))
	for i, s := range script {
		start, end := s.Start, s.End
		if start == 0 && end == 0 {
			start, end = dur*float64(i)/float64(len(script)), dur*float64(i+1)/float64(len(script))
		}
		toks := make([]int, 0, len([]rune(s.Text)))
		for j := range []rune(s.Text) {
			toks = append(toks, 50365+j)
		}
		out[i] = openaiSegment{ID: i, Start: round2(start), End: round2(end), Text: s.Text, Tokens: toks,
			AvgLogprob: -0.25, CompressionRatio: 1.1, NoSpeechProb: s.NoSpeechProb}
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// subtitles renders segments as SubRip or WebVTT cues.
func subtitles(segs []openaiSegment, vtt bool) string {
	var b strings.Builder
	sep := ","
	if vtt {
		b.WriteString("WEBVTT\n\n")
		sep = "."
	}
	stamp := func(f float64) string {
		ms := int64(math.Round(f * 1000))
		return fmt.Sprintf("%02d:%02d:%02d%s%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
	}
	for i, s := range segs {
		if !vtt {
			fmt.Fprintf(&b, "%d\n", i+1)
		}
		fmt.Fprintf(&b, "%s --> %s\n%s\n\n", stamp(s.Start), stamp(s.End), s.Text)
	}
	return b.String()
}

func writeJSON(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v) // plain values always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
