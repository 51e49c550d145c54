package wsstream

import (
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// writeLoop coalesces queued frames into ChunkBytes binary messages and
// sends End after CloseSend. If a write fails it closes the connection,
// which ends readLoop's blocking read.
func (s *Stream) writeLoop() {
	defer s.wg.Done()
	defer s.conn.Close()
	chunk := make([]byte, 0, s.o.ChunkBytes)
	flush := time.NewTimer(s.o.FlushAfter)
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
				if s.sendAudio(chunk) && s.sendEnd() {
					s.awaitEnd()
				}
				return
			}
			var sent bool
			chunk, sent = s.coalesce(chunk, *bp)
			s.o.Pool.Put(bp)
			if !sent {
				return
			}
			if len(chunk) == 0 {
				flush.Stop()
			} else {
				flush.Reset(s.o.FlushAfter)
			}
		}
	}
}

// awaitEnd waits for the reader to end the stream after End; a server
// that sends no end within EndTimeout fails it.
func (s *Stream) awaitEnd() {
	t := time.NewTimer(s.o.EndTimeout)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
	case <-t.C:
		s.fail(fmt.Errorf("%w: "+s.o.NoEnd, s.o.ErrConnection, s.o.EndTimeout))
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

func (s *Stream) sendEnd() bool {
	s.endSent.Store(true) // before the write: the answer may come at once
	return s.write(websocket.TextMessage, s.o.End, s.o.EndWhat)
}

func (s *Stream) write(typ int, data []byte, what string) bool {
	if hook := s.o.BeforeWrite; hook != nil {
		hook()
	}
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.conn.WriteMessage(typ, data); err != nil {
		if s.ctx.Err() == nil {
			s.fail(fmt.Errorf("%w: %s: %w", s.o.ErrConnection, what, err))
		}
		return false
	}
	return true
}
