package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// PortRange is an inclusive range of UDP ports for RTP. Only even ports are
// used (RFC 3550 §11: RTP on even, RTCP on the next odd port).
type PortRange struct{ Min, Max int }

// Allocator hands out UDP sockets on even ports of a range, round-robin, so
// a port just freed is not reused at once (stray packets of the previous
// call land nowhere). It keeps no bookkeeping: a port is busy when the OS
// says so, and closing the socket frees it. Allocator is goroutine-safe.
type Allocator struct {
	ip    netip.Addr
	first int // first even port
	count int // number of even ports

	mu   sync.Mutex
	next int // index of the next port to try
}

// NewAllocator returns an Allocator binding ip (which may be unspecified,
// 0.0.0.0 or ::) on the even ports of r.
func NewAllocator(ip netip.Addr, r PortRange) (*Allocator, error) {
	if !ip.IsValid() {
		return nil, fmt.Errorf("%w: no IP address", ErrInvalidConfig)
	}
	if r.Min < 1 || r.Max > 65535 || r.Min > r.Max {
		return nil, fmt.Errorf("%w: port range %d-%d", ErrInvalidConfig, r.Min, r.Max)
	}
	first := r.Min + r.Min%2
	if first > r.Max {
		return nil, fmt.Errorf("%w: port range %d-%d has no even port", ErrInvalidConfig, r.Min, r.Max)
	}
	return &Allocator{ip: ip.Unmap(), first: first, count: (r.Max-first)/2 + 1}, nil
}

// Listen binds the next free even port and returns the socket. It tries
// every port of the range once and returns an error wrapping ErrNoPorts
// (and the last bind error) when none is free. Bind errors other than
// "address in use" are returned at once.
func (a *Allocator) Listen() (*net.UDPConn, error) {
	a.mu.Lock()
	start := a.next
	a.next = (a.next + 1) % a.count
	a.mu.Unlock()

	var last error
	for i := range a.count {
		idx := (start + i) % a.count
		addr := netip.AddrPortFrom(a.ip, uint16(a.first+2*idx))
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
		if err == nil {
			a.mu.Lock()
			a.next = (idx + 1) % a.count
			a.mu.Unlock()
			return conn, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("rtp: bind %s: %w", addr, err) // e.g. address not on this host
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %d ports from %d: %w", ErrNoPorts, a.count, a.first, last)
}
