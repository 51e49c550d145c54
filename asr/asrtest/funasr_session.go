package asrtest

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"

	"github.com/gorilla/websocket"
)

// funasrStep is the decoder step of websocket-server-2pass.cpp: 800
// samples (1600 bytes) of PCM16.
const funasrStep = 800 * 2

// errFunASRCrash ends a session whose connection DropAfter cut.
var errFunASRCrash = errors.New("asrtest: funasr connection cut")

// funasrSession is one websocket connection: the protocol state of
// WebSocketServer::on_message and do_decoder for one stream.
type funasrSession struct {
	srv  *FunASRServer
	conn *websocket.Conn
	rec  *FunASRRecord
	log  *slog.Logger

	configured bool // a text message arrived (the server compiled hotwords)
	decoding   bool // a valid chunk_size arrived (tpass_online_handle exists)
	eof        bool // malformed JSON: the server ignores the connection from then on
	ended      bool // the is_final result went out

	mode, wavName, wavFormat string
	svsLang                  string
	audioFS                  int
	itn, svsITN              bool
	chunkMid                 int // chunk_size[1]: online chunks of 60*chunkMid ms

	buf   []byte  // sample_data: bytes not yet posted to the decoder
	pcm   []int16 // decoded audio
	sumSq float64
	peak  float64

	nextChunk int // sample position of the next online chunk boundary
	seg       int // index of the open sentence
	segStart  int // sample position where it began
	revealed  int // runes of its online text sent so far
}

func newFunASRSession(s *FunASRServer, conn *websocket.Conn, rec *FunASRRecord) *funasrSession {
	st := &funasrSession{
		srv: s, conn: conn, rec: rec,
		log: s.opts.Log.With("stream", rec.Index),
		// on_open's defaults
		mode: "2pass", wavName: "wav-default-id", wavFormat: "pcm", audioFS: 16000,
		itn: true, svsLang: "auto", svsITN: true,
	}
	st.record()
	return st
}

func (st *funasrSession) opts() FunASROptions { return st.srv.opts }

// run reads frames until the connection ends.
func (st *funasrSession) run() {
	for {
		typ, data, err := st.conn.ReadMessage()
		if err != nil {
			st.log.Debug("asrtest: funasr read", "err", err)
			return
		}
		if st.eof {
			continue // on_message returns at once for an is_eof connection
		}
		var werr error
		switch typ {
		case websocket.TextMessage:
			werr = st.onText(data)
		case websocket.BinaryMessage:
			werr = st.onBinary(data)
		}
		if werr != nil {
			return
		}
	}
}

// record copies the effective config into the record.
func (st *funasrSession) record() {
	st.srv.update(st.rec, func(r *FunASRRecord) {
		r.Mode, r.WavName, r.WavFormat, r.AudioFS = st.mode, st.wavName, st.wavFormat, st.audioFS
		r.ITN, r.SVSLang, r.SVSITN = st.itn, st.svsLang, st.svsITN
	})
}

func (st *funasrSession) reject(reason string) {
	st.log.Warn("asrtest: funasr decodes nothing", "reason", reason)
	st.srv.update(st.rec, func(r *FunASRRecord) {
		if r.Rejected == "" {
			r.Rejected = reason
		}
	})
}

// onText handles a JSON text frame as on_message does.
func (st *funasrSession) onText(data []byte) error {
	first := !st.configured
	st.srv.update(st.rec, func(r *FunASRRecord) {
		r.TextMessages++
		if first {
			r.Config = string(data)
		}
	})
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		// nlohmann::json::parse throws: is_eof, no reply, ever.
		st.reject(fmt.Sprintf("malformed JSON message %q", clip(string(data))))
		st.eof = true
		return nil
	}
	if err := st.applyConfig(m); err != nil {
		st.reject(err.Error())
		if !errors.Is(err, errWrongChunkSize) {
			st.eof = true // a type error aborts the handler
		}
		return nil
	}
	st.record()
	var speaking, finished *bool
	if jsonField(m, "is_speaking", &speaking) != nil || jsonField(m, "is_finished", &finished) != nil {
		return nil
	}
	if (speaking != nil && !*speaking || finished != nil && *finished) && !st.ended {
		return st.onEnd()
	}
	return nil
}

// errWrongChunkSize is the server's "Wrong chunk_size!": it stops handling
// the message and never creates the online decoder.
var errWrongChunkSize = errors.New("Wrong chunk_size!")

