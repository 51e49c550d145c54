package desk

import (
	"fmt"
	"testing"
	"time"

	"github.com/yuecall/yuecall/events"
)

// TestBoardKeepsNewCallsWhenFull: at a high call rate the board fills with
// recently ended calls; a new call still gets a row (the oldest ended call
// leaves), ended calls leave after endedKeep, live calls are never dropped.
func TestBoardKeepsNewCallsWhenFull(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newState(func() time.Time { return now })
	end := func(id string) {
		if _, ok := s.updateRow(id, func(r *boardRow) { r.State, r.ended = "ended", now }); !ok {
			t.Fatalf("%s: no row", id)
		}
	}
	for i := range maxBoard - 10 { // ended a second apart, all within endedKeep of the end
		now = now.Add(10 * time.Millisecond)
		end(fmt.Sprintf("old-%d", i))
	}
	for i := range 10 {
		if _, ok := s.updateRow(fmt.Sprintf("live-%d", i), func(*boardRow) {}); !ok {
			t.Fatalf("live-%d: no row", i)
		}
	}
	if len(s.board) != maxBoard {
		t.Fatalf("board %d rows, want full (%d)", len(s.board), maxBoard)
	}
	if _, ok := s.updateRow("new", func(*boardRow) {}); !ok {
		t.Fatal("a new call found the board full of ended calls")
	}
	if _, ok := s.board["old-0"]; ok || len(s.board) != maxBoard {
		t.Errorf("the oldest ended call stayed (board %d rows)", len(s.board))
	}
	now = now.Add(endedKeep + time.Second) // every ended call is now stale
	s.mu.Lock()
	s.pruneLocked()
	n := len(s.board)
	s.mu.Unlock()
	if n != 11 {
		t.Errorf("after endedKeep: %d rows, want the 11 live calls", n)
	}
	for i := range maxBoard - 11 { // a board of live calls only: the next one finds no room
		if _, ok := s.updateRow(fmt.Sprintf("more-%d", i), func(*boardRow) {}); !ok {
			t.Fatalf("more-%d: no row with %d rows", i, len(s.board))
		}
	}
	if _, ok := s.updateRow("overflow", func(*boardRow) {}); ok {
		t.Error("a live call was dropped to make room")
	}
}

// BenchmarkBoardNewCall is one new call on a full board of recently ended
// calls (what a node sees at 60 calls a second).
func BenchmarkBoardNewCall(b *testing.B) {
	now := time.Unix(1_800_000_000, 0)
	s := newState(func() time.Time { return now })
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		now = now.Add(time.Millisecond)
		id := fmt.Sprint("c", i)
		s.updateRow(id, func(*boardRow) {})
		s.updateRow(id, func(r *boardRow) { r.ended = now })
	}
}

// TestEndedCallDropsTranscript: a live call keeps its last lines for a
// supervisor who starts listening; once it ends they go (the board keeps
// its row for endedKeep, not its transcript), and a line that comes late
// is not kept either.
func TestEndedCallDropsTranscript(t *testing.T) {
	e := newEnv(t, nil)
	tail := func() int { return len(e.desk.st.recentTranscript("c-tail")) }
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: tail has %d lines", what, tail())
			}
		}
	}
	e.emit("c-tail", events.CallStarted{Channel: "sip", Direction: "inbound", From: "****1234", To: "hotline"})
	for i := range 3 {
		e.emit("c-tail", events.Transcript{Speaker: "caller", Text: fmt.Sprint("第", i, "句"), Final: true})
	}
	waitFor("three final lines", func() bool { return tail() == 3 })
	e.emit("c-tail", events.CallEnded{Outcome: "completed", Reason: "caller_hangup", DurationMs: 1000})
	waitFor("ended", func() bool {
		r, ok := e.desk.st.updateRow("c-tail", func(*boardRow) {})
		return ok && r.State == "ended" && tail() == 0
	})
	e.emit("c-tail", events.Transcript{Speaker: "bot", Text: "遲咗嘅一句", Final: true})
	// One subscription takes every call event in order: once this later
	// one shows, the late line has been handled.
	e.emit("c-tail", events.Sentiment{Score: 0.25})
	waitFor("sentiment after the late line", func() bool {
		r, _ := e.desk.st.updateRow("c-tail", func(*boardRow) {})
		return r.Sentiment == 0.25
	})
	if n := tail(); n != 0 {
		t.Fatalf("a line after the end was kept (%d)", n)
	}
}
