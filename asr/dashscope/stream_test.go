package dashscope

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

// TestUtterance: one sentence over the real protocol. Partials replace each
// other (each is the sentence so far), the final has the server's times,
// and the server saw real PCM16 in 100 ms frames with the defaults on the wire.
func TestUtterance(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{"我想查户口结余。"}})
	s := open(t, srv, nil)
	writeAll(t, s, frames(150, 16000)) // 3 s
	s.CloseSend()
	rs := collect(t, s)
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	checkPartials(t, rs)
	fs := finals(rs)
	want := asr.Result{Text: "我想查户口结余。", Final: true, Start: 0, End: 1600 * time.Millisecond}
	if len(fs) != 1 || fs[0] != want {
		t.Fatalf("finals = %+v, want %+v", fs, want)
	}
	if got := s.Billed(); got != 3*time.Second {
		t.Errorf("Billed = %v, want 3s", got)
	}
	r := waitTasks(t, srv, 1)[0]
	if r.Model != ModelParaformerV2 || r.SampleRate != 16000 || !slices.Equal(r.LanguageHints, []string{"yue"}) ||
		r.Format != "pcm" || r.TaskID != s.TaskID() {
		t.Errorf("run-task on the wire: %+v", r)
	}
	if r.Frames != 30 || r.Duration() != 3*time.Second || !r.GotFinish || !r.Finished {
		t.Errorf("frames %d duration %v finish %v/%v, want 30 frames of 100 ms", r.Frames, r.Duration(), r.GotFinish, r.Finished)
	}
	wantRMS := 0.3 * math.Sqrt(0.7*0.7/2+0.3*0.3/2)
	if math.Abs(r.RMS-wantRMS) > 0.01 {
		t.Errorf("server RMS %.3f, want %.3f (PCM16 little-endian)", r.RMS, wantRMS)
	}
}

// checkPartials: every partial extends the one before it within a sentence
// and is a prefix of that sentence's final, so a consumer that replaces
// (not appends) shows the right text.
func checkPartials(t *testing.T, rs []asr.Result) {
	t.Helper()
	prev := ""
	for i, r := range rs {
		if r.Final {
			if !strings.HasPrefix(r.Text, prev) {
				t.Errorf("result %d: final %q does not extend partial %q", i, r.Text, prev)
			}
			prev = ""
			continue
		}
		if r.Text == prev || !strings.HasPrefix(r.Text, prev) {
			t.Errorf("result %d: partial %q after %q, want a longer hypothesis", i, r.Text, prev)
		}
		prev = r.Text
	}
	if len(rs) < 3 {
		t.Errorf("only %d results, want partials before the final", len(rs))
	}
}

func TestSentences(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{"你好。|我要转人工。"}})
	s := open(t, srv, func(c *Config) { c.MaxSentenceSilence = 400 * time.Millisecond })
	writeAll(t, s, frames(300, 16000)) // 6 s
	s.CloseSend()
	rs := collect(t, s)
	checkPartials(t, rs)
	fs := finals(rs)
	if len(fs) != 2 || fs[0].Text != "你好。" || fs[1].Text != "我要转人工。" || fs[1].Segment != 1 || fs[1].Start <= fs[0].End {
		t.Fatalf("finals = %+v", fs)
	}
	if r := waitTasks(t, srv, 1)[0]; r.MaxSentenceSilence != 400 {
		t.Errorf("max_sentence_silence on the wire = %d, want 400", r.MaxSentenceSilence)
	}
}

// TestHeartbeatSkipped: with heartbeat on, the server's keep-alive results
// during silence never reach the consumer.
func TestHeartbeatSkipped(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{"好"}, HeartbeatEvery: 200 * time.Millisecond})
	s := open(t, srv, func(c *Config) { c.Heartbeat = true })
	writeAll(t, s, frames(200, 16000)) // 4 s, mostly "silence" after 好
	s.CloseSend()
	rs := collect(t, s)
	want := []asr.Result{{Text: "好"}, {Text: "好", Final: true, End: 200 * time.Millisecond}}
	if !slices.Equal(rs, want) {
		t.Errorf("results = %+v, want %+v", rs, want)
	}
	if r := waitTasks(t, srv, 1)[0]; !r.Heartbeat || r.Heartbeats < 5 {
		t.Errorf("heartbeat %v, %d heartbeat results sent; want several", r.Heartbeat, r.Heartbeats)
	}
}

