package sherpa

import (
	"context"
	"net"
	"testing"
	"time"
)

// A cancelled context stops a handshake the server never answers at once,
// not after ConnectTimeout.
func TestOpenStopsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and never answer the upgrade
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	r, err := New(Config{URL: "ws://" + ln.Addr().String(), SampleRate: 16000, ConnectTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	t0 := time.Now()
	if _, err := r.Open(ctx); err == nil {
		t.Fatal("Open succeeded against a silent server")
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Open returned %v after cancel, want at once", d)
	}
}
