package events

import (
	"encoding/json"
	"sync"
)

// Message is one published message as a Recorder saw it.
type Message struct {
	Subject  string
	Envelope Envelope
}

// Recorder is an in-memory Conn for unit tests: it keeps every message and
// lets a test wait for them.
type Recorder struct {
	mu     sync.Mutex
	msgs   []Message
	notify chan struct{}
}

var _ Conn = (*Recorder)(nil)

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{notify: make(chan struct{}, 1)} }

// Publish records data, which must be an Envelope in JSON.
func (r *Recorder) Publish(subject string, data []byte) error {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return err
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, Message{Subject: subject, Envelope: env})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
	return nil
}

// Messages returns a copy of everything recorded so far.
func (r *Recorder) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// Changed is signalled (coalesced) after each Publish.
func (r *Recorder) Changed() <-chan struct{} { return r.notify }
