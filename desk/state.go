package desk

import (
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/yuecall/yuecall/events"
)

// Limits of the in-memory state.
const (
	maxAlerts       = 100
	maxTail         = 20 // transcript lines kept per live call for "listen"
	maxBoard        = 5000
	endedKeep       = 2 * time.Minute // an ended call stays on the board this long
	timedOutKeep    = 5 * time.Minute // a timed-out review stays visible this long
	defaultReviewMs = 30000
)

type handoffMsg struct {
	Type      string                  `json:"type"` // handoff
	CallID    string                  `json:"call_id"`
	Queue     string                  `json:"queue"`
	Reason    string                  `json:"reason"`
	Summary   string                  `json:"summary"`
	From      string                  `json:"from"`
	Tail      []events.TranscriptLine `json:"transcript_tail"`
	Urgent    bool                    `json:"urgent,omitempty"`
	Intent    string                  `json:"intent,omitempty"`
	WaitingMs int64                   `json:"waiting_ms"`
	since     time.Time
}

type boardRow struct {
	Type       string  `json:"type"` // call
	CallID     string  `json:"call_id"`
	State      string  `json:"state"` // ai | handoff | agent | ended
	Channel    string  `json:"channel,omitempty"`
	From       string  `json:"from,omitempty"`
	Intent     string  `json:"intent,omitempty"`
	Sentiment  float64 `json:"sentiment"`
	Anger      bool    `json:"anger,omitempty"`
	Agent      string  `json:"agent,omitempty"`
	Outcome    string  `json:"outcome,omitempty"`
	DurationMs int64   `json:"duration_ms"`
	started    time.Time
	ended      time.Time
	tail       [][]byte // recent transcript messages, marshalled; dropped when the call ends
}

type alertMsg struct {
	Type    string  `json:"type"` // alert
	CallID  string  `json:"call_id"`
	Score   float64 `json:"score"`
	Excerpt string  `json:"excerpt"`
	At      int64   `json:"at"` // Unix ms
}

type reviewMsg struct {
	Type      string   `json:"type"` // review
	ReviewID  string   `json:"review_id"`
	CallID    string   `json:"call_id"`
	Draft     string   `json:"draft"`
	Intent    string   `json:"intent"`
	Question  string   `json:"question,omitempty"`
	Sources   []string `json:"sources,omitempty"`
	TimeoutMs int64    `json:"timeout_ms"`
	LeftMs    int64    `json:"left_ms"`
	Status    string   `json:"status"` // pending | timeout
	deadline  time.Time
}

// state is what this desk process knows: its share of the hand-off queue
// (queue group "desk"), the live board, recent alerts, the review queue and
// which agents are on which calls. One mutex; nothing calls out under it.
type state struct {
	now func() time.Time

	mu      sync.Mutex
	queue   map[string]*handoffMsg
	board   map[string]*boardRow
	alerts  []alertMsg
	reviews map[string]*reviewMsg
	onCall  map[string]map[string]bool // call id → agent names
	// ended lists the board's ended calls, oldest end first (ids whose
	// row is gone are skipped), so pruning is O(pruned), not O(board):
	// at 60 new calls a second, scanning a 5,000-row board per new call
	// had grown to 8 % of a node's CPU.
	ended []string
}

func newState(now func() time.Time) *state {
	return &state{now: now, queue: map[string]*handoffMsg{}, board: map[string]*boardRow{},
		reviews: map[string]*reviewMsg{}, onCall: map[string]map[string]bool{}}
}

// row returns the board row of a call, creating it. A full board makes
// room by dropping its oldest ended call; nil when every row is a live call.
func (s *state) rowLocked(callID string) *boardRow {
	r, ok := s.board[callID]
	if !ok {
		s.pruneLocked()
		if len(s.board) >= maxBoard && !s.dropEndedLocked(time.Duration(-1)) {
			return nil
		}
		r = &boardRow{Type: "call", CallID: callID, State: "ai", started: s.now()}
		s.board[callID] = r
	}
	return r
}

// dropEndedLocked removes ended calls from the board, oldest first, while
// they ended more than keep ago; with keep < 0 it removes exactly one. It
// reports whether it removed any.
func (s *state) dropEndedLocked(keep time.Duration) bool {
	now, dropped := s.now(), false
	for len(s.ended) > 0 {
		r, ok := s.board[s.ended[0]]
		switch {
		case !ok || r.ended.IsZero(): // gone already
		case keep >= 0 && now.Sub(r.ended) <= keep:
			return dropped
		case keep < 0 && dropped:
			return true
		default:
			delete(s.board, s.ended[0])
			dropped = true
		}
		s.ended[0] = ""
		s.ended = s.ended[1:]
	}
	return dropped
}

func (s *state) pruneLocked() {
	now := s.now()
	s.dropEndedLocked(endedKeep)
	for id, rv := range s.reviews {
		if now.Sub(rv.deadline) > timedOutKeep {
			delete(s.reviews, id)
		}
	}
}

// rowCopy is a row stamped with its duration so far.
func (s *state) rowCopyLocked(r *boardRow) boardRow {
	c := *r
	c.tail = nil
	end := s.now()
	if !r.ended.IsZero() {
		end = r.ended
	}
	if c.DurationMs == 0 || r.ended.IsZero() {
		c.DurationMs = end.Sub(r.started).Milliseconds()
	}
	return c
}

