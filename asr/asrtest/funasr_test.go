package asrtest

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const faConfig = `{"mode":"2pass","wav_name":"call-1","wav_format":"pcm","audio_fs":16000,"is_speaking":true,"chunk_size":[5,10,5],"chunk_interval":10,"hotwords":"{\"戶口結餘\":20,\"信用卡\":30}","itn":true,"svs_lang":"yue","svs_itn":true}`

func faServer(t *testing.T, opts FunASROptions) *FunASRServer {
	t.Helper()
	s := NewFunASRServer(opts)
	t.Cleanup(s.Close)
	return s
}

func faDial(t *testing.T, s *FunASRServer, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	c, _, err := d.Dial(s.URL(), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// faPCM encodes n samples of a half-scale 440 Hz sine as PCM16 LE.
func faPCM(n int) []byte {
	b := make([]byte, 0, 2*n)
	for i := range n {
		v := int16(16384 * math.Sin(2*math.Pi*440*float64(i)/16000))
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func faSend(t *testing.T, c *websocket.Conn, typ int, data string) {
	t.Helper()
	if err := c.WriteMessage(typ, []byte(data)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// faRead reads n text frames.
func faRead(t *testing.T, c *websocket.Conn, n int) []string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	out := make([]string, 0, n)
	for range n {
		typ, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read after %q: %v", out, err)
		}
		if typ != websocket.TextMessage {
			t.Fatalf("frame type %d", typ)
		}
		out = append(out, string(data))
	}
	return out
}

// faSilent checks that nothing arrives for a while.
func faSilent(t *testing.T, c *websocket.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, data, err := c.ReadMessage(); err == nil {
		t.Errorf("server sent %s, want nothing", data)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("read: %v, want a timeout", err)
	}
}

func faRecord(t *testing.T, s *FunASRServer, c *websocket.Conn) FunASRRecord {
	t.Helper()
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := s.WaitStreams(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return recs[0]
}

// TestFunASRWireFormat2Pass: online deltas per 600 ms chunk, the offline
// replacement when the VAD closes the sentence (SenseVoice tags on), and an
// empty is_final result at the end, byte for byte.
func TestFunASRWireFormat2Pass(t *testing.T) {
	s := faServer(t, FunASROptions{SenseVoice: true})
	c := faDial(t, s, nil)
	faSend(t, c, websocket.TextMessage, faConfig)
	faSend(t, c, websocket.BinaryMessage, string(faPCM(41600))) // 2.6 s: speech 1.8 s + 0.8 s silence
	want := []string{
		`{"index":0,"is_final":false,"mode":"2pass-online","slice_type":0,"text":"我想","wav_name":"call-1"}`,
		`{"index":0,"is_final":false,"mode":"2pass-online","slice_type":1,"text":"查詢戶","wav_name":"call-1"}`,
		`{"index":0,"is_final":false,"mode":"2pass-online","slice_type":1,"text":"口結餘","wav_name":"call-1"}`,
		`{"end_time":1800,"index":0,"is_final":false,"mode":"2pass-offline","slice_type":2,"start_time":0,"text":"<|yue|><|NEUTRAL|><|Speech|><|withitn|>我想查詢戶口結餘。","timestamp":"[[0,200],[200,400],[400,600],[600,800],[800,1000],[1000,1200],[1200,1400],[1400,1600],[1600,1800]]","wav_name":"call-1"}`,
	}
	got := faRead(t, c, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
	if end := faRead(t, c, 1)[0]; end != `{"is_final":true,"text":"","wav_name":"call-1"}` {
		t.Errorf("end = %s", end)
	}
	rec := faRecord(t, s, c)
	if rec.Samples != 41600 || rec.EarlySamples != 0 || !rec.GotEnd || rec.Rejected != "" || rec.TextMessages != 2 {
		t.Errorf("record %+v", rec)
	}
	if rec.Config != faConfig || rec.Mode != "2pass" || rec.WavName != "call-1" || rec.AudioFS != 16000 ||
		rec.SVSLang != "yue" || !rec.SVSITN || !rec.ITN || rec.ChunkInterval != 10 || len(rec.ChunkSize) != 3 {
		t.Errorf("config record %+v", rec)
	}
	if rec.HotwordsObject["戶口結餘"] != 20 || rec.HotwordsObject["信用卡"] != 30 || len(rec.HotwordsObject) != 2 {
		t.Errorf("hotwords %q parsed as %v", rec.Hotwords, rec.HotwordsObject)
	}
	if math.Abs(rec.Peak-0.5) > 0.01 || math.Abs(rec.RMS-0.5/math.Sqrt2) > 0.01 {
		t.Errorf("peak %.3f rms %.3f, want 0.5 and 0.354", rec.Peak, rec.RMS)
	}
}

// TestFunASRModes: online mode sends deltas only (labelled 2pass-online)
// and flushes the open sentence's rest with is_final; offline mode sends
// only offline results; the open sentence comes in the is_final result.
func TestFunASRModes(t *testing.T) {
	for _, tt := range []struct {
		mode string
		want []string
	}{
		{"online", []string{
			`{"is_final":false,"mode":"2pass-online","text":"我想","wav_name":"w"}`,
			`{"is_final":false,"mode":"2pass-online","text":"查詢戶","wav_name":"w"}`,
			`{"is_final":true,"mode":"2pass-online","text":"口結餘","wav_name":"w"}`,
		}},
		{"offline", []string{
			`{"is_final":true,"mode":"2pass-offline","text":"我想查詢戶口結餘。","wav_name":"w"}`,
		}},
		{"2pass", []string{
			`{"is_final":false,"mode":"2pass-online","text":"我想","wav_name":"w"}`,
			`{"is_final":false,"mode":"2pass-online","text":"查詢戶","wav_name":"w"}`,
			`{"is_final":false,"mode":"2pass-online","text":"口結餘","wav_name":"w"}`,
			`{"is_final":true,"mode":"2pass-offline","text":"我想查詢戶口結餘。","wav_name":"w"}`,
		}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			s := faServer(t, FunASROptions{LegacyFields: true})
			c := faDial(t, s, nil)
			faSend(t, c, websocket.TextMessage, `{"mode":"`+tt.mode+`","wav_name":"w","chunk_size":[5,10,5]}`)
			faSend(t, c, websocket.BinaryMessage, string(faPCM(20000))) // 1.25 s: mid-sentence
			faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
			got := faRead(t, c, len(tt.want))
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("result %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
			faSilent(t, c)
		})
	}
}

// TestFunASREarlyAudioDropped: whole 800-sample steps that arrive before
// the config message are dropped; the buffered remainder is kept.
func TestFunASREarlyAudioDropped(t *testing.T) {
	s := faServer(t, FunASROptions{})
	c := faDial(t, s, nil)
	faSend(t, c, websocket.BinaryMessage, string(faPCM(2000))) // 4000 bytes: 2 steps dropped, 400 samples kept
	faSend(t, c, websocket.TextMessage, `{"mode":"2pass","chunk_size":[5,10,5]}`)
	faSend(t, c, websocket.BinaryMessage, string(faPCM(1000)))
	faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
	faRead(t, c, 1)
	rec := faRecord(t, s, c)
	if rec.EarlySamples != 1600 || rec.EarlyFrames != 1 || rec.Samples != 1400 || rec.Frames != 2 {
		t.Errorf("early %d in %d frames, decoded %d of %d frames; want 1600, 1, 1400, 2",
			rec.EarlySamples, rec.EarlyFrames, rec.Samples, rec.Frames)
	}
}

// TestFunASRRefusals: configs the real server cannot use make it decode
// nothing and never answer, or answer with an error text.
func TestFunASRRefusals(t *testing.T) {
	for _, tt := range []struct {
		name, config, rejected, reply string
	}{
		{"zero middle chunk", `{"mode":"2pass","chunk_size":[5,0,5]}`, "Wrong chunk_size!", ""},
		{"two chunk entries", `{"mode":"2pass","chunk_size":[5,10]}`, "Wrong chunk_size!", ""},
		{"no chunk_size", `{"mode":"2pass"}`, "no valid chunk_size", ""},
		{"malformed JSON", `{"mode":"2pass",`, "malformed JSON", ""},
		{"hotwords not a string", `{"chunk_size":[5,10,5],"hotwords":{"a":1}}`, "field hotwords", ""},
		{"mp3", `{"mode":"2pass","chunk_size":[5,10,5],"wav_format":"mp3"}`, "",
			`{"is_final":true,"text":"ERROR. Real-time transcription service ONLY SUPPORT PCM stream.","wav_name":"wav-default-id"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := faServer(t, FunASROptions{})
			c := faDial(t, s, nil)
			faSend(t, c, websocket.TextMessage, tt.config)
			faSend(t, c, websocket.BinaryMessage, string(faPCM(16000)))
			faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
			if tt.reply != "" {
				if got := faRead(t, c, 1)[0]; got != tt.reply {
					t.Errorf("reply %s, want %s", got, tt.reply)
				}
			}
			faSilent(t, c)
			rec := faRecord(t, s, c)
			if rec.Samples != 0 || !strings.Contains(rec.Rejected, tt.rejected) {
				t.Errorf("decoded %d samples, rejected %q; want 0 and %q", rec.Samples, rec.Rejected, tt.rejected)
			}
		})
	}
}

// TestFunASRPlainHotwords: a hotwords string that is not a JSON object is
// taken as "nn" hotwords; the record says so.
func TestFunASRPlainHotwords(t *testing.T) {
	s := faServer(t, FunASROptions{})
	c := faDial(t, s, nil)
	faSend(t, c, websocket.TextMessage, `{"chunk_size":[5,10,5],"hotwords":"戶口結餘 信用卡"}`)
	rec := faRecord(t, s, c)
	if rec.Hotwords != "戶口結餘 信用卡" || rec.HotwordsObject != nil {
		t.Errorf("hotwords %q object %v", rec.Hotwords, rec.HotwordsObject)
	}
}

// TestFunASRTwoSentences8k: sentence indexes and times at 8 kHz, and the
// second sentence flushed by the end of audio.
func TestFunASRTwoSentences8k(t *testing.T) {
	s := faServer(t, FunASROptions{Script: FunASRScripted("轉人工。|唔該。"), CharDuration: 100 * time.Millisecond})
	c := faDial(t, s, nil)
	faSend(t, c, websocket.TextMessage, `{"mode":"offline","audio_fs":8000,"chunk_size":[5,10,5]}`)
	faSend(t, c, websocket.BinaryMessage, string(faPCM(8000*15/10))) // 1.5 s: first closes at 1.2 s
	faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
	got := faRead(t, c, 2)
	type result struct {
		Text    string `json:"text"`
		Index   int    `json:"index"`
		IsFinal bool   `json:"is_final"`
		Start   int    `json:"start_time"`
		End     int    `json:"end_time"`
	}
	want := []result{
		{"轉人工。", 0, false, 0, 400},   // 4 runes of 100 ms, closed 800 ms later
		{"唔該。", 1, true, 1200, 1500}, // cut short by the end of audio
	}
	for i := range got {
		var r result
		if err := json.Unmarshal([]byte(got[i]), &r); err != nil {
			t.Fatal(err)
		}
		if r != want[i] {
			t.Errorf("result %d = %s, want %+v", i, got[i], want[i])
		}
	}
}

func TestFunASRTLS(t *testing.T) {
	s := faServer(t, FunASROptions{TLS: true})
	if !strings.HasPrefix(s.URL(), "wss://127.0.0.1:") || !strings.HasPrefix(string(s.CAPEM()), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("URL %s, CA %q", s.URL(), s.CAPEM())
	}
	if _, _, err := websocket.DefaultDialer.Dial(s.URL(), nil); err == nil {
		t.Error("dial without the CA succeeded")
	}
	d := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}
	c := faDial(t, s, d)
	faSend(t, c, websocket.TextMessage, `{"mode":"offline","chunk_size":[5,10,5]}`)
	faSend(t, c, websocket.TextMessage, `{"is_speaking":false}`)
	if got := faRead(t, c, 1)[0]; got != `{"is_final":true,"text":"","wav_name":"wav-default-id"}` {
		t.Errorf("reply %s", got)
	}
	if plain := faServer(t, FunASROptions{}); plain.CAPEM() != nil || plain.CertPool() != nil {
		t.Error("a plain server has a CA")
	}
}

// TestFunASRDropAfter: the connection is cut without a close frame.
func TestFunASRDropAfter(t *testing.T) {
	s := faServer(t, FunASROptions{DropAfter: 500 * time.Millisecond})
	c := faDial(t, s, nil)
	faSend(t, c, websocket.TextMessage, `{"chunk_size":[5,10,5]}`)
	faSend(t, c, websocket.BinaryMessage, string(faPCM(16000)))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseAbnormalClosure) {
		t.Errorf("read = %v, want a cut connection (1006, no close frame)", err)
	}
}
