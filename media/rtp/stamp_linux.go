package rtp

import (
	"net"
	"syscall"
	"time"
	"unsafe"
)

// stampOOB is room for one SO_TIMESTAMPNS control message.
const stampOOB = 64

// enableStamps asks the kernel to timestamp each datagram on arrival
// (SO_TIMESTAMPNS), so measured gaps exclude the reading goroutine's
// scheduling delay.
func enableStamps(c *net.UDPConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return false
	}
	return true
}

// stampOf returns the kernel arrival time from a datagram's control data.
func stampOf(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SO_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}
