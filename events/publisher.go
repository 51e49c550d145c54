package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nuid"
)

// Envelope wraps every payload on the wire.
type Envelope struct {
	Type   string          `json:"type"`
	ID     string          `json:"id"`
	CallID string          `json:"call_id"`
	Time   string          `json:"time"` // RFC 3339 with milliseconds, UTC
	Data   json.RawMessage `json:"data"`
}

// TimeFormat is the envelope's time layout.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// NewEnvelope marshals p into an envelope stamped with now.
func NewEnvelope(callID string, p Payload, now time.Time) (Envelope, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Type: p.EventType(), ID: nuid.Next(), CallID: callID,
		Time: now.UTC().Format(TimeFormat), Data: data}, nil
}

// Conn is what the publisher needs of a NATS connection; *nats.Conn satisfies it.
type Conn interface {
	Publish(subject string, data []byte) error
}

// Emitter is what a call needs to publish; Publisher satisfies it.
type Emitter interface {
	Emit(callID string, p Payload)
}

// PublisherOptions tunes a Publisher.
type PublisherOptions struct {
	Subjects Subjects
	Outbox   int // queued events before dropping; default 8192
	Log      *slog.Logger
}

type outMsg struct {
	callID string
	p      Payload
	at     time.Time
}

// Publisher sends events through a bounded outbox drained by one goroutine,
// so a slow or reconnecting NATS connection never blocks a call. When the
// outbox is full the event is dropped and counted (Dropped); a drop is a bug
// to be sized away, never silent.
type Publisher struct {
	conn      Conn
	subj      Subjects
	log       *slog.Logger
	out       chan outMsg
	dropped   atomic.Uint64
	published atomic.Uint64
	failed    atomic.Uint64

	closeOnce sync.Once
	done      chan struct{}
}

var _ Emitter = (*Publisher)(nil)

// NewPublisher starts a publisher on conn. Close flushes and stops it.
func NewPublisher(conn Conn, opt PublisherOptions) *Publisher {
	if opt.Outbox <= 0 {
		opt.Outbox = 8192
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{conn: conn, subj: opt.Subjects, log: opt.Log,
		out: make(chan outMsg, opt.Outbox), done: make(chan struct{})}
	go p.run()
	return p
}

// Subjects returns the subject builder in use.
func (p *Publisher) Subjects() Subjects { return p.subj }

// Emit queues p for publishing without blocking.
func (p *Publisher) Emit(callID string, payload Payload) {
	select {
	case p.out <- outMsg{callID: callID, p: payload, at: time.Now()}:
	default:
		if p.dropped.Add(1) == 1 {
			p.log.Error("events: outbox full, dropping events", "type", payload.EventType())
		}
	}
}

func (p *Publisher) run() {
	defer close(p.done)
	for m := range p.out {
		p.send(m)
	}
}

func (p *Publisher) send(m outMsg) {
	env, err := NewEnvelope(m.callID, m.p, m.at)
	if err == nil {
		var b []byte
		if b, err = json.Marshal(env); err == nil {
			err = p.conn.Publish(p.subj.SubjectFor(m.callID, m.p), b)
		}
	}
	if err != nil {
		p.failed.Add(1)
		p.log.Warn("events: publish failed", "type", m.p.EventType(), "err", err)
		return
	}
	p.published.Add(1)
}

// Close stops accepting events, publishes what is queued and returns when
// done or when ctx ends. Emit must not be called after Close.
func (p *Publisher) Close(ctx context.Context) error {
	p.closeOnce.Do(func() { close(p.out) })
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats reports counters: published, failed and dropped events.
func (p *Publisher) Stats() (published, failed, dropped uint64) {
	return p.published.Load(), p.failed.Load(), p.dropped.Load()
}
