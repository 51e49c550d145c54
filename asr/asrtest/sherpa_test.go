package asrtest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func dial(t *testing.T, s *SherpaServer) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.URL(), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

// floats encodes n samples of a 0.5-amplitude sine as float32 LE.
func floats(n int) []byte {
	b := make([]byte, 0, 4*n)
	for i := range n {
		v := float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/16000))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func readText(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	typ, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("frame type %d, want text", typ)
	}
	return string(data)
}

func TestCPPWireFormat(t *testing.T) {
	s := NewSherpaServer(SherpaOptions{Variant: CPP, Script: Scripted("我想查户口结余")})
	defer s.Close()
	c := dial(t, s)
	if err := c.WriteMessage(websocket.BinaryMessage, floats(3200)); err != nil { // 200 ms
		t.Fatal(err)
	}
	msg := readText(t, c)
	if !strings.HasPrefix(msg, `{ "text": "我", "tokens": ["我"], "timestamps": [0.00], "ys_probs": [-0.105361], "lm_probs": [], "context_scores": [], "segment": 0, "words": [], "start_time": 0.00, "is_final": false`) {
		t.Errorf("partial = %s", msg)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte("Done")); err != nil {
		t.Fatal(err)
	}
	var final struct {
		Text    string `json:"text"`
		IsFinal bool   `json:"is_final"`
		IsEOF   bool   `json:"is_eof"`
	}
	if err := json.Unmarshal([]byte(readText(t, c)), &final); err != nil {
		t.Fatal(err)
	}
	if final.Text != "我想查户口结余" || !final.IsFinal || !final.IsEOF {
		t.Errorf("final = %+v", final)
	}
	if got := readText(t, c); got != "Done!" {
		t.Errorf("after final: %q, want Done!", got)
	}
}

func TestPythonWireFormat(t *testing.T) {
	s := NewSherpaServer(SherpaOptions{Variant: Python, Script: Scripted("转人工")})
	defer s.Close()
	c := dial(t, s)
	if err := c.WriteMessage(websocket.BinaryMessage, floats(3200)); err != nil {
		t.Fatal(err)
	}
	if got, want := readText(t, c), `{"text": "\u8f6c", "segment": 0}`; got != want {
		t.Errorf("partial = %s, want %s", got, want)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte("Done")); err != nil {
		t.Fatal(err)
	}
	if got, want := readText(t, c), `{"text": "\u8f6c\u4eba\u5de5", "segment": 0}`; got != want {
		t.Errorf("last = %s, want %s", got, want)
	}
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("after last result: %v, want normal close", err)
	}
}

func TestRejectsNonFloatAudio(t *testing.T) {
	int16Frame := make([]byte, 640) // 320 int16 samples of a loud square wave
	for i := 0; i < len(int16Frame); i += 2 {
		binary.LittleEndian.PutUint16(int16Frame[i:], uint16(int16(20000)))
	}
	tests := []struct {
		name  string
		frame []byte
	}{
		{"int16 bytes", int16Frame},
		{"odd length", []byte{1, 2, 3, 4, 5, 6}},
		{"NaN", binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(math.NaN())))},
		{"out of range", binary.LittleEndian.AppendUint32(nil, math.Float32bits(3))},
	}
	for _, variant := range []SherpaVariant{CPP, Python} {
		for _, tt := range tests {
			t.Run(variant.String()+"/"+tt.name, func(t *testing.T) {
				s := NewSherpaServer(SherpaOptions{Variant: variant})
				defer s.Close()
				c := dial(t, s)
				if err := c.WriteMessage(websocket.BinaryMessage, tt.frame); err != nil {
					t.Fatal(err)
				}
				_, _, err := c.ReadMessage()
				if !websocket.IsCloseError(err, websocket.CloseInvalidFramePayloadData) {
					t.Fatalf("read = %v, want close 1007", err)
				}
				recs := waitEnded(t, s, 1)
				if recs[0].Rejected == "" || recs[0].Samples != 0 {
					t.Errorf("record = %+v, want rejected with no samples", recs[0])
				}
			})
		}
	}
}

func TestTextFrames(t *testing.T) {
	// C++ ignores unknown text frames; the Python handler dies on them.
	for _, tt := range []struct {
		variant SherpaVariant
		closed  bool
	}{{CPP, false}, {Python, true}} {
		t.Run(tt.variant.String(), func(t *testing.T) {
			s := NewSherpaServer(SherpaOptions{Variant: tt.variant})
			defer s.Close()
			c := dial(t, s)
			c.WriteMessage(websocket.TextMessage, []byte(`{"config": "x"}`))
			c.WriteMessage(websocket.BinaryMessage, floats(3200))
			_, _, err := c.ReadMessage()
			if closed := websocket.IsCloseError(err, websocket.CloseInternalServerErr); closed != tt.closed {
				t.Errorf("read err = %v, closed with 1011 = %v, want %v", err, closed, tt.closed)
			}
		})
	}
}

func TestRecordsEnergy(t *testing.T) {
	s := NewSherpaServer(SherpaOptions{Variant: CPP})
	defer s.Close()
	c := dial(t, s)
	for range 5 {
		if err := c.WriteMessage(websocket.BinaryMessage, floats(1600)); err != nil {
			t.Fatal(err)
		}
	}
	c.WriteMessage(websocket.TextMessage, []byte("Done"))
	for {
		if _, data, err := c.ReadMessage(); err != nil || string(data) == "Done!" {
			break
		}
	}
	c.Close()
	r := waitEnded(t, s, 1)[0]
	if r.Frames != 5 || r.Samples != 8000 || r.Duration(16000) != 500*time.Millisecond {
		t.Errorf("frames %d samples %d duration %v", r.Frames, r.Samples, r.Duration(16000))
	}
	if want := 0.5 / math.Sqrt2; math.Abs(r.RMS-want) > 0.01 || math.Abs(r.Peak-0.5) > 0.01 {
		t.Errorf("RMS %.3f peak %.3f, want %.3f and 0.5", r.RMS, r.Peak, want)
	}
	if !r.GotDone || r.Transcript != "我想查户口结余" {
		t.Errorf("GotDone %v transcript %q", r.GotDone, r.Transcript)
	}
}

func TestMaxActive(t *testing.T) {
	s := NewSherpaServer(SherpaOptions{Variant: Python, MaxActive: 1})
	defer s.Close()
	dial(t, s)
	_, resp, err := websocket.DefaultDialer.Dial(s.URL(), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second dial: err %v resp %v, want HTTP 503", err, resp)
	}
}

func TestDropAfter(t *testing.T) {
	s := NewSherpaServer(SherpaOptions{DropAfter: 300 * time.Millisecond})
	defer s.Close()
	c := dial(t, s)
	for range 4 {
		c.WriteMessage(websocket.BinaryMessage, floats(1600))
	}
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
			t.Errorf("got close frame %v, want an abrupt end", ce)
		}
		break
	}
}

func TestScripted(t *testing.T) {
	f := Scripted("a", "b")
	if f(0, nil) != "a" || f(1, nil) != "b" || f(2, nil) != "a" || Scripted()(0, nil) != "" {
		t.Error("Scripted does not cycle")
	}
}

func waitEnded(t *testing.T, s *SherpaServer, n int) []StreamRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := s.WaitStreams(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
