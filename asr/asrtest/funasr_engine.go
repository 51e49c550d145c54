package asrtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// The scripted decoder. Sentence i of the script takes CharDuration per
// rune of speech; the VAD closes it EndSilence later, and sentence i+1
// starts there. While its audio arrives, each online chunk (60*chunk_size[1]
// ms) reveals the runes of OnlineText(sentence) the audio covers as a
// "2pass-online" delta; when the VAD closes it, the offline pass sends the
// sentence as "2pass-offline". At the end of audio the open sentence is
// flushed in the is_final result.

// samples converts a duration of audio to a sample count at audio_fs.
func (st *funasrSession) samples(d time.Duration) int {
	return int(d * time.Duration(st.audioFS) / time.Second)
}

func (st *funasrSession) millis(samples int) int {
	return samples * 1000 / max(st.audioFS, 1)
}

func (st *funasrSession) speechLen(s string) int {
	return utf8.RuneCountInString(s) * max(st.samples(st.opts().CharDuration), 1)
}

func (st *funasrSession) closeAt(s string) int {
	return st.segStart + st.speechLen(s) + st.samples(st.opts().EndSilence)
}

func (st *funasrSession) script() []string {
	return st.opts().Script(st.rec.Index, st.pcm)
}

// advance sends what is due now that the decoder has seen all of st.pcm.
func (st *funasrSession) advance() error {
	sents := st.script()
	q := len(st.pcm)
	chunk := max(st.samples(time.Duration(60*st.chunkMid)*time.Millisecond), 1)
	if st.nextChunk == 0 {
		st.nextChunk = chunk
	}
	if st.mode != "offline" && q >= st.nextChunk {
		for st.nextChunk <= q {
			st.nextChunk += chunk
		}
		if err := st.reveal(sents, q); err != nil {
			return err
		}
	}
	for st.seg < len(sents) && q >= st.closeAt(sents[st.seg]) {
		if err := st.closeSentence(sents[st.seg], false); err != nil {
			return err
		}
	}
	return nil
}

// reveal sends the online runes of the open sentence that the audio up to
// q covers and were not sent yet.
func (st *funasrSession) reveal(sents []string, q int) error {
	if st.seg >= len(sents) {
		return nil
	}
	online := []rune(st.opts().OnlineText(sents[st.seg]))
	n := len(online)
	if sp := st.speechLen(sents[st.seg]); sp > 0 {
		n = len(online) * min(q-st.segStart, sp) / sp
	}
	if n <= st.revealed {
		return nil
	}
	delta := string(online[st.revealed:n])
	return st.sendOnline(delta, n, false)
}

// closeSentence ends the open sentence: the rest of its online text, then
// (except in online mode) its offline result. last makes the final message
// of the stream carry is_final.
func (st *funasrSession) closeSentence(s string, last bool) error {
	online := []rune(st.opts().OnlineText(s))
	rest := ""
	if st.mode != "offline" && st.revealed < len(online) {
		rest = string(online[st.revealed:])
	}
	var err error
	if st.mode == "online" {
		st.addFinal(string(online))
		err = st.sendOnline(rest, len(online), last)
	} else {
		if rest != "" {
			err = st.sendOnline(rest, len(online), false)
		}
		if err == nil {
			err = st.sendOffline(s, last)
		}
	}
	st.segStart = st.closeAt(s)
	st.seg++
	st.revealed = 0
	return err
}

// finish sends the is_final result after the last audio: the open
// sentence, if its audio began, else an empty text without a mode.
func (st *funasrSession) finish() error {
	if err := st.advance(); err != nil {
		return err
	}
	sents := st.script()
	if st.seg < len(sents) && st.segStart < len(st.pcm) {
		return st.closeSentence(sents[st.seg], true)
	}
	return st.send(map[string]any{"is_final": true, "text": ""})
}

// sendOnline sends a delta; revealed is the sentence's online runes sent
// after it. Empty non-final texts are never sent.
func (st *funasrSession) sendOnline(delta string, revealed int, final bool) error {
	if delta == "" && !final {
		return nil
	}
	m := map[string]any{"is_final": final, "mode": "2pass-online", "text": delta}
	if delta == "" {
		m = map[string]any{"is_final": final, "text": ""}
	} else if !st.opts().LegacyFields {
		m["index"] = st.seg
		m["slice_type"] = min(st.revealed, 1) // 0 starts the sentence
	}
	st.revealed = revealed
	return st.send(m)
}

// sendOffline sends the offline decode of the open sentence.
func (st *funasrSession) sendOffline(s string, final bool) error {
	text := st.tags() + s
	st.addFinal(text)
	m := map[string]any{"is_final": final, "mode": "2pass-offline", "text": text}
	if !st.opts().LegacyFields {
		start := st.millis(st.segStart)
		end := st.millis(min(st.segStart+st.speechLen(s), max(len(st.pcm), st.segStart)))
		m["index"] = st.seg
		m["slice_type"] = 2
		m["start_time"] = start
		m["end_time"] = end
		m["timestamp"] = st.timestamps(s, start, end)
	}
	return st.send(m)
}

// tags is SenseVoice's prefix: <|lang|><|emotion|><|event|><|itn|>.
func (st *funasrSession) tags() string {
	if !st.opts().SenseVoice {
		return ""
	}
	lang := st.svsLang
	if lang == "" || lang == "auto" {
		lang = "yue"
	}
	itn := "woitn"
	if st.svsITN {
		itn = "withitn"
	}
	return "<|" + lang + "|><|NEUTRAL|><|Speech|><|" + itn + "|>"
}

// timestamps spreads [start, end) ms over the sentence's runes:
// "[[1200,1380],[1380,1560]]".
func (st *funasrSession) timestamps(s string, start, end int) string {
	n := max(utf8.RuneCountInString(s), 1)
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%d,%d]", start+(end-start)*i/n, start+(end-start)*(i+1)/n)
	}
	b.WriteByte(']')
	return b.String()
}

func (st *funasrSession) addFinal(text string) {
	st.srv.update(st.rec, func(r *FunASRRecord) { r.Finals = append(r.Finals, text) })
}

// send writes one result as nlohmann::json::dump does: compact, keys in
// order, UTF-8 unescaped. It adds wav_name.
func (st *funasrSession) send(m map[string]any) error {
	m["wav_name"] = st.wavName
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return err
	}
	msg := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	st.srv.update(st.rec, func(r *FunASRRecord) { r.Sent = append(r.Sent, string(msg)) })
	st.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err := st.conn.WriteMessage(websocket.TextMessage, msg)
	if err != nil {
		st.log.Debug("asrtest: funasr write", "err", err)
	}
	return err
}
