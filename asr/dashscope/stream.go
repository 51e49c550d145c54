package dashscope

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
	"github.com/yuecall/yuecall/audio"
	ds "github.com/yuecall/yuecall/internal/dashscope"
)

const (
	// chunkDuration is how much audio one binary frame carries (the
	// documented ~100 ms); small writes are coalesced.
	chunkDuration = 100 * time.Millisecond
	// maxEventBytes caps one server frame.
	maxEventBytes = 1 << 20
	// finishTimeout bounds the wait for task-finished after finish-task.
	finishTimeout = 15 * time.Second
)

// chunkBytes is the size of one coalesced PCM16 frame at rate.
func chunkBytes(rate int) int { return 2 * rate * int(chunkDuration/time.Millisecond) / 1000 }

// Stream is one DashScope recognition task: PCM16 audio frames after
// task-started (Open waited for it), then finish-task. It implements
// asr.Stream; Dropped, DroppedResults and Malformed count what its overflow
// policies dropped.
type Stream struct {
	*wsstream.Stream
	taskID string
	billed *atomic.Int64 // ms, the sum of usage.duration on finals
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer, conn *websocket.Conn, taskID string) *Stream {
	log := r.log.With("task", taskID)
	rd := &reader{log: log, taskID: taskID, key: r.cfg.Key}
	return &Stream{taskID: taskID, billed: &rd.billedMillis, Stream: wsstream.Start(ctx, conn, wsstream.Options{
		Name: "dashscope", Log: log, SampleRate: r.cfg.SampleRate,
		Encode: audio.AppendPCM16LE, SampleBytes: 2,
		ChunkBytes: chunkBytes(r.cfg.SampleRate), FlushAfter: chunkDuration + 20*time.Millisecond,
		SendBuffer: r.cfg.SendBuffer, Pool: r.pool,
		End: ds.FinishTaskJSON(taskID), EndWhat: "send finish-task", EndTimeout: r.finishTimeout,
		NoEnd:         "no task-finished %v after finish-task",
		EarlyClose:    "server closed the connection before task-finished",
		ErrConnection: ErrConnection, Handler: rd,
	})}
}

// TaskID is the task_id this stream sent in run-task.
func (s *Stream) TaskID() string { return s.taskID }

// Billed is the audio the server billed so far (the sum of usage.duration
// on final results).
func (s *Stream) Billed() time.Duration {
	return time.Duration(s.billed.Load()) * time.Millisecond
}

func addBilled(ms *atomic.Int64, seconds float64) {
	if seconds > 0 && !math.IsInf(seconds, 0) {
		ms.Add(int64(seconds * 1000))
	}
}
