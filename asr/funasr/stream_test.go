package funasr

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
)

// twoSentences is 4.2 s of audio at 16 kHz for the script below: 9 runes
// of 200 ms + 800 ms of VAD silence, then 4 runes + 800 ms.
const (
	twoSentences  = "我想查詢戶口結餘。|轉人工。"
	twoSentFrames = 210
)

// roughOnline is what the Mandarin streaming model makes of the sentences:
// Simplified, no punctuation, so a replaced partial is easy to tell.
func roughOnline(s string) string {
	return map[string]string{"我想查詢戶口結餘。": "我想查询户口结余", "轉人工。": "转人工"}[s]
}

// TestTwoPassAppendReplace: online deltas are appended into growing
// partials; each offline result replaces them as the sentence's final,
// with its index and times; the next sentence starts from nothing.
func TestTwoPassAppendReplace(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{Script: asrtest.FunASRScripted(twoSentences), OnlineText: roughOnline})
	s := open(t, srv.URL(), nil)
	writeAll(t, s, frames(twoSentFrames, 16000))
	s.CloseSend()
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	ms := time.Millisecond
	want := []asr.Result{
		{Text: "我想"},
		{Text: "我想查询户"},
		{Text: "我想查询户口结余"},
		{Text: "我想查詢戶口結餘。", Final: true, Start: 0, End: 1800 * ms},
		{Text: "转", Segment: 1},
		{Text: "转人工", Segment: 1},
		{Text: "轉人工。", Final: true, Segment: 1, Start: 2600 * ms, End: 3400 * ms},
	}
	if !slices.Equal(rs, want) {
		t.Fatalf("results\n got %+v\nwant %+v", rs, want)
	}
	s.Close()
	rec := waitServer(t, srv, 1)[0]
	if rec.Samples != twoSentFrames*320 || rec.EarlyFrames != 0 || !rec.GotEnd || rec.Rejected != "" {
		t.Errorf("server saw %+v", rec)
	}
	if math.Abs(rec.RMS-expectedRMS()) > 0.01*expectedRMS() {
		t.Errorf("server RMS %.4f, want %.4f (PCM16 little-endian)", rec.RMS, expectedRMS())
	}
	checkFrames(t, rec, 1920) // 60 ms at 16 kHz
}

// checkFrames: audio went out in frames of size bytes (60*chunk_size[1]/
// chunk_interval ms), except a paused or last partial frame.
func checkFrames(t *testing.T, rec asrtest.FunASRRecord, size int) {
	t.Helper()
	full := rec.FrameBytes[size]
	for n := range rec.FrameBytes {
		if n > size || n%2 != 0 {
			t.Errorf("frame sizes %v, want at most %d bytes, whole samples", rec.FrameBytes, size)
		}
	}
	if full < rec.Frames*9/10 {
		t.Errorf("frame sizes %v: only %d of %d frames of %d bytes", rec.FrameBytes, full, rec.Frames, size)
	}
}

// TestSenseVoiceTags: the <|yue|><|NEUTRAL|><|Speech|><|withitn|> prefix
// of a SenseVoice offline pass never reaches the caller.
func TestSenseVoiceTags(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{SenseVoice: true})
	s := open(t, srv.URL(), func(c *Config) { c.SVSLang = "yue" })
	writeAll(t, s, frames(100, 16000)) // 2 s: the sentence is flushed at the end
	s.CloseSend()
	fs := finals(collect(t, s))
	if len(fs) != 1 || fs[0].Text != "我想查詢戶口結餘。" {
		t.Fatalf("finals = %+v", fs)
	}
	s.Close()
	rec := waitServer(t, srv, 1)[0]
	if len(rec.Finals) != 1 || !strings.HasPrefix(rec.Finals[0], "<|yue|><|NEUTRAL|><|Speech|><|withitn|>") {
		t.Errorf("server sent %q: the test does not exercise tags", rec.Finals)
	}
}

