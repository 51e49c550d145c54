package ttstest

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"time"

	"github.com/gorilla/websocket"
)

// synthesize speaks one sentence: sentence-begin, then for every audio
// frame a sentence-synthesis event followed by the binary frame, then
// sentence-end with the billed characters so far.
func (ss *cvSession) synthesize(sentence string) bool {
	t, o := ss.task, ss.opts()
	idx := t.sentence
	t.sentence++
	begin := map[string]any{"sentence": map[string]any{"index": idx, "words": []any{}},
		"type": "sentence-begin", "original_text": sentence}
	if !ss.result(begin, nil) {
		return false
	}
	pcm := CosyVoiceSpeech(sentence, o.CharDuration, t.speed, t.rate)
	per := max(int(o.FrameDuration*time.Duration(t.rate)/time.Second), 1)
	for off := 0; off < len(pcm); off += per {
		frame := pcm[off:min(off+per, len(pcm))]
		synth := map[string]any{"sentence": map[string]any{"index": idx, "words": []any{}}, "type": "sentence-synthesis"}
		if !ss.result(synth, nil) || !ss.sendAudio(frame, t.gain) {
			return false
		}
		if !ss.afterFrame() {
			return false
		}
	}
	ss.srv.update(t.rec, func(r *CosyVoiceTask) { r.Sentences++ })
	end := map[string]any{"sentence": map[string]any{"index": idx, "words": []any{}},
		"type": "sentence-end", "original_text": sentence}
	return ss.result(end, map[string]any{"characters": t.rec.Characters})
}

// sendAudio writes one binary frame of PCM16 little-endian, scaled by gain.
func (ss *cvSession) sendAudio(frame []int16, gain float64) bool {
	b := make([]byte, 2*len(frame))
	for i, v := range frame {
		s := math.Max(math.Min(float64(v)*gain, math.MaxInt16), math.MinInt16)
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(s)))
	}
	t := ss.task
	t.frames++
	ss.srv.update(t.rec, func(r *CosyVoiceTask) { // before the write: the client may see the frame at once
		r.Frames++
		r.Samples += len(frame)
	})
	return ss.write(websocket.BinaryMessage, b) == nil
}

// afterFrame applies DropAfterFrames, Hold and FrameInterval.
func (ss *cvSession) afterFrame() bool {
	t, o := ss.task, ss.opts()
	if o.DropAfterFrames > 0 && t.frames >= o.DropAfterFrames {
		ss.log.Info("ttstest: cosyvoice dropping connection", "task", t.rec.TaskID)
		ss.conn.NetConn().Close() // no close frame: a crash
		return false
	}
	if o.Hold != nil && t.frames == 1 {
		select {
		case <-o.Hold:
		case <-ss.gone:
			return false
		}
	}
	if o.FrameInterval > 0 {
		tm := time.NewTimer(o.FrameInterval)
		defer tm.Stop()
		select {
		case <-tm.C:
		case <-ss.gone:
			return false
		}
	}
	return true
}

// result sends a result-generated event with output and usage.
func (ss *cvSession) result(output, usage map[string]any) bool {
	payload := map[string]any{"output": output}
	if usage != nil {
		payload["usage"] = usage
	}
	ss.srv.update(ss.task.rec, func(r *CosyVoiceTask) { r.Events++ })
	return ss.sendEvent(ss.task.rec.TaskID, "result-generated", payload)
}

func (ss *cvSession) sendEvent(taskID, name string, payload map[string]any) bool {
	return ss.sendJSON(map[string]any{
		"header":  map[string]any{"task_id": taskID, "event": name, "attributes": map[string]any{}},
		"payload": payload,
	})
}

func (ss *cvSession) sendJSON(v any) bool {
	b, err := json.Marshal(v)
	return err == nil && ss.write(websocket.TextMessage, b) == nil
}

func (ss *cvSession) write(typ int, data []byte) error {
	ss.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err := ss.conn.WriteMessage(typ, data)
	if err != nil {
		ss.log.Debug("ttstest: cosyvoice write", "err", err)
	}
	return err
}

// fail sends task-failed and closes the connection, as the service does.
// It returns false.
func (ss *cvSession) fail(taskID, code, msg string) bool {
	ss.log.Info("ttstest: cosyvoice task failed", "task", taskID, "code", code, "message", msg)
	ss.srv.recordFailure(CosyVoiceFailure{Conn: ss.idx, TaskID: taskID, Code: code, Message: msg})
	if t := ss.task; t != nil {
		ss.srv.update(t.rec, func(r *CosyVoiceTask) {
			r.FailCode, r.FailMessage, r.Ended = code, msg, true
		})
		ss.task = nil
	}
	ss.sendJSON(map[string]any{
		"header": map[string]any{"task_id": taskID, "event": "task-failed", "error_code": code,
			"error_message": msg, "attributes": map[string]any{}},
		"payload": map[string]any{},
	})
	ss.closeWith(websocket.CloseNormalClosure, "")
	return false
}

// abortTask marks a task whose connection ended while it ran.
func (ss *cvSession) abortTask() {
	if t := ss.task; t != nil {
		ss.srv.update(t.rec, func(r *CosyVoiceTask) { r.Aborted, r.Ended = true, true })
		ss.task = nil
	}
}

// closeWith starts the closing handshake and waits briefly for the
// client's close frame, so the last events are not lost to a TCP reset.
func (ss *cvSession) closeWith(code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)); err != nil {
		return
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case _, ok := <-ss.in:
			if !ok {
				return
			}
		case <-t.C:
			return
		}
	}
}
