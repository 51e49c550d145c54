package funasr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
)

// endMessage tells the server no more audio follows (websocket_protocol.md).
var endMessage = []byte(`{"is_speaking":false}`)

// configMessage is the first text frame of a stream. Fields follow
// runtime/python/websocket/funasr_wss_client.py; the two look-back fields are
// the reference client's constants.
type configMessage struct {
	Mode                 string `json:"mode"`
	WavName              string `json:"wav_name"`
	WavFormat            string `json:"wav_format"`
	AudioFS              int    `json:"audio_fs"`
	IsSpeaking           bool   `json:"is_speaking"`
	ChunkSize            [3]int `json:"chunk_size"`
	ChunkInterval        int    `json:"chunk_interval"`
	EncoderChunkLookBack int    `json:"encoder_chunk_look_back"`
	DecoderChunkLookBack int    `json:"decoder_chunk_look_back"`
	Hotwords             string `json:"hotwords,omitempty"`
	ITN                  bool   `json:"itn"`
	SVSLang              string `json:"svs_lang,omitempty"`
	SVSITN               bool   `json:"svs_itn"`
}

// configJSON builds the config message for one stream.
func (c Config) configJSON(wavName string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(configMessage{ // a struct of strings, ints and bools always encodes
		Mode:                 c.Mode,
		WavName:              wavName,
		WavFormat:            "pcm",
		AudioFS:              c.SampleRate,
		IsSpeaking:           true,
		ChunkSize:            c.ChunkSize,
		ChunkInterval:        c.ChunkInterval,
		EncoderChunkLookBack: 4,
		DecoderChunkLookBack: 0,
		Hotwords:             c.hotwordsJSON(),
		ITN:                  c.ITN,
		SVSLang:              c.SVSLang,
		SVSITN:               c.SVSITN,
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// resultKind classifies a server frame.
type resultKind int

const (
	kindNone    resultKind = iota // no mode and no text: the empty end-of-stream result
	kindOnline                    // "2pass-online" / "online": a delta to append
	kindOffline                   // "2pass-offline" / "offline": a sentence final
	kindError                     // "ERROR. ..." text without a mode
)

// result is one parsed server frame.
type result struct {
	kind     resultKind
	text     string // <|…|> tags stripped (the raw text for kindError)
	final    bool   // is_final: the last result of the stream
	index    int    // sentence index, if hasIndex
	hasIndex bool
	start    time.Duration // start_time, if hasTimes
	end      time.Duration // end_time, if hasTimes
	hasTimes bool
}

// wireResult holds the fields the client reads. Optional metadata (index,
// start_time, end_time) is kept raw and ignored when ill-typed; timestamp,
// stamp_sents, slice_type and wav_name are ignored.
type wireResult struct {
	Mode      *string         `json:"mode"`
	Text      *string         `json:"text"`
	IsFinal   *bool           `json:"is_final"`
	Index     json.RawMessage `json:"index"`
	StartTime json.RawMessage `json:"start_time"`
	EndTime   json.RawMessage `json:"end_time"`
}

// maxMillis bounds times and indexes taken from the wire (a day in ms), so
// conversions cannot overflow.
const maxMillis = 86_400_000

// parseResult parses one server frame. Errors wrap asr.ErrProtocol.
func parseResult(typ int, data []byte) (result, error) {
	if typ != websocket.TextMessage {
		return result{}, fmt.Errorf("%w: unexpected frame type %d (%d bytes)", asr.ErrProtocol, typ, len(data))
	}
	var w wireResult
	if len(data) == 0 || data[0] != '{' {
		return result{}, fmt.Errorf("%w: not a JSON object: %q", asr.ErrProtocol, clip(data))
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return result{}, fmt.Errorf("%w: %w in %q", asr.ErrProtocol, err, clip(data))
	}
	if w.Text == nil {
		return result{}, fmt.Errorf("%w: no text field in %q", asr.ErrProtocol, clip(data))
	}
	r := result{final: w.IsFinal != nil && *w.IsFinal}
	mode := ""
	if w.Mode != nil {
		mode = *w.Mode
	}
	switch mode {
	case "2pass-online", "online":
		r.kind = kindOnline
	case "2pass-offline", "offline":
		r.kind = kindOffline
	case "":
		switch {
		case strings.HasPrefix(*w.Text, "ERROR"):
			r.kind, r.text = kindError, *w.Text
			return r, nil
		case *w.Text != "":
			return result{}, fmt.Errorf("%w: text without a mode in %q", asr.ErrProtocol, clip(data))
		}
		return r, nil
	default:
		return result{}, fmt.Errorf("%w: unknown mode %q", asr.ErrProtocol, mode)
	}
	r.text = stripTags(*w.Text)
	r.setMeta(w)
	return r, nil
}

// setMeta takes the sentence index and times, when they are well formed.
func (r *result) setMeta(w wireResult) {
	if n, ok := millis(w.Index); ok && n == math.Trunc(n) {
		r.index, r.hasIndex = int(n), true
	}
	s, okS := millis(w.StartTime)
	e, okE := millis(w.EndTime)
	if okS && okE && e >= s {
		r.start, r.end, r.hasTimes = msDuration(s), msDuration(e), true
	}
}

// millis reads a non-negative number below maxMillis, or reports false.
func millis(raw json.RawMessage) (float64, bool) {
	var v float64
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v < 0 || v >= maxMillis {
		return 0, false
	}
	return v, true
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// stripTags removes every SenseVoice <|…|> tag (<|yue|><|NEUTRAL|>
// <|Speech|><|withitn|>) in one pass, so that no tag remains even where
// removing one joins the halves of another ("<<|x|>|yue|>"). An unclosed
// "<|" is kept as text. The markers are ASCII, so UTF-8 stays valid.
func stripTags(s string) string {
	if !strings.Contains(s, "<|") {
		return s
	}
	out := make([]byte, 0, len(s))
	var opens []int // offsets of "<|" still in out, innermost last
	for i := 0; i < len(s); i++ {
		c := s[i]
		out = append(out, c)
		n := len(out)
		switch {
		case n < 2:
		case c == '|' && out[n-2] == '<':
			opens = append(opens, n-2)
		case c == '>' && out[n-2] == '|':
			// The innermost "<|" that does not share its '|' with this "|>".
			for k := len(opens) - 1; k >= 0; k-- {
				if opens[k]+2 <= n-2 {
					out, opens = out[:opens[k]], opens[:k]
					break
				}
			}
		}
	}
	return string(out)
}

// clip shortens b for an error message, at a rune boundary.
func clip(b []byte) string {
	const n = 160
	if len(b) <= n {
		return string(b)
	}
	i := n
	for i > n-4 && !utf8.RuneStart(b[i]) {
		i--
	}
	return string(b[:i]) + "…"
}