// TestOnlineOnly: deltas accumulate over the whole stream and become the
// final at is_final.
func TestOnlineOnly(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{Script: asrtest.FunASRScripted(twoSentences), OnlineText: roughOnline})
	s := open(t, srv.URL(), func(c *Config) { c.Mode = ModeOnline })
	writeAll(t, s, frames(170, 16000)) // 3.4 s: 人工 comes with is_final
	s.CloseSend()
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	want := []asr.Result{
		{Text: "我想"}, {Text: "我想查询户"}, {Text: "我想查询户口结余"}, {Text: "我想查询户口结余转"},
		{Text: "我想查询户口结余转人工", Final: true},
	}
	if !slices.Equal(rs, want) {
		t.Fatalf("results\n got %+v\nwant %+v", rs, want)
	}
	s.Close()
	if rec := waitServer(t, srv, 1)[0]; rec.Mode != ModeOnline {
		t.Errorf("server mode %q", rec.Mode)
	}
}

// TestOfflineOnly: one final per sentence and no partials.
func TestOfflineOnly(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{Script: asrtest.FunASRScripted(twoSentences)})
	s := open(t, srv.URL(), func(c *Config) { c.Mode = ModeOffline })
	writeAll(t, s, frames(180, 16000))
	s.CloseSend()
	rs := collect(t, s)
	ms := time.Millisecond
	want := []asr.Result{
		{Text: "我想查詢戶口結餘。", Final: true, End: 1800 * ms},
		{Text: "轉人工。", Final: true, Segment: 1, Start: 2600 * ms, End: 3400 * ms},
	}
	if !slices.Equal(rs, want) || s.Err() != nil {
		t.Fatalf("results %+v (err %v), want %+v", rs, s.Err(), want)
	}
}

// TestLegacyFields: a server that sends no index or times (handle_result
// in websocket-server-2pass.cpp): the client numbers sentences itself.
func TestLegacyFields(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{Script: asrtest.FunASRScripted(twoSentences), LegacyFields: true})
	s := open(t, srv.URL(), nil)
	writeAll(t, s, frames(twoSentFrames, 16000))
	s.CloseSend()
	rs := collect(t, s)
	fs := finals(rs)
	if len(fs) != 2 || fs[0] != (asr.Result{Text: "我想查詢戶口結餘。", Final: true}) ||
		fs[1] != (asr.Result{Text: "轉人工。", Final: true, Segment: 1}) {
		t.Fatalf("finals = %+v", fs)
	}
	for _, p := range partials(rs) {
		if want := strings.HasPrefix(p.Text, "轉"); want != (p.Segment == 1) {
			t.Errorf("partial %+v in the wrong segment", p)
		}
	}
}

// TestConfigMessage: what the server receives before the audio: hotwords
// as a JSON object in a string, 8 kHz, the chunk settings and frame size,
// ITN and SenseVoice fields, and the wav_name.
func TestConfigMessage(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{})
	s := open(t, srv.URL(), func(c *Config) {
		c.SampleRate = 8000
		c.ChunkSize = [3]int{8, 8, 4}
		c.Hotwords = []string{"戶口結餘", "信用卡", "HKID"}
		c.HotwordWeight = 30
		c.ITN = false
		c.SVSLang = "yue"
		c.WavName = "call-7f3a"
	})
	if !strings.HasPrefix(s.WavName(), "call-7f3a-") || s.SampleRate() != 8000 {
		t.Errorf("WavName %q SampleRate %d", s.WavName(), s.SampleRate())
	}
	writeAll(t, s, frames(50, 8000))
	s.CloseSend()
	collect(t, s)
	s.Close()
	rec := waitServer(t, srv, 1)[0]
	wantHW := map[string]int{"戶口結餘": 30, "信用卡": 30, "HKID": 30}
	if len(rec.HotwordsObject) != 3 || rec.HotwordsObject["戶口結餘"] != 30 || rec.HotwordsObject["HKID"] != 30 {
		t.Errorf("hotwords %q parsed as %v, want %v", rec.Hotwords, rec.HotwordsObject, wantHW)
	}
	if rec.AudioFS != 8000 || !slices.Equal(rec.ChunkSize, []int{8, 8, 4}) || rec.ChunkInterval != 10 ||
		rec.ITN || rec.SVSLang != "yue" || !rec.SVSITN || rec.Mode != "2pass" || rec.WavFormat != "pcm" ||
		rec.WavName != s.WavName() || rec.TextMessages != 2 {
		t.Errorf("server config %+v\nfrom %s", rec, rec.Config)
	}
	if rec.Samples != 50*160 || rec.EarlySamples != 0 {
		t.Errorf("samples %d early %d", rec.Samples, rec.EarlySamples)
	}
	checkFrames(t, rec, 768) // 48 ms at 8 kHz
}

