package sip

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

// Serve closes its listeners when its context ends: the address can be
// bound again at once and Serve has returned.
func TestServeReleasesListeners(t *testing.T) {
	probe, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.LocalAddr().String()
	probe.Close()
	cfg := DefaultConfig()
	cfg.Addr = addr
	cfg.RTPPortMin, cfg.RTPPortMax = 41000, 41099
	srv, err := NewServer(cfg, HandlerFunc(func(context.Context, *Call) {}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	deadline := time.Now().Add(2 * time.Second)
	for { // wait until it is listening: binding the port fails
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("server never bound its address")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	for _, network := range []string{"udp", "tcp"} {
		var err error
		if network == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", addr); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp", addr); err == nil {
				l.Close()
			}
		}
		if err != nil {
			t.Errorf("%s %s still held after Serve returned: %v", network, addr, fmt.Sprint(err))
		}
	}
}
