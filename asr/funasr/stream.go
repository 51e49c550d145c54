package funasr

import (
	"context"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
	"github.com/yuecall/yuecall/audio"
)

const (
	// maxResultBytes caps one server frame.
	maxResultBytes = 1 << 20
	// finalTimeout bounds the wait for is_final after the end message (the
	// offline pass decodes the last sentence first).
	finalTimeout = 15 * time.Second
)

// Stream is one FunASR recognition session: the config message (sent by
// Open), PCM16 audio frames, then {"is_speaking":false}. It implements
// asr.Stream; Dropped, DroppedResults and Malformed count what its overflow
// policies dropped.
type Stream struct {
	*wsstream.Stream
	wavName string
}

var _ asr.Stream = (*Stream)(nil)

func startStream(ctx context.Context, r *Recognizer, conn *websocket.Conn, wavName string) *Stream {
	log := r.log.With("wav_name", wavName)
	return &Stream{wavName: wavName, Stream: wsstream.Start(ctx, conn, wsstream.Options{
		Name: "funasr", Log: log, SampleRate: r.cfg.SampleRate,
		Encode: audio.AppendPCM16LE, SampleBytes: 2,
		// frames of 60*chunk_size[1]/chunk_interval ms, as the reference client sends
		ChunkBytes: r.cfg.frameBytes(), FlushAfter: r.cfg.frameDuration() + 20*time.Millisecond,
		SendBuffer: r.cfg.SendBuffer, Pool: r.pool,
		End: endMessage, EndWhat: "send end of audio", EndTimeout: r.finalTimeout,
		NoEnd: "no final result %v after the end of audio",
		// The server never closes on its own: any close before is_final is an error.
		EarlyClose:    "server closed the stream before the final result",
		ErrConnection: ErrConnection, BeforeWrite: r.beforeWrite,
		Handler: &reader{log: log},
	})}
}

// WavName is the wav_name this stream sent; the server logs it.
func (s *Stream) WavName() string { return s.wavName }