// updateRow applies f to a call's row and returns a copy for the board.
func (s *state) updateRow(callID string, f func(*boardRow)) (boardRow, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rowLocked(callID)
	if r == nil {
		return boardRow{}, false
	}
	wasEnded := !r.ended.IsZero()
	f(r)
	if !wasEnded && !r.ended.IsZero() {
		s.ended = append(s.ended, callID)
	}
	return s.rowCopyLocked(r), true
}

func (s *state) addTail(callID string, msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rowLocked(callID)
	if r == nil || !r.ended.IsZero() { // a line that comes after the end is kept by no one
		return
	}
	if len(r.tail) >= maxTail {
		r.tail = append(r.tail[:0], r.tail[1:]...)
	}
	r.tail = append(r.tail, msg)
}

func (s *state) recentTranscript(callID string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.board[callID]; ok {
		return append([][]byte(nil), r.tail...)
	}
	return nil
}

func (s *state) agentsOn(callID string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.onCall[callID]))
	for u := range s.onCall[callID] {
		out[u] = true
	}
	return out
}

func (s *state) setAgent(callID, user string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		if s.onCall[callID] == nil {
			s.onCall[callID] = map[string]bool{}
		}
		s.onCall[callID][user] = true
		return
	}
	delete(s.onCall[callID], user)
	if len(s.onCall[callID]) == 0 {
		delete(s.onCall, callID)
	}
}

func (s *state) isOn(callID, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onCall[callID][user]
}

func (s *state) callsOf(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, us := range s.onCall {
		if us[user] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func (s *state) endCall(callID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.onCall, callID)
	delete(s.queue, callID)
}

func (s *state) addHandoff(h *handoffMsg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue[h.CallID] = h
	if r := s.rowLocked(h.CallID); r != nil {
		r.State = "handoff"
	}
}

// takeHandoff removes a hand-off from the queue; false if it is not queued.
func (s *state) takeHandoff(callID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.queue[callID]
	delete(s.queue, callID)
	return ok
}

func (s *state) hasHandoff(callID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.queue[callID]
	return ok
}

func (s *state) addAlert(a alertMsg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.alerts) >= maxAlerts {
		s.alerts = append(s.alerts[:0], s.alerts[1:]...)
	}
	s.alerts = append(s.alerts, a)
	if r := s.rowLocked(a.CallID); r != nil {
		r.Anger = true
	}
}

func (s *state) addReview(rv *reviewMsg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reviews[rv.ReviewID] = rv
}

// review returns a pending review, or false (unknown or timed out).
func (s *state) review(id string) (reviewMsg, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rv, ok := s.reviews[id]
	if !ok {
		return reviewMsg{}, false, false
	}
	return *rv, true, s.now().After(rv.deadline)
}

func (s *state) removeReview(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.reviews[id]
	delete(s.reviews, id)
	return ok
}

func (s *state) reviewCopyLocked(rv *reviewMsg) reviewMsg {
	c := *rv
	c.LeftMs = rv.deadline.Sub(s.now()).Milliseconds()
	if c.LeftMs <= 0 {
		c.LeftMs, c.Status = 0, "timeout"
	}
	return c
}

type snapshotMsg struct {
	Type    string       `json:"type"` // snapshot
	View    string       `json:"view"`
	User    User         `json:"user"`
	Queue   []handoffMsg `json:"queue,omitempty"`
	Calls   []string     `json:"calls,omitempty"`
	Board   []boardRow   `json:"board,omitempty"`
	Alerts  []alertMsg   `json:"alerts,omitempty"`
	Reviews []reviewMsg  `json:"reviews,omitempty"`
}

// snapshot is the first message on a socket: what its view shows now.
func (d *Desk) snapshot(c *client) []byte {
	s := d.st
	m := snapshotMsg{Type: "snapshot", View: c.view, User: c.user}
	calls := s.callsOf(c.user.Name)
	s.mu.Lock()
	s.pruneLocked()
	now := s.now()
	switch c.view {
	case viewAgent:
		for _, h := range s.queue {
			hc := *h
			hc.WaitingMs = now.Sub(h.since).Milliseconds()
			m.Queue = append(m.Queue, hc)
		}
		sort.Slice(m.Queue, func(i, j int) bool { return m.Queue[i].WaitingMs > m.Queue[j].WaitingMs })
		m.Calls = calls
	case viewSupervisor:
		for _, r := range s.board {
			m.Board = append(m.Board, s.rowCopyLocked(r))
		}
		sort.Slice(m.Board, func(i, j int) bool { return m.Board[i].DurationMs > m.Board[j].DurationMs })
		m.Alerts = append(m.Alerts, s.alerts...)
	case viewCompliance:
		for _, rv := range s.reviews {
			m.Reviews = append(m.Reviews, s.reviewCopyLocked(rv))
		}
		sort.Slice(m.Reviews, func(i, j int) bool { return m.Reviews[i].LeftMs < m.Reviews[j].LeftMs })
	}
	s.mu.Unlock()
	b, _ := json.Marshal(m)
	return b
}
