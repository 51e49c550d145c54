package sherpa

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/asr/internal/wsstream"
)

var variants = []asrtest.SherpaVariant{asrtest.CPP, asrtest.Python}

// TestUtterance streams 2 s of speech and ends with CloseSend: partials grow
// without repeats, one final carries the scripted text, and the server got
// every sample, as float32 speech energy, in ~100 ms frames.
func TestUtterance(t *testing.T) {
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, asrtest.SherpaOptions{Variant: v, Script: asrtest.Scripted("我想查户口结余")})
			s := open(t, srv.URL(), nil)
			writeAll(t, s, frames(100, 16000))
			if err := s.CloseSend(); err != nil {
				t.Fatal(err)
			}
			rs := collect(t, s)
			if err := s.Err(); err != nil {
				t.Fatalf("Err = %v", err)
			}
			checkPartials(t, rs)
			fs := finals(rs)
			if len(fs) != 1 || fs[0].Text != "我想查户口结余" || fs[0].Segment != 0 || rs[len(rs)-1] != fs[0] {
				t.Fatalf("finals = %+v (all %+v)", fs, rs)
			}
			if v == asrtest.CPP && (fs[0].Start != 0 || fs[0].End != 1200*time.Millisecond) {
				t.Errorf("C++ final Start %v End %v, want 0 and 1.2s", fs[0].Start, fs[0].End)
			}
			s.Close()
			rec := waitServer(t, srv, 1)[0]
			if rec.Samples != 100*320 || rec.Frames != 20 || !rec.GotDone || rec.Rejected != "" {
				t.Errorf("server saw %+v, want 32000 samples in 20 frames and Done", rec)
			}
			if math.Abs(rec.RMS-expectedRMS()) > 0.01*expectedRMS() {
				t.Errorf("server RMS %.4f, want %.4f", rec.RMS, expectedRMS())
			}
			if s.Dropped() != 0 {
				t.Errorf("Dropped = %d", s.Dropped())
			}
		})
	}
}

// checkPartials requires growing, never repeated partials before each final.
func checkPartials(t *testing.T, rs []asr.Result) {
	t.Helper()
	var prev asr.Result
	n := 0
	for _, r := range rs {
		if r.Final {
			prev = asr.Result{}
			continue
		}
		n++
		if r == prev {
			t.Errorf("repeated partial %+v", r)
		}
		if prev.Text != "" && r.Segment == prev.Segment && !strings.HasPrefix(r.Text, prev.Text) {
			t.Errorf("partial %q does not extend %q", r.Text, prev.Text)
		}
		prev = r
	}
	if n < 3 {
		t.Errorf("only %d partials in %+v", n, rs)
	}
}

// TestSegments covers server-side endpointing: the C++ server marks it with
// is_final, the Python server only by the next segment number.
func TestSegments(t *testing.T) {
	for _, v := range variants {
		for _, tt := range []struct {
			name   string
			frames int
		}{
			{"endpointed while streaming", 250}, // 5 s: both segments endpoint before Done
			{"second ended by Done", 180},       // 3.6 s: the second segment ends at Done
		} {
			t.Run(v.String()+"/"+tt.name, func(t *testing.T) {
				checkGoroutines(t)
				srv := newServer(t, asrtest.SherpaOptions{Variant: v, Script: asrtest.Scripted("我想查户口结余|转人工")})
				s := open(t, srv.URL(), nil)
				writeAll(t, s, frames(tt.frames, 16000))
				s.CloseSend()
				rs := collect(t, s)
				if err := s.Err(); err != nil {
					t.Fatalf("Err = %v", err)
				}
				checkPartials(t, rs)
				fs := finals(rs)
				if len(fs) != 2 || fs[0].Text != "我想查户口结余" || fs[0].Segment != 0 ||
					fs[1].Text != "转人工" || fs[1].Segment != 1 {
					t.Fatalf("finals = %+v", fs)
				}
				if v == asrtest.CPP && fs[1].Start != 2600*time.Millisecond {
					t.Errorf("second segment Start = %v, want 2.6s", fs[1].Start)
				}
			})
		}
	}
}

