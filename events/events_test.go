package events

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestSubjects(t *testing.T) {
	s := Subjects{}
	cases := []struct {
		p    Payload
		want string
	}{
		{CallStarted{}, "yuecall.call.c1.started"},
		{CallEnded{}, "yuecall.call.c1.ended"},
		{Transcript{}, "yuecall.call.c1.transcript"},
		{DTMF{}, "yuecall.call.c1.dtmf"},
		{Intent{}, "yuecall.call.c1.intent"},
		{HandoffRequested{Queue: "cards"}, "yuecall.handoff.cards"},
		{HandoffRequested{Queue: "a.b c"}, "yuecall.handoff.a_b_c"},
		{AlertAnger{}, "yuecall.alert.anger"},
	}
	for _, c := range cases {
		if got := s.SubjectFor("c1", c.p); got != c.want {
			t.Errorf("%T: %s, want %s", c.p, got, c.want)
		}
	}
	if got := (Subjects{Prefix: "bank"}).Call("x.y", "dtmf"); got != "bank.call.x_y.dtmf" {
		t.Errorf("prefix/escaping: %s", got)
	}
}

func TestPublisherEnvelopeAndOrder(t *testing.T) {
	rec := NewRecorder()
	p := NewPublisher(rec, PublisherOptions{})
	p.Emit("c1", CallStarted{Channel: "sip"})
	for i := 0; i < 100; i++ {
		p.Emit("c1", DTMF{Digit: string(rune('0' + i%10))})
	}
	p.Emit("c1", CallEnded{Outcome: "completed"})
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := rec.Messages()
	if len(msgs) != 102 {
		t.Fatalf("got %d messages", len(msgs))
	}
	first, last := msgs[0].Envelope, msgs[101].Envelope
	if first.Type != TypeCallStarted || last.Type != TypeCallEnded || first.CallID != "c1" {
		t.Fatalf("order/type wrong: %+v … %+v", first, last)
	}
	if _, err := time.Parse(TimeFormat, first.Time); err != nil || !strings.Contains(first.Time, ".") {
		t.Errorf("time %q not RFC 3339 with ms: %v", first.Time, err)
	}
	seen := map[string]bool{}
	for i, m := range msgs[1:101] {
		var d DTMF
		if err := json.Unmarshal(m.Envelope.Data, &d); err != nil || d.Digit != string(rune('0'+i%10)) {
			t.Fatalf("message %d: %s %v", i, m.Envelope.Data, err)
		}
		if seen[m.Envelope.ID] {
			t.Fatalf("duplicate id %s", m.Envelope.ID)
		}
		seen[m.Envelope.ID] = true
	}
}

// blockingConn stalls until released: a NATS connection that hangs.
type blockingConn struct{ release chan struct{} }

func (b blockingConn) Publish(string, []byte) error { <-b.release; return nil }

func TestPublisherNeverBlocks(t *testing.T) {
	bc := blockingConn{release: make(chan struct{})}
	p := NewPublisher(bc, PublisherOptions{Outbox: 10})
	start := time.Now()
	for i := 0; i < 1000; i++ {
		p.Emit("c1", DTMF{Digit: "1"})
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("Emit blocked for %v", el)
	}
	_, _, dropped := p.Stats()
	if dropped < 980 || dropped > 990 {
		t.Errorf("dropped = %d, want about 989 (outbox 10 + 1 in flight)", dropped)
	}
	close(bc.release)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if pub, _, _ := p.Stats(); pub+dropped != 1000 {
		t.Errorf("published %d + dropped %d != 1000", pub, dropped)
	}
}

func TestEmbeddedServerJetStream(t *testing.T) {
	srv, err := StartServer(ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), JetStream: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	subj := Subjects{}
	if err := EnsureStream(ctx, nc, subj, StreamConfig{}); err != nil {
		t.Fatal(err)
	}
	p := NewPublisher(nc, PublisherOptions{Subjects: subj})
	p.Emit("c9", Transcript{Speaker: "caller", Text: "我想查餘額", Final: true})
	p.Emit("c9", HandoffRequested{CallID: "c9", Queue: "general"})
	p.Emit("c10", Transcript{Speaker: "caller", Text: "我張卡唔見咗", Final: true})
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	st, err := js.Stream(ctx, "YUECALL")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 3 {
			// The call id is kept in the envelope, not in the stored
			// subject: two calls' transcripts share one subject.
			if info.State.NumSubjects != 2 {
				t.Errorf("stream indexes %d subjects, want 2 (calls.transcript, handoff.general)", info.State.NumSubjects)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream holds %d messages, want 3", info.State.Msgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	msg, err := st.GetLastMsgForSubject(ctx, subj.Stored("transcript"))
	if err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := json.Unmarshal(msg.Data, &env); err != nil || env.Type != TypeTranscript || env.CallID != "c10" || !strings.Contains(string(env.Data), "我張卡唔見咗") {
		t.Errorf("stored %s (%v)", msg.Data, err)
	}
}

func TestStartServerBadAddress(t *testing.T) {
	if _, err := StartServer(ServerConfig{Listen: "nonsense"}, nil); err == nil {
		t.Error("want an error for a bad listen address")
	}
}
