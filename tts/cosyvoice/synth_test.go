package cosyvoice

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/tts"
	"github.com/yuecall/yuecall/tts/ttstest"
)

const reply = "你好，我想幫你查詢戶口結餘。"

// want is the audio the server speaks for a one-sentence text at rate.
func want(srv *ttstest.CosyVoiceServer, text string, rate int) audio.PCM16 {
	return ttstest.CosyVoiceSpeech(text, srv.Options().CharDuration, 1, rate)
}

func TestSynthesize(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{})
	s := synth(t, srv, nil)
	ts, err := s.Synthesize(context.Background(), " "+reply+"\n")
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	got, err := readAll(t, ts)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if ts.SampleRate() != 16000 || !slices.Equal(got, want(srv, reply, 16000)) {
		t.Fatalf("got %d samples at %d Hz, want the server's %d (PCM16 LE, nothing lost)",
			len(got), ts.SampleRate(), len(want(srv, reply, 16000)))
	}
	st := ts.(*Stream)
	if st.FirstAudio() <= 0 || st.Characters() != TextLength(reply) {
		t.Errorf("first audio %v, characters %d (want %d)", st.FirstAudio(), st.Characters(), TextLength(reply))
	}
	r := waitTasks(t, srv, 1)[0]
	wantRec := ttstest.CosyVoiceTask{Model: "cosyvoice-v2", Voice: "longjiayi_v2", TextType: "PlainText", Format: "pcm",
		SampleRate: 16000, Volume: 50, Rate: 1, Pitch: 1}
	if r.Model != wantRec.Model || r.Voice != wantRec.Voice || r.TextType != wantRec.TextType || r.Format != wantRec.Format ||
		r.SampleRate != wantRec.SampleRate || r.Volume != wantRec.Volume || r.Rate != 1 || r.Pitch != 1 {
		t.Errorf("run-task on the wire %+v, want %+v", r, wantRec)
	}
	if !slices.Equal(r.Texts, []string{reply}) || !r.GotFinish || !r.Finished || r.TaskID != st.TaskID() {
		t.Errorf("texts %q finish %v/%v", r.Texts, r.GotFinish, r.Finished)
	}
}

// TestSynthesizeRate: the server is asked for the rate, so no resampling.
func TestSynthesizeRate(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{})
	s := synth(t, srv, func(c *Config) { c.Volume, c.Rate, c.Pitch = 80, 1.5, 0.8 })
	var rs tts.RateSynthesizer = s
	ts, err := rs.SynthesizeRate(context.Background(), "轉人工。", 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	got, _ := readAll(t, ts)
	wantN := samples(ttstest.CosyVoiceDuration("轉人工", srv.Options().CharDuration, 1.5), 8000)
	if ts.SampleRate() != 8000 || len(got) != wantN {
		t.Errorf("%d samples at %d Hz, want %d at 8000", len(got), ts.SampleRate(), wantN)
	}
	if r := waitTasks(t, srv, 1)[0]; r.SampleRate != 8000 || r.Volume != 80 || r.Rate != 1.5 || r.Pitch != 0.8 {
		t.Errorf("parameters on the wire %+v", r)
	}
	for _, rate := range []int{0, 11025, 96000} {
		if _, err := s.SynthesizeRate(context.Background(), "好", rate); !errors.Is(err, ErrSampleRate) {
			t.Errorf("rate %d: %v, want ErrSampleRate", rate, err)
		}
	}
}

func TestVoiceByLanguage(t *testing.T) {
	srv := newServer(t, ttstest.CosyVoiceOptions{})
	voices := tts.Voices{Cantonese: "longjiayi_v2", English: "longxiaochun_v2", Mandarin: "longtao_v2"}
	tests := []struct {
		name   string
		ctx    context.Context
		text   string
		voices tts.Voices
		want   string
	}{
		{"cantonese", context.Background(), "你好", voices, "longjiayi_v2"},
		{"english", context.Background(), "Your balance is ready.", voices, "longxiaochun_v2"},
		{"mandarin asked", tts.WithLanguage(context.Background(), tts.Mandarin), "你好", voices, "longtao_v2"},
		{"english falls back", context.Background(), "Hello", tts.Voices{}, DefaultVoice},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synth(t, srv, func(c *Config) { c.Voices = tt.voices })
			ts, err := s.Synthesize(tt.ctx, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, ts)
			ts.Close()
			if r := waitTasks(t, srv, i+1)[i]; r.Voice != tt.want {
				t.Errorf("voice %q, want %q", r.Voice, tt.want)
			}
		})
	}
}

// TestStreamsBeforeFinished: the first audio is read while the server is
// still synthesising (it holds after its first frame).
func TestStreamsBeforeFinished(t *testing.T) {
	checkGoroutines(t)
	hold := make(chan struct{})
	srv := newServer(t, ttstest.CosyVoiceOptions{Hold: hold})
	ts, err := synth(t, srv, nil).Synthesize(context.Background(), reply)
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	buf := make(audio.PCM16, 160)
	if n, err := ts.Read(buf); n != 160 || err != nil {
		t.Fatalf("first Read = %d, %v", n, err)
	}
	if r := srv.Tasks()[0]; r.Finished || r.Frames != 1 {
		t.Fatalf("server already finished (%v) or sent %d frames before the first Read", r.Finished, r.Frames)
	}
	close(hold)
	rest, err := readAll(t, ts)
	if err != nil || 160+len(rest) != len(want(srv, reply, 16000)) {
		t.Errorf("rest %d samples, %v", len(rest), err)
	}
}

