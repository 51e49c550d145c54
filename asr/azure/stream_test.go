package azure

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/audio"
)

// TestRecognize: one utterance (0.3 s silence, 1 s speech) over a real
// socket: one final result timed from Offset/Duration, and the server saw a
// chunked, 100-continue upload of a 16 kHz mono RIFF stream.
func TestRecognize(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{})
	s := open(t, newRecognizer(t, srv.URL(), nil))
	rs := utter(t, s, append(silence(15, 16000), tone(50, 16000)...))
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	if len(rs) != 1 || rs[0].Text != "我想查詢戶口結餘。" || !rs[0].Final ||
		!near(rs[0].Start, 300*time.Millisecond, 10*time.Millisecond) || !near(rs[0].End, 1300*time.Millisecond, 10*time.Millisecond) {
		t.Fatalf("results = %+v, want one final 我想查詢戶口結餘。 from 0.3 s to 1.3 s", rs)
	}
	q := waitRequests(t, srv, 1)[0]
	checks := []struct {
		what      string
		got, want any
	}{
		{"auth", q.Auth, "key"}, {"auth ok", q.AuthOK, true},
		{"language", q.Language, "zh-HK"}, {"format", q.Format, "detailed"}, {"profanity", q.Profanity, ""},
		{"content type", q.ContentType, "audio/wav; codecs=audio/pcm; samplerate=16000"},
		{"accept", q.Accept, "application/json"}, {"expect", q.Expect, "100-continue"},
		{"chunked", q.Chunked, true}, {"content length", q.ContentLength, int64(-1)},
		{"wav", [3]int{q.SampleRate, q.Channels, q.Bits}, [3]int{16000, 1, 16}},
		{"samples", q.Samples, 65 * 320}, {"status", q.RecognitionStatus, "Success"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	wantRMS := speechAmp * math.Sqrt(0.7*0.7/2+0.3*0.3/2) * math.Sqrt(50.0/65)
	if math.Abs(q.RMS-wantRMS) > 0.01 {
		t.Errorf("RMS %.4f, want %.4f: the audio was not carried intact", q.RMS, wantRMS)
	}
}

// TestUploadsWhileSpeaking: the server holds the audio before CloseSend.
func TestUploadsWhileSpeaking(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{})
	s := open(t, newRecognizer(t, srv.URL(), nil))
	writeAll(t, s, tone(50, 16000))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitSamples(ctx, 0, 16000); err != nil {
		t.Fatalf("audio not streamed before CloseSend: %v", err)
	}
	if q := srv.Requests()[0]; q.Done || q.HTTPStatus != 0 {
		t.Fatalf("request already answered before CloseSend: %+v", q)
	}
	writeAll(t, s, tone(10, 16000))
	s.CloseSend()
	if rs := collect(t, s); len(rs) != 1 {
		t.Errorf("results = %+v", rs)
	}
	if q := waitRequests(t, srv, 1)[0]; q.Samples != 60*320 {
		t.Errorf("samples = %d, want %d", q.Samples, 60*320)
	}
}

// TestNoSpeech: NoMatch and the silence timeouts end cleanly without a
// result; Error ends with ErrRecognition; profanity removed to nothing gives none.
func TestNoSpeech(t *testing.T) {
	tests := []struct {
		status, text string
		err          error
	}{
		{"NoMatch", "", nil},
		{"InitialSilenceTimeout", "", nil},
		{"BabbleTimeout", "", nil},
		{"Success", "", nil},
		{"Error", "", ErrRecognition},
		{"Bogus", "", asr.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			srv := newServer(t, asrtest.AzureOptions{Script: func(int, []int16) asrtest.AzureReply {
				return asrtest.AzureReply{Status: tt.status, Text: tt.text}
			}})
			s := open(t, newRecognizer(t, srv.URL(), nil))
			if rs := utter(t, s, tone(25, 16000)); len(rs) != 0 {
				t.Errorf("results = %+v", rs)
			}
			if err := s.Err(); !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("Err = %v, want %v", err, tt.err)
			}
		})
	}
}

// TestSilence: the default script answers silence with NoMatch.
func TestSilence(t *testing.T) {
	srv := newServer(t, asrtest.AzureOptions{})
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) { c.Format = "simple" }))
	if rs := utter(t, s, silence(50, 16000)); len(rs) != 0 || s.Err() != nil {
		t.Errorf("results %+v, Err %v", rs, s.Err())
	}
	if q := waitRequests(t, srv, 1)[0]; q.RecognitionStatus != "NoMatch" || q.Format != "simple" {
		t.Errorf("server: %+v", q)
	}
}

// TestStringOffsets: Offset/Duration written as strings (the documented
// samples) are read too.
func TestStringOffsets(t *testing.T) {
	srv := newServer(t, asrtest.AzureOptions{OffsetsAsStrings: true})
	s := open(t, newRecognizer(t, srv.URL(), nil))
	rs := utter(t, s, append(silence(10, 16000), tone(25, 16000)...))
	if len(rs) != 1 || !near(rs[0].Start, 200*time.Millisecond, 10*time.Millisecond) || !near(rs[0].End, 700*time.Millisecond, 10*time.Millisecond) {
		t.Errorf("results = %+v, Err %v", rs, s.Err())
	}
}