func TestParametersOnWire(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Config)
		check func(asrtest.DashScopeTask) bool
	}{
		{"language hints", func(c *Config) { c.LanguageHints = []string{"yue", "en"} },
			func(r asrtest.DashScopeTask) bool { return slices.Equal(r.LanguageHints, []string{"yue", "en"}) }},
		{"8k model", func(c *Config) { c.Model = ModelParaformer8kV2 },
			func(r asrtest.DashScopeTask) bool { return r.SampleRate == 8000 && r.LanguageHints == nil }},
		{"fun-asr", func(c *Config) { c.Model = ModelFunASR },
			func(r asrtest.DashScopeTask) bool { return r.SampleRate == 16000 && r.LanguageHints == nil }},
		{"workspace", func(c *Config) { c.Workspace = "ws-hk-1" },
			func(r asrtest.DashScopeTask) bool { return r.Workspace == "ws-hk-1" && !r.Heartbeat }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{"好"}})
			s := open(t, srv, tt.mod)
			writeAll(t, s, frames(25, s.SampleRate()))
			s.CloseSend()
			if fs := finals(collect(t, s)); len(fs) != 1 || s.Err() != nil {
				t.Fatalf("finals %+v err %v", fs, s.Err())
			}
			if r := waitTasks(t, srv, 1)[0]; !tt.check(r) {
				t.Errorf("run-task on the wire: %+v", r)
			}
		})
	}
}

// TestVocabularyOnWire: a vocabulary made with CreateVocabulary is accepted
// in run-task; one the server does not know fails the task at start.
func TestVocabularyOnWire(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{"好"}})
	r := newRecognizer(t, srv.URL(), srv.Key(), nil)
	id, err := r.CreateVocabulary(context.Background(), "bank", []string{"戶口結餘", "信用卡"})
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, srv, func(c *Config) { c.VocabularyID = id })
	writeAll(t, s, frames(25, 16000))
	s.CloseSend()
	collect(t, s)
	if rec := waitTasks(t, srv, 1)[0]; rec.VocabularyID != id || s.Err() != nil {
		t.Errorf("vocabulary_id on the wire %q (want %q), err %v", rec.VocabularyID, id, s.Err())
	}
	bad := newRecognizer(t, srv.URL(), srv.Key(), func(c *Config) { c.VocabularyID = "vocab-none-0" })
	_, err = bad.Open(context.Background())
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "InvalidParameter" || !errors.Is(err, ErrTaskFailed) {
		t.Errorf("Open with an unknown vocabulary: %v, want task-failed InvalidParameter", err)
	}
}

func TestTaskFailedAtStart(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{})
	r := newRecognizer(t, srv.URL(), srv.Key(), func(c *Config) { c.Model = "paraformer-realtime-v9" })
	_, err := r.Open(context.Background())
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "ModelNotFound" || te.TaskID == "" {
		t.Fatalf("Open = %v, want task-failed ModelNotFound", err)
	}
	if strings.Contains(err.Error(), srv.Key()) {
		t.Error("error contains the key")
	}
}

func TestBadKey(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{})
	key := "sk-wrong-secret-1234"
	_, err := newRecognizer(t, srv.URL(), key, nil).Open(context.Background())
	if !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "InvalidApiKey") {
		t.Fatalf("Open = %v, want ErrConnect with HTTP 401 InvalidApiKey", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Error("error contains the key")
	}
	if srv.Refused() != 1 {
		t.Errorf("server refused %d handshakes, want 1", srv.Refused())
	}
}

func TestCloseMidStream(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{})
	s := open(t, srv, nil)
	writeAll(t, s, frames(30, 16000))
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after Close = %v, want ErrClosed", err)
	}
	if r := waitTasks(t, srv, 1)[0]; r.Finished || r.GotFinish {
		t.Errorf("server record %+v, want an abandoned task", r)
	}
}

func TestParentContextCancelled(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.DashScopeOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newRecognizer(t, srv.URL(), srv.Key(), nil).Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeAll(t, s, frames(30, 16000))
	cancel()
	collect(t, s)
	if err := s.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", err)
	}
}

// TestSlowConsumer: partials are dropped and counted when nobody reads,
// finals are not.
func TestSlowConsumer(t *testing.T) {
	checkGoroutines(t)
	text := strings.Repeat("好", 100)
	srv := newServer(t, asrtest.DashScopeOptions{Transcripts: []string{text}, CharDuration: 20 * time.Millisecond,
		PartialEvery: 20 * time.Millisecond})
	s := open(t, srv, nil)
	writeAll(t, s, frames(150, 16000))
	s.CloseSend()
	waitTasks(t, srv, 1)
	fs := finals(collect(t, s))
	if len(fs) != 1 || fs[0].Text != text || s.DroppedResults() == 0 {
		t.Errorf("finals %d, dropped partials %d; want the final and some drops", len(fs), s.DroppedResults())
	}
}