// TestEarlyAudioOrdering: audio written the moment Open returns is never
// ahead of the config message (the server would drop it silently), even
// with many streams opening at once.
func TestEarlyAudioOrdering(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{})
	r, err := New(Config{URL: srv.URL(), SendBuffer: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	errs := make(chan error, n)
	fs := frames(40, 16000)
	for range n {
		go func() {
			st, err := r.Open(context.Background())
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			for _, f := range fs {
				st.WriteSample(f)
			}
			st.CloseSend()
			for range st.Results() {
			}
			errs <- st.Err()
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, rec := range waitServer(t, srv, n) {
		if rec.EarlyFrames != 0 || rec.EarlySamples != 0 || rec.Samples != 40*320 {
			t.Errorf("stream %d: %d early frames, %d samples", rec.Index, rec.EarlyFrames, rec.Samples)
		}
	}
}

func TestWriteAfterCloseSend(t *testing.T) {
	srv := newServer(t, asrtest.FunASROptions{})
	s := open(t, srv.URL(), nil)
	s.CloseSend()
	if err := s.CloseSend(); err != nil {
		t.Errorf("second CloseSend = %v", err)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after CloseSend = %v, want ErrClosed", err)
	}
	if rs := collect(t, s); len(rs) != 0 || s.Err() != nil {
		t.Errorf("results %+v err %v for a stream without audio", rs, s.Err())
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after end = %v, want ErrClosed", err)
	}
}

// TestCloseMidStream abandons a stream: Results closes, Err stays nil and
// no goroutine is left.
func TestCloseMidStream(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{})
	s := open(t, srv.URL(), nil)
	writeAll(t, s, frames(60, 16000))
	s.Close()
	collect(t, s)
	if err := s.Err(); err != nil {
		t.Errorf("Err after Close = %v", err)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after Close = %v", err)
	}
	s.Close() // twice is fine
	if rec := waitServer(t, srv, 1)[0]; rec.GotEnd {
		t.Error("an abandoned stream sent the end of audio")
	}
}

func TestParentContextCancelled(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.FunASROptions{})
	r, err := New(Config{URL: srv.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := r.NewStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	writeAll(t, st, frames(20, 16000))
	cancel()
	collect(t, st)
	if err := st.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", err)
	}
}

// TestSlowConsumer: with nobody reading, partials overflow and are dropped
// and counted, but every final still arrives, in order.
func TestSlowConsumer(t *testing.T) {
	text := strings.Repeat("我想查詢戶口結餘轉人工", 20) + "。" // 221 runes
	srv := newServer(t, asrtest.FunASROptions{
		Script:       asrtest.FunASRScripted(text + "|" + text),
		CharDuration: 20 * time.Millisecond,
	})
	// The 10 s are written at once, faster than real time: the send buffer
	// holds all of them, so a writer slowed by a loaded machine drops no
	// audio (the server would then see only the first sentence).
	s := open(t, srv.URL(), func(c *Config) { c.ChunkSize = [3]int{0, 1, 0}; c.ChunkInterval = 1; c.SendBuffer = 600 })
	writeAll(t, s, frames(500, 16000)) // 10 s; 60 ms chunks: ~160 partials
	s.CloseSend()
	if n := s.Dropped(); n != 0 {
		t.Fatalf("%d frames dropped from the send buffer", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.DroppedResults() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("DroppedResults = %d", s.DroppedResults())
		}
		time.Sleep(10 * time.Millisecond)
	}
	fs := finals(collect(t, s))
	if len(fs) != 2 || fs[0].Text != text || fs[1].Text != text || fs[1].Segment != 1 {
		t.Fatalf("finals = %d %+v", len(fs), fs)
	}
}
