package openai

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// TestTranscribe: one utterance over a real socket gives one final result,
// and the server saw the whole utterance as a 16 kHz mono WAV upload.
func TestTranscribe(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.OpenAIOptions{})
	s := open(t, newRecognizer(t, srv.URL(), nil))
	rs := utter(t, s, tone(50, 16000))
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	want := asr.Result{Text: "我想查詢戶口結餘", Final: true, Start: 0, End: time.Second}
	if len(rs) != 1 || rs[0] != want {
		t.Fatalf("results = %+v, want [%+v]", rs, want)
	}
	q := waitRequests(t, srv, 1)[0]
	if q.Status != 200 || q.Auth != "bearer" || !q.AuthOK {
		t.Errorf("status %d, auth %q ok=%v", q.Status, q.Auth, q.AuthOK)
	}
	if q.FileName != "utterance.wav" || q.SampleRate != 16000 || q.Channels != 1 || q.Samples != 16000 {
		t.Errorf("file %q: %d Hz, %d ch, %d samples; want utterance.wav 16000 Hz mono 16000", q.FileName, q.SampleRate, q.Channels, q.Samples)
	}
	wantRMS := speechAmp * math.Sqrt(0.7*0.7/2+0.3*0.3/2)
	if math.Abs(q.RMS-wantRMS) > 0.01 {
		t.Errorf("RMS %.4f, want %.4f: the audio was not carried intact", q.RMS, wantRMS)
	}
	if _, ok := q.Fields["temperature"]; ok {
		t.Errorf("temperature sent: %v", q.Fields["temperature"])
	}
}

// TestFields: the multipart fields on the wire for each configuration.
func TestFields(t *testing.T) {
	tests := []struct {
		name       string
		opts       asrtest.OpenAIOptions
		mod        func(*Config)
		wantFields map[string]string // "" value: field must be absent
		wantEnd    time.Duration
	}{
		{"whisper-1 zh hotwords", asrtest.OpenAIOptions{}, func(c *Config) { c.Hotwords = []string{"八達通", "戶口結餘"} },
			map[string]string{"model": "whisper-1", "language": "zh", "prompt": DefaultPrompt + "八達通、戶口結餘", "response_format": "verbose_json"},
			time.Second},
		{"large-v3 yue", asrtest.OpenAIOptions{YueModels: []string{"large-v3"}}, func(c *Config) { c.Model, c.Language = "large-v3", "yue" },
			map[string]string{"model": "large-v3", "language": "yue", "prompt": "", "response_format": "verbose_json"},
			time.Second},
		{"large-v3 yue hotwords", asrtest.OpenAIOptions{YueModels: []string{"large-v3"}},
			func(c *Config) { c.Model, c.Language, c.Hotwords = "large-v3", "yue", []string{"強積金"} },
			map[string]string{"language": "yue", "prompt": "強積金"}, time.Second},
		{"gpt-4o json", asrtest.OpenAIOptions{}, func(c *Config) { c.Model = "gpt-4o-transcribe" },
			map[string]string{"model": "gpt-4o-transcribe", "response_format": "json", "language": "zh"}, time.Second},
		{"auto language", asrtest.OpenAIOptions{}, func(c *Config) { c.Language = "" },
			map[string]string{"language": "", "prompt": ""}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.opts)
			s := open(t, newRecognizer(t, srv.URL(), tt.mod))
			rs := utter(t, s, tone(50, 16000))
			if err := s.Err(); err != nil || len(rs) != 1 || rs[0].Text != "我想查詢戶口結餘" || rs[0].End != tt.wantEnd {
				t.Fatalf("results %+v, Err %v", rs, err)
			}
			q := waitRequests(t, srv, 1)[0]
			for k, want := range tt.wantFields {
				got, ok := q.Fields[k]
				switch {
				case want == "" && ok:
					t.Errorf("field %s = %q, want absent", k, got)
				case want != "" && !slices.Equal(got, []string{want}):
					t.Errorf("field %s = %q, want [%q]", k, got, want)
				}
			}
		})
	}
}

// TestServerRefusesYue: a server whose model has no yue token answers 400
// invalid_language_format; the stream reports it.
func TestServerRefusesYue(t *testing.T) {
	srv := newServer(t, asrtest.OpenAIOptions{Models: []string{"large-v2"}})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Model, c.Language = "large-v2", "yue" }))
	if rs := utter(t, s, tone(25, 16000)); len(rs) != 0 {
		t.Errorf("results = %+v, want none", rs)
	}
	var se *StatusError
	if !errors.As(s.Err(), &se) || se.StatusCode != 400 || se.Code != "invalid_language_format" || se.Retryable() {
		t.Fatalf("Err = %v, want 400 invalid_language_format", s.Err())
	}
}