// applyConfig takes the fields of one text message in on_message's order.
func (st *funasrSession) applyConfig(m map[string]json.RawMessage) error {
	for key, dst := range map[string]*string{"wav_name": &st.wavName, "mode": &st.mode, "wav_format": &st.wavFormat} {
		if err := jsonField(m, key, dst); err != nil {
			return err
		}
	}
	if !st.configured {
		if err := st.compileHotwords(m); err != nil {
			return err
		}
		st.configured = true
	}
	if err := jsonField(m, "audio_fs", &st.audioFS); err != nil {
		return err
	}
	if raw, ok := m["chunk_size"]; ok && !st.decoding {
		var cs []int
		err := json.Unmarshal(raw, &cs)
		st.srv.update(st.rec, func(r *FunASRRecord) { r.ChunkSize = cs })
		if err != nil || len(cs) != 3 || cs[1] == 0 {
			return errWrongChunkSize
		}
		st.decoding, st.chunkMid = true, cs[1]
	}
	if _, ok := m["chunk_interval"]; ok {
		var interval int
		if err := jsonField(m, "chunk_interval", &interval); err != nil {
			return err
		}
		st.srv.update(st.rec, func(r *FunASRRecord) { r.ChunkInterval = interval })
	}
	if err := jsonField(m, "itn", &st.itn); err != nil {
		return err
	}
	if err := jsonField(m, "svs_lang", &st.svsLang); err != nil {
		return err
	}
	return jsonField(m, "svs_itn", &st.svsITN)
}

// compileHotwords reads "hotwords" as the server does: a string that holds
// a JSON object of weights (FST hotwords), else plain "nn" hotwords.
func (st *funasrSession) compileHotwords(m map[string]json.RawMessage) error {
	var hw *string
	if err := jsonField(m, "hotwords", &hw); err != nil {
		return err
	}
	if hw == nil || *hw == "" {
		return nil
	}
	var obj map[string]int
	if json.Unmarshal([]byte(*hw), &obj) != nil || obj == nil {
		st.log.Info("asrtest: funasr hotwords are not a JSON object: used as nn hotwords", "hotwords", *hw)
		obj = nil
	}
	st.srv.update(st.rec, func(r *FunASRRecord) { r.Hotwords, r.HotwordsObject = *hw, obj })
	return nil
}

// jsonField decodes m[key] into dst if present; a wrong type is an error
// (nlohmann's type_error aborts the real handler).
func jsonField(m map[string]json.RawMessage, key string, dst any) error {
	raw, ok := m[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("field %s: %w", key, err)
	}
	return nil
}

// onBinary buffers audio and posts whole steps to the decoder, dropping
// them while no config message has arrived (hotwords_embedding is null).
func (st *funasrSession) onBinary(data []byte) error {
	early := !st.configured
	st.srv.update(st.rec, func(r *FunASRRecord) {
		r.Frames++
		r.FrameBytes[len(data)]++
		if early {
			r.EarlyFrames++
		}
	})
	if st.ended {
		st.log.Warn("asrtest: funasr audio after the end ignored", "bytes", len(data))
		return nil
	}
	st.buf = append(st.buf, data...)
	if len(st.buf) <= funasrStep {
		return nil
	}
	n := len(st.buf) / funasrStep * funasrStep
	var err error
	if early {
		st.srv.update(st.rec, func(r *FunASRRecord) { r.EarlySamples += n / 2 })
		st.log.Info("asrtest: funasr audio before the config message dropped", "bytes", n)
	} else {
		err = st.decode(st.buf[:n], false)
	}
	st.buf = append(st.buf[:0], st.buf[n:]...)
	return err
}

// onEnd decodes what is buffered and sends the is_final result.
func (st *funasrSession) onEnd() error {
	st.srv.update(st.rec, func(r *FunASRRecord) { r.GotEnd = true })
	buf := st.buf
	st.buf = nil
	return st.decode(buf, true)
}

// decode is do_decoder: whole steps, then on the final call the rest and
// the stream's last result.
func (st *funasrSession) decode(data []byte, final bool) error {
	if !st.decoding {
		st.reject("no valid chunk_size: nothing decoded, no reply")
		return nil
	}
	if st.wavFormat != "pcm" && st.wavFormat != "PCM" {
		if final {
			st.ended = true
			return st.send(map[string]any{"is_final": true,
				"text": "ERROR. Real-time transcription service ONLY SUPPORT PCM stream."})
		}
		return nil
	}
	for len(data) >= funasrStep {
		if err := st.step(data[:funasrStep]); err != nil {
			return err
		}
		data = data[funasrStep:]
	}
	if !final {
		return nil
	}
	st.appendPCM(data)
	st.ended = true
	return st.finish()
}

// step decodes one 800-sample step.
func (st *funasrSession) step(data []byte) error {
	st.appendPCM(data)
	if d, k := st.opts().DropAfter, st.opts().DropFirst; d > 0 && (k == 0 || st.rec.Index < k) && len(st.pcm) >= st.samples(d) {
		st.log.Info("asrtest: funasr dropping connection")
		st.conn.NetConn().Close() // no close frame: a crash
		return errFunASRCrash
	}
	return st.advance()
}

func (st *funasrSession) appendPCM(data []byte) {
	for i := 0; i+1 < len(data); i += 2 {
		v := int16(binary.LittleEndian.Uint16(data[i:]))
		f := float64(v) / 32768
		st.sumSq += f * f
		st.peak = max(st.peak, math.Abs(f))
		st.pcm = append(st.pcm, v)
	}
	n := len(st.pcm)
	st.srv.update(st.rec, func(r *FunASRRecord) {
		r.Samples = n
		r.RMS = math.Sqrt(st.sumSq / float64(max(n, 1)))
		r.Peak = st.peak
	})
}