// TestAbortMidSynthesis: cancelling ctx or closing the stream stops it at
// once, releases the socket (the server sees it go) and keeps nothing.
func TestAbortMidSynthesis(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, ttstest.CosyVoiceOptions{FrameInterval: 20 * time.Millisecond})
			s := synth(t, srv, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ts, err := s.Synthesize(ctx, strings.Repeat("我想查詢戶口結餘。", 8))
			if err != nil {
				t.Fatal(err)
			}
			buf := make(audio.PCM16, 320)
			if _, err := ts.Read(buf); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if how == "cancel" {
				cancel()
			} else {
				ts.Close()
			}
			var rerr error
			for rerr == nil {
				_, rerr = ts.Read(buf)
			}
			wantErr := map[string]error{"cancel": context.Canceled, "close": ErrClosed}[how]
			if !errors.Is(rerr, wantErr) {
				t.Errorf("Read after %s = %v, want %v", how, rerr, wantErr)
			}
			ts.Close()
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("stopping took %v", d)
			}
			ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel2()
			if err := srv.WaitOpen(ctx2, 0); err != nil {
				t.Fatalf("server still has the connection: %v", err)
			}
			if r := waitTasks(t, srv, 1)[0]; !r.Aborted || r.Finished || s.Idle() != 0 {
				t.Errorf("server record %+v, kept %d; want an aborted task and nothing kept", r, s.Idle())
			}
		})
	}
}

func TestConnectionReuse(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{})
	s := synth(t, srv, nil)
	run := func(text string) {
		ts, err := s.Synthesize(context.Background(), text)
		if err != nil {
			t.Error(err)
			return
		}
		defer ts.Close()
		if _, err := readAll(t, ts); err != nil {
			t.Error(err)
		}
	}
	run("一。")
	run("二。")
	if srv.Conns() != 1 || s.Idle() != 1 {
		t.Fatalf("sequential: %d connections, %d kept; want 1 and 1", srv.Conns(), s.Idle())
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { run("三。") })
	}
	wg.Wait()
	if srv.Conns() != 3 || s.Idle() != DefaultMaxIdle {
		t.Errorf("concurrent: %d connections, %d kept; want 3 and %d", srv.Conns(), s.Idle(), DefaultMaxIdle)
	}
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.WaitOpen(ctx, 0); err != nil {
		t.Errorf("Close left connections open: %v", err)
	}
}

// TestReuseAfterServerClosed: a kept connection the server has closed is
// replaced transparently; MaxIdle -1 keeps none.
func TestReuseAfterServerClosed(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{IdleClose: 50 * time.Millisecond})
	s := synth(t, srv, nil)
	for i := range 2 {
		ts, err := s.Synthesize(context.Background(), "好。")
		if err != nil {
			t.Fatalf("synthesis %d: %v", i, err)
		}
		if _, err := readAll(t, ts); err != nil {
			t.Fatalf("synthesis %d: %v", i, err)
		}
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = srv.WaitOpen(ctx, 0) // the server drops the idle connection
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	if srv.Conns() != 2 || len(srv.Failures()) != 0 {
		t.Errorf("%d connections, failures %+v", srv.Conns(), srv.Failures())
	}
	none := synth(t, srv, func(c *Config) { c.MaxIdle = -1 })
	ts, err := none.Synthesize(context.Background(), "好。")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, ts)
	ts.Close()
	if none.Idle() != 0 {
		t.Errorf("MaxIdle -1 kept %d", none.Idle())
	}
}

// TestLongTextSplit: text over 20,000 weighted characters goes out in
// pieces the server accepts, cut after punctuation.
func TestLongTextSplit(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, ttstest.CosyVoiceOptions{CharDuration: time.Millisecond, FrameDuration: time.Second})
	text := strings.Repeat(strings.Repeat("戶口結餘", 25)+"。", 110) // 22,110 weighted characters
	ts, err := synth(t, srv, nil).SynthesizeRate(context.Background(), text, 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	got, err := readAll(t, ts)
	if err != nil {
		t.Fatal(err)
	}
	r := waitTasks(t, srv, 1)[0]
	if len(r.Texts) != 2 || strings.Join(r.Texts, "") != text || !strings.HasSuffix(r.Texts[0], "。") {
		t.Fatalf("pieces %d (lengths %d), want 2 cut after 。", len(r.Texts), len(r.Texts[0]))
	}
	for _, p := range r.Texts {
		if ttstest.CosyVoiceTextLength(p) > ttstest.CosyVoiceMaxText {
			t.Errorf("piece of %d characters", ttstest.CosyVoiceTextLength(p))
		}
	}
	if len(got) != 11000*8 || r.FailCode != "" {
		t.Errorf("%d samples, fail %q; want 11 s at 8 kHz", len(got), r.FailCode)
	}
}

func TestSynthesizeErrors(t *testing.T) {
	srv := newServer(t, ttstest.CosyVoiceOptions{})
	tests := []struct {
		name string
		key  string
		mod  func(*Config)
		text string
		is   error
		code string
	}{
		{"empty", srv.Key(), nil, " \n ", tts.ErrEmptyText, ""},
		{"too long", srv.Key(), nil, strings.Repeat("好", 100001), ErrTextTooLong, ""},
		{"bad key", "sk-wrong-0000", nil, "好", ErrConnect, "InvalidApiKey"},
		{"unknown voice", srv.Key(), func(c *Config) { c.Voices.Cantonese = "longfoo" }, "好", ErrTaskFailed, "InvalidParameter"},
		{"unknown model", srv.Key(), func(c *Config) { c.Model = "cosyvoice-v9"; c.Voices.Cantonese = "longanyue" }, "好", ErrTaskFailed, "ModelNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			_, err := newSynth(t, srv.URL(), tt.key, tt.mod).Synthesize(context.Background(), tt.text)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.code) {
				t.Fatalf("Synthesize = %v, want %v %s", err, tt.is, tt.code)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Error("error contains the key")
			}
		})
	}
}