// TestSegments: verbose_json segments above the no-speech threshold are
// dropped; the rest are joined with times from the kept segments.
func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		segs []asrtest.OpenAISegment
		want []asr.Result
	}{
		{"hallucination in the middle", []asrtest.OpenAISegment{
			{Text: "你好，", Start: 0.2, End: 1.0, NoSpeechProb: 0.1},
			{Text: asrtest.Hallucination, Start: 1.0, End: 2.0, NoSpeechProb: 0.9},
			{Text: " 我想查詢", Start: 2.0, End: 2.5, NoSpeechProb: 0.3},
		}, []asr.Result{{Text: "你好，我想查詢", Final: true, Start: 200 * time.Millisecond, End: 2500 * time.Millisecond}}},
		{"leading hallucination", []asrtest.OpenAISegment{
			{Text: asrtest.Hallucination, Start: 0, End: 1, NoSpeechProb: 0.95},
			{Text: "轉人工", Start: 1.0, End: 1.8, NoSpeechProb: 0.05},
		}, []asr.Result{{Text: "轉人工", Final: true, Start: time.Second, End: 1800 * time.Millisecond}}},
		{"english words", []asrtest.OpenAISegment{
			{Text: " credit card", Start: 0, End: 1}, {Text: " 幾多錢", Start: 1, End: 2}, {Text: " Visa", Start: 2, End: 3},
		}, []asr.Result{{Text: "credit card幾多錢Visa", Final: true, End: 3 * time.Second}}},
		{"all silence", []asrtest.OpenAISegment{{Text: asrtest.Hallucination, NoSpeechProb: 0.61}}, nil},
		{"empty text", []asrtest.OpenAISegment{{Text: "  "}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, asrtest.OpenAIOptions{Script: func(int, []int16, int) asrtest.OpenAIReply {
				return asrtest.OpenAIReply{Segments: tt.segs}
			}})
			s := open(t, newRecognizer(t, srv.URL(), nil))
			rs := utter(t, s, tone(150, 16000))
			if err := s.Err(); err != nil {
				t.Fatalf("Err = %v", err)
			}
			if !slices.Equal(rs, tt.want) {
				t.Errorf("results = %+v, want %+v", rs, tt.want)
			}
		})
	}
}

// TestSilence: Whisper's hallucination on a silent utterance is dropped:
// no result, clean end.
func TestSilence(t *testing.T) {
	srv := newServer(t, asrtest.OpenAIOptions{})
	s := open(t, newRecognizer(t, srv.URL(), nil))
	if rs := utter(t, s, silence(50, 16000)); len(rs) != 0 || s.Err() != nil {
		t.Errorf("results %+v, Err %v; want none, nil", rs, s.Err())
	}
	if q := waitRequests(t, srv, 1)[0]; q.Text != asrtest.Hallucination {
		t.Errorf("server answered %q, want the hallucination", q.Text)
	}
}

// TestTooShort: under 0.1 s nothing is sent (the API would answer 400
// audio_too_short); the stream ends cleanly.
func TestTooShort(t *testing.T) {
	srv := newServer(t, asrtest.OpenAIOptions{})
	r := newRecognizer(t, srv.URL(), nil)
	for _, n := range []int{0, 4} {
		s := open(t, r)
		if rs := utter(t, s, tone(n, 16000)); len(rs) != 0 || s.Err() != nil {
			t.Errorf("%d frames: results %+v, Err %v", n, rs, s.Err())
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestMaxUtterance: audio past MaxUtterance is dropped and counted, never
// blocking; the rest is transcribed.
func TestMaxUtterance(t *testing.T) {
	srv := newServer(t, asrtest.OpenAIOptions{})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.MaxUtterance = time.Second }))
	start := time.Now()
	writeAll(t, s, tone(120, 16000))
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("120 writes took %v", d)
	}
	if got := s.Dropped(); got != 70 {
		t.Errorf("Dropped = %d, want 70", got)
	}
	s.CloseSend()
	if rs := collect(t, s); len(rs) != 1 {
		t.Errorf("results = %+v", rs)
	}
	if q := waitRequests(t, srv, 1)[0]; q.Samples != 16000 {
		t.Errorf("server got %d samples, want 16000", q.Samples)
	}
}

// TestWriteAfterEnd: writes after CloseSend, Close or a cancelled context
// are refused with asr.ErrClosed; CloseSend twice is harmless.
func TestWriteAfterEnd(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.OpenAIOptions{})
	r := newRecognizer(t, srv.URL(), nil)

	s := open(t, r)
	s.CloseSend()
	if err := s.CloseSend(); err != nil {
		t.Errorf("second CloseSend = %v", err)
	}
	if err := s.WriteSample(tone(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("after CloseSend: %v", err)
	}
	collect(t, s)

	s = open(t, r)
	s.Close()
	if err := s.WriteSample(tone(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, ok := <-s.Results(); ok || s.Err() != nil {
		t.Errorf("after Close: Results open or Err %v", s.Err())
	}

	ctx, cancel := context.WithCancel(context.Background())
	s = r.Open(ctx)
	defer s.Close()
	writeAll(t, s, tone(10, 16000))
	cancel()
	collect(t, s)
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Err after cancel = %v", s.Err())
	}
	if err := s.WriteSample(tone(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) || !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v", err)
	}
}

// BenchmarkWriteSample: buffering one 20 ms frame of an utterance (the
// per-frame cost on the caller's audio path).
func BenchmarkWriteSample(b *testing.B) {
	r, err := New(Config{BaseURL: "http://127.0.0.1:9/v1", MaxUtterance: 10 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	frame := tone(1, 16000)[0]
	perStream := int(10 * time.Second / audio.FrameDuration)
	b.ReportAllocs()
	b.SetBytes(int64(2 * len(frame)))
	s := r.Open(context.Background())
	for i := range b.N {
		if i%perStream == perStream-1 {
			b.StopTimer()
			s.Close()
			s = r.Open(context.Background())
			b.StartTimer()
		}
		if err := s.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Close()
}
