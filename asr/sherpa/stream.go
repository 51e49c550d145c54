package sherpa

import (
	"context"
	"encoding/binary"
	"math"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
	"github.com/yuecall/yuecall/audio"
)

const (
	// chunkDuration is how much audio one binary frame carries: small writes
	// are coalesced to cut websocket overhead.
	chunkDuration = 100 * time.Millisecond
	// maxResultBytes caps one server frame.
	maxResultBytes = 1 << 20
	// finalTimeout bounds the wait for the server's last result after "Done"
	// (sherpa answers within a decode step or two).
	finalTimeout = 15 * time.Second
)

// chunkBytes is the size of one coalesced float32 frame at rate.
func chunkBytes(rate int) int { return 4 * rate * int(chunkDuration/time.Millisecond) / 1000 }

// Stream is one sherpa-onnx recognition session: float32 audio frames, then
// "Done". It implements asr.Stream; Dropped, DroppedResults and Malformed
// count what its overflow policies dropped.
type Stream struct {
	*wsstream.Stream
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer, conn *websocket.Conn) *Stream {
	return &Stream{wsstream.Start(ctx, conn, wsstream.Options{
		Name: "sherpa", Log: r.log, SampleRate: r.cfg.SampleRate,
		Encode: appendFloat32, SampleBytes: 4,
		ChunkBytes: chunkBytes(r.cfg.SampleRate), FlushAfter: chunkDuration + 20*time.Millisecond,
		SendBuffer: r.cfg.SendBuffer, Pool: r.pool,
		End: []byte("Done"), EndWhat: "send Done", EndTimeout: r.finalTimeout,
		NoEnd: "no end of results %v after Done",
		// The Python server closes after the last result instead of "Done!".
		EarlyClose: "server closed the stream before Done", CloseAfterEnd: true,
		ErrConnection: ErrConnection, BeforeWrite: r.beforeWrite,
		Handler: &reader{},
	})}
}

// appendFloat32 appends pcm as float32 little-endian samples in [-1, 1).
func appendFloat32(dst []byte, pcm audio.PCM16) []byte {
	for _, v := range pcm {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(v)/32768))
	}
	return dst
}
