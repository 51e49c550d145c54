package asrtest

import (
	"encoding/binary"
	"math"
	"strings"
	"time"
)

// dsTask is the recognition state of one running task.
type dsTask struct {
	srv      *DashScopeServer
	rec      *DashScopeTask
	sents    [][]rune // scripted sentences
	rate     int
	n        int // samples received
	sumSq    float64
	peak     float64
	nextAt   int    // sample position of the last result due
	seg      int    // current sentence
	segStart int    // sample position where it began
	sent     string // last partial sent for it
	hbAt     int    // sample position of the last heartbeat
	trailing int    // samples of silence that end a sentence
}

func newDSTask(srv *DashScopeServer, rec *DashScopeTask) *dsTask {
	o := srv.opts
	script := o.Transcripts[rec.Index%len(o.Transcripts)]
	t := &dsTask{srv: srv, rec: rec, rate: max(rec.SampleRate, 1)}
	for _, s := range strings.Split(script, SegmentSep) {
		if s != "" {
			t.sents = append(t.sents, []rune(s))
		}
	}
	trailing := o.Trailing
	if rec.MaxSentenceSilence > 0 {
		trailing = time.Duration(rec.MaxSentenceSilence) * time.Millisecond
	}
	t.trailing = t.samples(trailing)
	return t
}

func (t *dsTask) samples(d time.Duration) int { return int(d * time.Duration(t.rate) / time.Second) }
func (t *dsTask) millis(n int) int            { return int(int64(n) * 1000 / int64(t.rate)) }

// onAudio records a binary frame of PCM16 and sends the results it makes
// due. It reports whether the connection goes on.
func (t *dsTask) onAudio(ss *dsSession, data []byte) bool {
	for i := 0; i+1 < len(data); i += 2 {
		f := float64(int16(binary.LittleEndian.Uint16(data[i:]))) / 32768
		t.sumSq += f * f
		t.peak = max(t.peak, math.Abs(f))
	}
	t.n += len(data) / 2
	t.srv.update(t.rec, func(r *DashScopeTask) {
		r.Frames++
		r.Samples = t.n
		r.RMS = math.Sqrt(t.sumSq / float64(max(t.n, 1)))
		r.Peak = t.peak
	})
	if d, k := t.srv.opts.DropAfter, t.srv.opts.DropFirst; d > 0 && (k == 0 || t.rec.Conn < k) && t.n >= t.samples(d) {
		ss.log.Info("asrtest: dashscope dropping connection")
		ss.conn.NetConn().Close() // no close frame: a crash
		return false
	}
	pe := max(t.samples(t.srv.opts.PartialEvery), 1)
	for t.nextAt+pe <= t.n {
		t.nextAt += pe
		if !t.emitAt(ss, t.nextAt) {
			return false
		}
	}
	return true
}

// emitAt sends what is due when q samples have arrived: the sentence as
// final once its characters and the trailing silence are in, else the
// characters heard so far as a partial (the whole sentence so far, which
// replaces the previous partial), or a heartbeat when all is said.
func (t *dsTask) emitAt(ss *dsSession, q int) bool {
	o := t.srv.opts
	if t.seg >= len(t.sents) {
		if !t.rec.Heartbeat || q-t.hbAt < t.samples(o.HeartbeatEvery) {
			return true
		}
		t.hbAt = q
		t.srv.update(t.rec, func(r *DashScopeTask) { r.Heartbeats++ })
		return t.result(ss, "", t.millis(q), -1, false, true)
	}
	text := t.sents[t.seg]
	charN := max(t.samples(o.CharDuration), 1)
	end := t.segStart + len(text)*charN
	if q >= end+t.trailing {
		return t.final(ss, end, q)
	}
	n := min((q-t.segStart)/charN, len(text))
	if n == 0 || string(text[:n]) == t.sent {
		return true
	}
	t.sent = string(text[:n])
	t.srv.update(t.rec, func(r *DashScopeTask) { r.Partials++ })
	return t.result(ss, t.sent, t.millis(t.segStart), -1, false, false)
}

// final sends the current sentence as final, ending at sample end, and
// starts the next one at sample next.
func (t *dsTask) final(ss *dsSession, end, next int) bool {
	text := string(t.sents[t.seg])
	begin := t.millis(t.segStart)
	t.srv.update(t.rec, func(r *DashScopeTask) {
		r.Finals = append(r.Finals, text)
		r.Transcript += text
	})
	ok := t.result(ss, text, begin, t.millis(end), true, false)
	t.seg++
	t.segStart, t.hbAt, t.sent = next, next, ""
	return ok
}

// finish answers finish-task: every sentence not yet final is sent as
// final, then task-finished. The connection stays open for another task.
func (t *dsTask) finish(ss *dsSession) bool {
	t.srv.update(t.rec, func(r *DashScopeTask) { r.GotFinish = true })
	charN := max(t.samples(t.srv.opts.CharDuration), 1)
	for t.seg < len(t.sents) {
		end := max(t.n, t.segStart+len(t.sents[t.seg])*charN)
		if !t.final(ss, end, end) {
			return false
		}
	}
	if !ss.send(dsEvent(t.rec.TaskID, "task-finished", map[string]any{}, nil)) {
		return false
	}
	t.srv.update(t.rec, func(r *DashScopeTask) { r.Finished, r.Ended = true, true })
	ss.task = nil
	return true
}

// result sends one result-generated event; endMs < 0 means null (a partial).
func (t *dsTask) result(ss *dsSession, text string, beginMs, endMs int, final, heartbeat bool) bool {
	sentence := map[string]any{
		"begin_time":   beginMs,
		"end_time":     nil,
		"text":         text,
		"heartbeat":    heartbeat,
		"sentence_end": final,
		"words":        t.words(text, beginMs),
	}
	if endMs >= 0 {
		sentence["end_time"] = endMs
	}
	if strings.HasPrefix(t.rec.Model, "fun-asr") {
		sentence["sentence_id"] = t.seg + 1
	}
	payload := map[string]any{"output": map[string]any{"sentence": sentence}, "usage": nil}
	if final {
		secs := (t.n + t.rate - 1) / t.rate
		payload["usage"] = map[string]any{"duration": secs}
	}
	return ss.send(dsEvent(t.rec.TaskID, "result-generated", nil, payload))
}

// words gives each character its CharDuration slot.
func (t *dsTask) words(text string, beginMs int) []map[string]any {
	step := int(t.srv.opts.CharDuration / time.Millisecond)
	out := []map[string]any{}
	for i, r := range []rune(text) {
		b := beginMs + i*step
		out = append(out, map[string]any{"begin_time": b, "end_time": b + step, "text": string(r), "punctuation": ""})
	}
	return out
}