// gatedTokenServer is an issueToken endpoint that forwards to srv's only
// once release is called, so that nothing drains the send queue meanwhile.
func gatedTokenServer(t *testing.T, srv *asrtest.AzureServer) (url string, release func()) {
	t.Helper()
	gate := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, srv.TokenURL(), nil)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(func() {
		proxy.Close()
		http.DefaultClient.CloseIdleConnections()
	})
	var once sync.Once
	return proxy.URL + "/sts/v1.0/issueToken", func() { once.Do(func() { close(gate) }) }
}

// TestQueueOverflow: with the upload not yet started, frames beyond
// SendBuffer are dropped and counted; writes never block; the queued ones
// reach the service.
func TestQueueOverflow(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{})
	tokURL, release := gatedTokenServer(t, srv)
	defer release()
	s := open(t, newRecognizer(t, srv.URL(), func(c *Config) {
		c.SendBuffer, c.UseToken, c.TokenURL = 4, true, tokURL
	}))
	start := time.Now()
	writeAll(t, s, tone(10, 16000))
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("writes took %v", d)
	}
	if got := s.Dropped(); got != 6 {
		t.Errorf("Dropped = %d, want 6", got)
	}
	s.CloseSend()
	release()
	if rs := collect(t, s); len(rs) != 1 || s.Err() != nil {
		t.Errorf("results %+v, Err %v", rs, s.Err())
	}
	if q := waitRequests(t, srv, 1)[0]; q.Auth != "bearer" || q.Samples != 4*320 {
		t.Errorf("server: auth %q, %d samples; want bearer, %d", q.Auth, q.Samples, 4*320)
	}
}

// TestMaxAudio: audio past the per-request limit (MaxAudio, 60 s; 2 s
// here to keep the race detector fast) is dropped and counted; the request
// carries exactly the limit.
func TestMaxAudio(t *testing.T) {
	srv := newServer(t, asrtest.AzureOptions{})
	r := newRecognizer(t, srv.URL(), func(c *Config) { c.SendBuffer = 4000 })
	if r.maxAudio != 60*time.Second {
		t.Fatalf("maxAudio = %v, want 60 s", r.maxAudio)
	}
	r.maxAudio = 2 * time.Second
	s := open(t, r)
	frame := tone(1, 16000)[0]
	for range int(r.maxAudio/audio.FrameDuration) + 5 {
		if err := s.WriteSample(frame); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Dropped(); got != 5 {
		t.Errorf("Dropped = %d, want 5", got)
	}
	s.CloseSend()
	if rs := collect(t, s); len(rs) != 1 || s.Err() != nil {
		t.Fatalf("results %+v, Err %v", rs, s.Err())
	}
	if q := waitRequests(t, srv, 1)[0]; q.Samples != 2*16000 || q.OverLimit {
		t.Errorf("server got %d samples (over %v), want %d", q.Samples, q.OverLimit, 2*16000)
	}
}

// TestWriteAfterEnd: writes after CloseSend or Close are refused with
// asr.ErrClosed; a cancelled context ends the stream with its error.
func TestWriteAfterEnd(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.AzureOptions{})
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
	writeAll(t, s, tone(5, 16000))
	s.Close()
	if err := s.WriteSample(tone(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if rs := collect(t, s); len(rs) != 0 || s.Err() != nil {
		t.Errorf("after Close: results %+v, Err %v", rs, s.Err())
	}

	ctx, cancel := context.WithCancel(context.Background())
	s = r.Open(ctx)
	defer s.Close()
	writeAll(t, s, tone(5, 16000))
	cancel()
	collect(t, s)
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Err after cancel = %v", s.Err())
	}
	if err := s.WriteSample(tone(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("after cancel: %v", err)
	}
}

// BenchmarkWriteSample: one 20 ms frame through the whole upload path
// (queue, pump, chunked request) into the test server, 50 s per request.
func BenchmarkWriteSample(b *testing.B) {
	srv := asrtest.NewAzureSTTServer(asrtest.AzureOptions{Key: testKey})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Endpoint, cfg.Key, cfg.SendBuffer = srv.URL(), testKey, 3000
	r, err := New(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer r.CloseIdleConnections()
	frame := tone(1, 16000)[0]
	perStream := int(50 * time.Second / audio.FrameDuration)
	b.ReportAllocs()
	b.SetBytes(int64(2 * len(frame)))
	s := r.Open(context.Background())
	for i := range b.N {
		if i%perStream == perStream-1 {
			s.CloseSend()
			for range s.Results() {
			}
			s.Close()
			s = r.Open(context.Background())
		}
		if err := s.WriteSample(frame); err != nil {
			b.Fatal(err)
		}
	}
	s.CloseSend()
	for range s.Results() {
	}
	s.Close()
	if d := s.Dropped(); d > 0 {
		b.Logf("%d frames dropped on the last stream", d)
	}
}
