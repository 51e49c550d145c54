package idlebody

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

type cutReader struct{ n int }

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n == 0 {
		return 0, errors.New("connection reset")
	}
	c.n--
	p[0] = 'x'
	return 1, nil
}

func TestBody(t *testing.T) {
	idle := make(chan struct{})
	b := Start(50*time.Millisecond, func() { close(idle) }).Attach(io.NopCloser(strings.NewReader("abc")))
	if got, err := io.ReadAll(b); string(got) != "abc" || err != nil || b.Err() != nil {
		t.Fatalf("read %q, %v, Err %v", got, err, b.Err())
	}
	select {
	case <-idle:
	case <-time.After(time.Second):
		t.Fatal("watchdog did not fire after the body went idle")
	}
	cut := Start(0, nil).Attach(io.NopCloser(&cutReader{n: 2}))
	if _, err := io.ReadAll(cut); err == nil || cut.Err() == nil {
		t.Errorf("cut body: %v, Err %v", err, cut.Err())
	}
	stopped := Start(20*time.Millisecond, func() { t.Error("watchdog fired after Close") })
	_ = stopped.Close()
	time.Sleep(60 * time.Millisecond)
}
