package dashscope

import (
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// writeLoop coalesces queued frames into ~100 ms binary messages and sends
// finish-task after CloseSend. If a write fails it closes the connection,
// which ends readLoop's blocking read.
func (s *Stream) writeLoop() {
	defer s.wg.Done()
	defer s.conn.Close()
	chunk := make([]byte, 0, chunkBytes(s.cfg.SampleRate))
	flush := time.NewTimer(flushAfter)
	flush.Stop()
	defer flush.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-flush.C:
			if !s.sendAudio(chunk) {
				return
			}
			chunk = chunk[:0]
		case bp, ok := <-s.audio:
			if !ok {
				if s.sendAudio(chunk) && s.sendFinish() {
					s.awaitEnd()
				}
				return
			}
			var sent bool
			chunk, sent = s.coalesce(chunk, *bp)
			s.pool.Put(bp)
			if !sent {
				return
			}
			if len(chunk) == 0 {
				flush.Stop()
			} else {
				flush.Reset(flushAfter)
			}
		}
	}
}

// awaitEnd waits for the reader to end the stream after finish-task; a
// server that sends no task-finished within finishTimeout fails it.
func (s *Stream) awaitEnd() {
	t := time.NewTimer(s.finishTimeout)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
	case <-t.C:
		s.fail(fmt.Errorf("%w: no task-finished %v after finish-task", ErrConnection, s.finishTimeout))
	}
}

// coalesce appends data to chunk, sending every chunk that fills up. It
// reports false if a send failed.
func (s *Stream) coalesce(chunk, data []byte) ([]byte, bool) {
	for len(data) > 0 {
		n := copy(chunk[len(chunk):cap(chunk)], data)
		chunk, data = chunk[:len(chunk)+n], data[n:]
		if len(chunk) == cap(chunk) {
			if !s.sendAudio(chunk) {
				return chunk, false
			}
			chunk = chunk[:0]
		}
	}
	return chunk, true
}

func (s *Stream) sendAudio(chunk []byte) bool {
	if len(chunk) == 0 {
		return true
	}
	return s.write(websocket.BinaryMessage, chunk, "send audio")
}

// sendFinish sends finish-task.
func (s *Stream) sendFinish() bool {
	s.finishSent.Store(true) // before the write: the answer may come at once
	return s.write(websocket.TextMessage, finishTaskJSON(s.taskID), "send finish-task")
}

func (s *Stream) write(typ int, data []byte, what string) bool {
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.conn.WriteMessage(typ, data); err != nil {
		if s.ctx.Err() == nil {
			s.fail(fmt.Errorf("%w: %s: %w", ErrConnection, what, err))
		}
		return false
	}
	return true
}
