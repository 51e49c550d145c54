package rtp

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
)

var localhost = netip.MustParseAddr("127.0.0.1")

// freeRange finds n consecutive even ports that are free right now.
func freeRange(t *testing.T, n int) PortRange {
	t.Helper()
	for base := 41000 + 2*rand.IntN(5000); base < 65000; base += 2 * n {
		var conns []*net.UDPConn
		ok := true
		for p := base; p < base+2*n; p += 2 {
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(localhost, uint16(p))))
			if err != nil {
				ok = false
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			_ = c.Close()
		}
		if ok {
			return PortRange{Min: base, Max: base + 2*n - 1}
		}
	}
	t.Skip("no free port range")
	return PortRange{}
}

func port(c *net.UDPConn) int { return int(addrOf(c).Port()) }

func TestAllocator(t *testing.T) {
	r := freeRange(t, 3)
	a, err := NewAllocator(localhost, r)
	if err != nil {
		t.Fatal(err)
	}
	busy, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(localhost, uint16(r.Min+2))))
	if err != nil {
		t.Fatal(err)
	}
	c1, err := a.Listen()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := a.Listen() // skips the busy middle port
	if err != nil {
		t.Fatal(err)
	}
	if port(c1) != r.Min || port(c2) != r.Min+4 {
		t.Errorf("ports %d, %d; want %d, %d", port(c1), port(c2), r.Min, r.Min+4)
	}
	if _, err := a.Listen(); !errors.Is(err, ErrNoPorts) {
		t.Errorf("exhausted: %v", err)
	}
	_ = busy.Close()
	_ = c1.Close()
	c3, err := a.Listen() // round-robin: the freed middle port comes before the first one
	if err != nil {
		t.Fatal(err)
	}
	if port(c3) != r.Min+2 {
		t.Errorf("port %d, want %d", port(c3), r.Min+2)
	}
	_ = c2.Close()
	_ = c3.Close()
}

func TestAllocatorConcurrent(t *testing.T) {
	r := freeRange(t, 8)
	a, err := NewAllocator(localhost, r)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		ports []int
		wg    sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			c, err := a.Listen()
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ports = append(ports, port(c))
			mu.Unlock()
			t.Cleanup(func() { _ = c.Close() })
		})
	}
	wg.Wait()
	slices.Sort(ports)
	for i, p := range ports {
		if p != r.Min+2*i {
			t.Fatalf("ports %v", ports)
		}
	}
}

func TestNewAllocatorErrors(t *testing.T) {
	for _, r := range []PortRange{{0, 10}, {10, 5}, {3, 3}, {100, 70000}} {
		if _, err := NewAllocator(localhost, r); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%v: %v", r, err)
		}
	}
	if _, err := NewAllocator(netip.Addr{}, PortRange{10000, 10010}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no ip: %v", err)
	}
	a, err := NewAllocator(netip.MustParseAddr("192.0.2.1"), PortRange{10000, 10010}) // not ours
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Listen(); err == nil || errors.Is(err, ErrNoPorts) {
		t.Errorf("foreign address: %v", err)
	}
}
