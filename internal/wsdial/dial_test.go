package wsdial

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A cancelled context stops a handshake the server never answers at once,
// not after the handshake timeout.
func TestDialStopsOnCancel(t *testing.T) {
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
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	t0 := time.Now()
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	if _, _, err := Dial(ctx, d, "ws://"+ln.Addr().String(), nil); err == nil {
		t.Fatal("Dial succeeded against a silent server")
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Dial returned %v after cancel, want at once", d)
	}
}