// TestFlushesPausedAudio: a partly filled chunk goes out when writes pause.
func TestFlushesPausedAudio(t *testing.T) {
	srv := newServer(t, asrtest.SherpaOptions{})
	s := open(t, srv.URL(), nil)
	writeAll(t, s, frames(3, 16000))
	deadline := time.Now().Add(3 * time.Second)
	for {
		recs := srv.Streams()
		if len(recs) == 1 && recs[0].Samples == 960 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server records %+v, want 960 samples", recs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWriteAfterCloseSend(t *testing.T) {
	srv := newServer(t, asrtest.SherpaOptions{})
	s := open(t, srv.URL(), nil)
	s.CloseSend()
	if err := s.CloseSend(); err != nil {
		t.Errorf("second CloseSend = %v", err)
	}
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after CloseSend = %v, want ErrClosed", err)
	}
	collect(t, s)
	if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("WriteSample after end = %v, want ErrClosed", err)
	}
}

// TestCloseMidStream abandons a stream: Results closes, Err stays nil and
// nothing leaks.
func TestCloseMidStream(t *testing.T) {
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := newServer(t, asrtest.SherpaOptions{Variant: v})
			s := open(t, srv.URL(), nil)
			writeAll(t, s, frames(20, 16000))
			s.Close()
			collect(t, s)
			if err := s.Err(); err != nil {
				t.Errorf("Err after Close = %v", err)
			}
			if err := s.WriteSample(frames(1, 16000)[0]); !errors.Is(err, asr.ErrClosed) {
				t.Errorf("WriteSample after Close = %v", err)
			}
			s.Close() // twice is fine
		})
	}
}

func TestParentContextCancelled(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.SherpaOptions{})
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
// and counted, but the final still arrives.
func TestSlowConsumer(t *testing.T) {
	text := strings.Repeat("我想查户口结余转人工", 15) // 150 characters
	srv := newServer(t, asrtest.SherpaOptions{
		Variant:      asrtest.Python, // small frames: this test is about the client
		Script:       asrtest.Scripted(text),
		PartialEvery: 20 * time.Millisecond,
		CharDuration: 20 * time.Millisecond,
		Trailing:     time.Hour,
	})
	s := open(t, srv.URL(), nil)
	writeAll(t, s, frames(200, 16000)) // 200 results, 150 distinct partials
	s.CloseSend()
	deadline := time.Now().Add(10 * time.Second)
	for s.DroppedResults() == 0 || !srvGotDone(srv) {
		if time.Now().After(deadline) {
			t.Fatalf("DroppedResults = %d", s.DroppedResults())
		}
		time.Sleep(10 * time.Millisecond)
	}
	rs := collect(t, s)
	fs := finals(rs)
	if len(fs) != 1 || fs[0].Text != text {
		t.Fatalf("finals = %d %+v", len(fs), fs)
	}
	// A dropped partial is offered again when the server repeats it, so the
	// sum may exceed the 150 distinct hypotheses, never fall short.
	if got := uint64(len(rs)-1) + s.DroppedResults(); got < 150 {
		t.Errorf("delivered+dropped partials = %d, want >= 150", got)
	}
	if len(rs)-1 > wsstream.ResultBuffer+1 {
		t.Errorf("%d partials delivered to a consumer that read nothing until the end", len(rs)-1)
	}
}

func srvGotDone(srv *asrtest.SherpaServer) bool {
	recs := srv.Streams()
	return len(recs) == 1 && recs[0].GotDone
}

// TestManyStreams: several concurrent streams each get their own script.
func TestManyStreams(t *testing.T) {
	checkGoroutines(t)
	srv := newServer(t, asrtest.SherpaOptions{Variant: asrtest.Python, Script: asrtest.Scripted("转人工")})
	r, err := New(Config{URL: srv.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			st, err := r.NewStream(context.Background())
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			for _, f := range frames(50, 16000) {
				st.WriteSample(f)
			}
			st.CloseSend()
			var last asr.Result
			for res := range st.Results() {
				last = res
			}
			if !last.Final || last.Text != "转人工" || st.Err() != nil {
				err = errors.New("bad end: " + last.Text)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
