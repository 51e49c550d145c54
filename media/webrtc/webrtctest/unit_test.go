package webrtctest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

func TestLoudHelpers(t *testing.T) {
	t0 := time.Now()
	loud := make(audio.PCM16, 320)
	audio.NewToneGenerator(Rate, 0.3, 440).Read(loud)
	quiet := make(audio.PCM16, 320)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	frames := []Frame{{At: at(0), PCM: quiet}, {At: at(20), PCM: loud}, {At: at(40), PCM: loud},
		{At: at(60), PCM: quiet}, {At: at(300), PCM: loud}}
	tests := []struct {
		name     string
		from, to time.Time
		wantLast time.Time
		wantOK   bool
		count    int
	}{
		{"all", t0, at(1000), at(300), true, 3},
		{"before the gap", t0, at(100), at(40), true, 2},
		{"open end", at(30), time.Time{}, at(300), true, 0},
		{"only quiet", at(50), at(100), time.Time{}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := LastLoud(frames, tt.from, tt.to, -40)
			if ok != tt.wantOK || (ok && !f.At.Equal(tt.wantLast)) {
				t.Errorf("LastLoud = %v %v, want %v %v", f.At.Sub(t0), ok, tt.wantLast.Sub(t0), tt.wantOK)
			}
			if !tt.to.IsZero() {
				if n := CountLoud(frames, tt.from, tt.to, -40); n != tt.count {
					t.Errorf("CountLoud = %d, want %d", n, tt.count)
				}
			}
		})
	}
	if f, ok := FirstLoud(frames, at(50), -40); !ok || !f.At.Equal(at(300)) {
		t.Errorf("FirstLoud = %v %v", f.At.Sub(t0), ok)
	}
	if (Frame{}).Loud(-100) {
		t.Error("an empty frame is loud")
	}
}

// TestFrameLogBound: beyond max the oldest half goes, counted; waiters
// wake on new frames and on the end of the call.
func TestFrameLogBound(t *testing.T) {
	l := newFrameLog(10)
	for i := range 25 {
		l.add(Frame{Seq: uint16(i)})
	}
	got := l.snapshot()
	if len(got) > 10 || got[len(got)-1].Seq != 24 || l.droppedCount()+uint64(len(got)) != 25 {
		t.Errorf("%d kept (last %d), %d dropped", len(got), got[len(got)-1].Seq, l.droppedCount())
	}
	stop := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- l.wait(context.Background(), stop, func(f []Frame) bool { return f[len(f)-1].Seq == 99 })
	}()
	l.add(Frame{Seq: 99})
	if err := <-errc; err != nil {
		t.Errorf("wait: %v", err)
	}
	go func() { errc <- l.wait(context.Background(), stop, func([]Frame) bool { return false }) }()
	close(stop)
	if err := <-errc; !errors.Is(err, ErrEnded) {
		t.Errorf("wait after stop: %v", err)
	}
}

func TestParseMessage(t *testing.T) {
	tests := []struct {
		in      string
		typ     string
		wantErr bool
	}{
		{`{"type":"state","state":"connected"}`, "state", false},
		{`{"type":"transcript","text":"你好","final":true}`, "transcript", false},
		{`{"type":""}`, "", true},
		{`{"type":3}`, "", true},
		{`[1,2]`, "", true},
		{`{"type":"x"`, "", true},
		{`null`, "", true},
	}
	for _, tt := range tests {
		m, err := parseMessage([]byte(tt.in))
		if (err != nil) != tt.wantErr || m.Type != tt.typ {
			t.Errorf("parseMessage(%s) = %q, %v", tt.in, m.Type, err)
		}
		if err != nil && !errors.Is(err, ErrBadMessage) {
			t.Errorf("parseMessage(%s): %v is not ErrBadMessage", tt.in, err)
		}
	}
	m, _ := parseMessage([]byte(`{"type":"transcript","text":"你好","final":true,"n":2}`))
	if m.String("text") != "你好" || !m.Bool("final") || m.Number("n") != 2 || m.String("n") != "" {
		t.Errorf("fields %+v", m.Fields)
	}
	c, err := remoteCandidate(Message{Raw: []byte(`{"type":"candidate","candidate":null}`)})
	if c != nil || err != nil {
		t.Errorf("null candidate: %v %v", c, err)
	}
	c, err = remoteCandidate(Message{Raw: []byte(`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0"}}`)})
	if c == nil || err != nil || *c.SDPMid != "0" {
		t.Errorf("candidate: %v %v", c, err)
	}
}

// FuzzParseMessage: server messages never panic the client.
func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{`{"type":"config","call_id":"x","ice_servers":[{"urls":["stun:a"]}]}`,
		`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}}`,
		`{"type":"candidate","candidate":7}`, `{"type":"config","ice_servers":"x"}`, `{}`, `"x"`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMessage(data)
		if err != nil {
			return
		}
		_, _ = remoteCandidate(m)
		_, _ = iceServers(m)
		_ = m.String("type") + m.String("state")
	})
}
